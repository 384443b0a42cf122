"""The project's URLs: the workspace, the reports, the API and its documentation, the admin."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.sitemaps.views import sitemap
from django.urls import include, path

from commitments.api import sdmx
from commitments.api.docs import DocsView, SchemaView
from commitments.api.imports import ImportView
from opendata.sitemaps import PublicSitemap
from opendata.views import robots
from sync.api import ChangeFeedView

from . import audit, auth
from .metrics import metrics_view
from .views import healthz, readyz

urlpatterns = [
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    # Forgot your password? Django's reset views; the reset never signs in (two-factor and the lock-out
    # still stand at the next sign-in).
    path(
        "accounts/password-reset/",
        auth_views.PasswordResetView.as_view(
            html_email_template_name="registration/password_reset_email.html"
        ),
        name="password_reset",
    ),
    path(
        "accounts/password-reset/sent/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "accounts/reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(post_reset_login=False),
        name="password_reset_confirm",
    ),
    path(
        "accounts/reset/done/", auth_views.PasswordResetCompleteView.as_view(), name="password_reset_complete"
    ),
    path("accounts/verify/", auth.two_factor_verify, name="two_factor_verify"),
    path("accounts/two-factor/", auth.two_factor_setup, name="two_factor_setup"),
    path("accounts/", include("accounts.urls")),
    path("focal/", include("focal.urls")),
    path("api/v1/", include("focal.api_urls")),
    path("audit/", audit.audit_log, name="audit_log"),
    path("audit/export.csv", audit.audit_export, name="audit_export"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("healthz", healthz, name="healthz"),
    path("readyz", readyz, name="readyz"),
    path("metrics", metrics_view, name="metrics"),
    path("admin/", admin.site.urls),
    path("api/v1/changes/", ChangeFeedView.as_view(), name="api-changes"),
    path("api/v1/imports/", ImportView.as_view(), name="api-imports"),
    path("api/v1/", include("commitments.api.urls")),
    path("api/v1/", include("reporting.api.urls")),
    path("api/v1/", include("cycle.api")),
    path("api/v1/sdmx/structure/", sdmx.StructureView.as_view(), name="sdmx-structure"),
    path("api/v1/sdmx/data/", sdmx.DataView.as_view(), name="sdmx-data"),
    path("reports/", include("reporting.urls")),
    path("rounds/", include("cycle.urls")),
    path("overview/", include("overview.urls")),
    # The public open-data site: released figures for everyone, no sign-in (opendata/).
    path("public/", include("opendata.urls")),
    # Items a country asked to keep off it, and reviewers' decisions (workspace, signed in).
    path("withholdings/", include("opendata.workspace_urls")),
    path("sitemap.xml", sitemap, {"sitemaps": {"public": PublicSitemap}}, name="sitemap"),
    path("robots.txt", robots, name="robots"),
    path("api/schema/", SchemaView.as_view(), name="api-schema"),
    path("api/docs/", DocsView.as_view(), name="api-docs"),
    path("", include("notifications.urls")),
    path("", include("commitments.urls")),
]

# JSON errors under /api/ (for partners' programs), the usual page elsewhere.
handler400 = "commitments.api.exceptions.bad_request"
handler404 = "commitments.api.exceptions.page_not_found"

"""The API's schema and its readable docs: public, since partners read them before they get a token."""

from __future__ import annotations

from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView


class SchemaView(SpectacularAPIView):
    """OpenAPI 3 at /api/schema/ (YAML by default, JSON with ?format=json or Accept: application/json)."""

    authentication_classes = []  # public: a stale token in a client must not lock it out of the docs
    throttle_classes = []


class DocsView(SpectacularSwaggerSplitView):
    """Swagger UI at /api/docs/: the page and its start script are separate files, so the strict CSP holds."""

    template_name = "api/docs.html"
    url_name = "api-schema"
    authentication_classes = []
    throttle_classes = []

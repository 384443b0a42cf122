"""Settings for Alliance Monitor: one module, configured by environment variables.

With no environment at all it runs on SQLite with background jobs in threads (the README's first
command). Production sets DEBUG=false, SECRET_KEY, DATABASE_URL and REDIS_URL (see README: Configuration).
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

from alliance_monitor.logs import logging_config

BASE_DIR = Path(__file__).resolve().parent.parent


def env(name: str, default: str | None = None) -> str | None:
    """Read NAME from the environment, or the contents of the file named by NAME_FILE (Docker secrets)."""
    file_path = os.environ.get(f"{name}_FILE")
    if file_path:
        return Path(file_path).read_text().strip()
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    value = env(name)
    if value is None or value == "":
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}")


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in (env(name, default) or "").split(",") if item.strip()]


DEBUG = env_bool("DEBUG", True)

SECRET_KEY = env("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off (or SECRET_KEY_FILE).")
    SECRET_KEY = "insecure-development-key-do-not-use-in-production"  # noqa: S105

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.sitemaps",  # the public site's sitemap.xml (opendata/sitemaps.py)
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI files for /api/docs/
    "simple_history",
    "axes",  # failed sign-ins: throttling and lock-out
    "django_otp",  # two-factor sign-in
    "django_otp.plugins.otp_totp",
    "commitments",
    "reporting",
    "webhooks",
    "sync",
    "notifications",  # email: returned items, digests, reminders (notifications/)
    "cycle",  # the evaluation round's life, the ministerial meeting and its decisions
    "overview",  # the ministers' view (read-only pages)
    "opendata",  # the public open-data site under /public/: released figures, no sign-in
    "accounts",  # invitations: a one-time link to set a password
    "focal",  # country focal points: the government's self-report and right of reply
    "audit",  # the sealed audit trail; last: it gives history to models of the apps above
]

MIDDLEWARE = [
    "alliance_monitor.logs.RequestIdMiddleware",  # first: every log line of a request carries its id
    "alliance_monitor.metrics.MetricsMiddleware",  # requests and latencies by route (Prometheus)
    # Partners' repeated GETs answered from Redis in one call, before the rest (commitments/api/fastpath.py).
    "commitments.api.fastpath.PartnerFastPathMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "commitments.api.exceptions.ApiErrorsAsJsonMiddleware",  # JSON errors under /api/, whatever DEBUG says
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "alliance_monitor.limits.RequestSizeLimitMiddleware",  # 413 for bodies over DATA_UPLOAD_MAX_MEMORY_SIZE
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "alliance_monitor.auth.TwoFactorMiddleware",  # the code step after the password
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "axes.middleware.AxesMiddleware",  # last, as django-axes requires: turns a lock-out into its page
]

ROOT_URLCONF = "alliance_monitor.urls"
WSGI_APPLICATION = "alliance_monitor.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# --- Database: SQLite by default so a checkout just runs; PostgreSQL through DATABASE_URL. ---
DATABASES = {
    "default": dj_database_url.parse(
        env("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(env("DATABASE_CONN_MAX_AGE", "60") or 60),
        conn_health_checks=True,  # a restarted PostgreSQL is reconnected to, not fatal
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The thread that runs background jobs writes while a request may be writing too.
    DATABASES["default"].setdefault("OPTIONS", {}).update({"timeout": 20, "transaction_mode": "IMMEDIATE"})
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis and Celery. Without REDIS_URL, jobs run in a background thread of the web process. ---
REDIS_URL = env("REDIS_URL", "")
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_TASK_ALWAYS_EAGER = False
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 600
CELERY_TASK_SOFT_TIME_LIMIT = 540
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_TRANSPORT_OPTIONS = {
    # A message unacknowledged for this long (its worker died) is delivered again.
    "visibility_timeout": int(env("CELERY_VISIBILITY_TIMEOUT", "900") or 900),
    # Fail fast when Redis is down, so a web request is never stuck waiting for it.
    "max_retries": 1,
    "socket_connect_timeout": 2,
    "socket_timeout": 5,
}
# Report leases (reporting/leases.py): a claim lives REPORT_LEASE_SECONDS without a heartbeat; workers
# renew it every REPORT_HEARTBEAT_SECONDS; the sweep (beat, worker start, or the web process's thread
# without Redis) runs every REPORT_SWEEP_SECONDS and hands over lapsed claims and requests that waited
# REPORT_REQUEUE_AFTER_SECONDS for a worker.
REPORT_LEASE_SECONDS = float(env("REPORT_LEASE_SECONDS", "30") or 30)
REPORT_HEARTBEAT_SECONDS = float(env("REPORT_HEARTBEAT_SECONDS", "5") or 5)
REPORT_SWEEP_SECONDS = float(env("REPORT_SWEEP_SECONDS", "15") or 15)
REPORT_REQUEUE_AFTER_SECONDS = int(env("REPORT_REQUEUE_AFTER_SECONDS", "60") or 60)
CELERY_BEAT_SCHEDULE = {
    # Email (notifications/tasks.py): each safe to run twice (a key per reminder and digest).
    "notifications-submission-digests": {
        "task": "notifications.tasks.send_submission_digests",
        "schedule": timedelta(hours=float(env("NOTIFICATION_DIGEST_HOURS", "24") or 24)),
    },
    "notifications-deadline-reminders": {
        "task": "notifications.tasks.send_deadline_reminders",
        "schedule": timedelta(hours=6),
    },
    "notifications-overdue-digests": {
        "task": "notifications.tasks.send_overdue_digests",
        "schedule": timedelta(hours=6),
    },
    "sweep-lost-report-requests": {
        "task": "reporting.tasks.sweep_reports",
        "schedule": timedelta(seconds=REPORT_SWEEP_SECONDS),
        "options": {"expires": REPORT_SWEEP_SECONDS},  # no pile of sweeps while no worker runs
    },
}
BACKGROUND_JOBS = "celery" if REDIS_URL else "thread"
# Webhook deliveries have their own queue (a slow partner never holds up reports): workers take
# `-Q celery,webhooks`.
CELERY_TASK_ROUTES = {"webhooks.tasks.*": {"queue": "webhooks"}}
# Evaluation reports: below this share (percent) of approved values or commitment reports for the round,
# a report says on its first page that it has too little data, and publishing it needs a reason.
REPORT_MIN_COMPLETENESS_PERCENT = int(env("REPORT_MIN_COMPLETENESS_PERCENT", "50") or 50)
CELERY_WORKER_HIJACK_ROOT_LOGGER = False  # the worker logs through LOGGING below, like the web processes
# Beat records a heartbeat on every tick (alliance_monitor/health.py), and ticks at least this often.
CELERY_BEAT_SCHEDULER = "alliance_monitor.health.HeartbeatScheduler"
# Workers and beat write a heartbeat this often; readiness calls one older than 3 of these stale.
HEARTBEAT_SECONDS = int(env("HEARTBEAT_SECONDS", "10") or 10)
CELERY_BEAT_MAX_INTERVAL = HEARTBEAT_SECONDS
# After Redis or the broker failed, skip it this long before one call tries again (breaker.py).
BREAKER_RESET_SECONDS = float(env("BREAKER_RESET_SECONDS", "5") or 5)
# Meanwhile the cache lives in each process's memory, this many entries at most (emptied when Redis is back).
CACHE_FALLBACK_ENTRIES = int(env("CACHE_FALLBACK_ENTRIES", "1000") or 1000)
# While an outage lasts, one summary line in the log this often.
OUTAGE_SUMMARY_SECONDS = float(env("OUTAGE_SUMMARY_SECONDS", "60") or 60)

if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {
                # Redis down must not take pages and the API down. The breaker skips Redis for
                # BREAKER_RESET_SECONDS after a failure (the cache then lives in the process's memory), and
                # logs the outage once, then once a minute, then when it ends (breaker.py).
                "CLIENT_CLASS": "alliance_monitor.breaker.BreakerClient",
                "IGNORE_EXCEPTIONS": True,
                "SOCKET_CONNECT_TIMEOUT": 1,
                "SOCKET_TIMEOUT": 1,
            },
        }
    }
    DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = False  # no traceback per call: the breaker logs the outage
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Rendered API list pages are kept this long (commitments/api/cache.py); keyed on the data, never stale.
API_CACHE_SECONDS = int(env("API_CACHE_SECONDS", "300") or 300)
# The partner fast path (commitments/api/fastpath.py): a token's checked entry is kept this long (a change
# made around the models takes effect within it), and the data generation (sync/generation.py) lives
# this long without a write (the bound on staleness should a replacement after a commit be lost).
API_TOKEN_CACHE_SECONDS = int(env("API_TOKEN_CACHE_SECONDS", "60") or 60)
API_GENERATION_SECONDS = int(env("API_GENERATION_SECONDS", "60") or 60)

# --- Authentication ---
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
SESSION_COOKIE_AGE = int(env("SESSION_COOKIE_AGE", str(8 * 3600)) or 8 * 3600)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
AUTHENTICATION_BACKENDS = [
    "alliance_monitor.auth.LockoutBackend",  # refuses locked-out accounts before the password is checked
    "django.contrib.auth.backends.ModelBackend",
]
# Failed sign-ins (django-axes): after AXES_FAILURE_LIMIT failures an account is locked for
# AXES_COOLOFF_MINUTES (or until an administrator deletes its access attempt in the admin). Locked by
# user name (guessing one account's password) and by client address (trying many accounts).
AXES_FAILURE_LIMIT = int(env("AXES_FAILURE_LIMIT", "5") or 5)
AXES_COOLOFF_TIME = timedelta(minutes=int(env("AXES_COOLOFF_MINUTES", "15") or 15))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
# Behind the TLS proxy the client's address is the last one the proxy appended to X-Forwarded-For.
USE_X_FORWARDED_FOR = env_bool("USE_X_FORWARDED_FOR", not DEBUG)
AXES_CLIENT_IP_CALLABLE = "alliance_monitor.auth.client_ip"
AXES_USERNAME_CALLABLE = "alliance_monitor.auth.attempt_username"  # cut to what django-axes stores
# Failures are not wiped by a later success: django-axes would wipe every failure from the same address
# too, so signing in to one's own account would reset the count of the account under attack.
AXES_RESET_ON_SUCCESS = False
AXES_ENABLE_ACCESS_FAILURE_LOG = True
AXES_VERBOSE = False  # no banner on every management command
AXES_LOCKOUT_CALLABLE = "alliance_monitor.auth.lockout_response"
# Two-factor sign-in (TOTP, django-otp): open to everyone; required of reviewers and administrators
# when this is on (default: on in production, off in the demo).
TWO_FACTOR_REQUIRED_FOR_REVIEWERS = env_bool("TWO_FACTOR_REQUIRED_FOR_REVIEWERS", not DEBUG)
OTP_TOTP_ISSUER = "Alliance Monitor"
# Four eyes: approving or returning an item needs a reviewer other than the person who last changed it
# or submitted it. A deployment with a single reviewer may turn it off; each approval's history then
# says that four eyes were off.
FOUR_EYES_REQUIRED = env_bool("FOUR_EYES_REQUIRED", True)

# --- Internationalisation: English and Dutch, timezone-aware. ---
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("nl", _("Dutch"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
FORMAT_MODULE_PATH = ["alliance_monitor.formats"]
TIME_ZONE = env("TIME_ZONE", "Europe/Amsterdam")
USE_I18N = True
USE_TZ = True

# --- Static files and generated reports ---
STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
MEDIA_ROOT = Path(env("MEDIA_ROOT", str(BASE_DIR / "media")))
MEDIA_URL = "media/"  # never served directly: reports are downloaded through a permission-checked view
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# --- REST framework: the partner API (commitments/api/) and the reports API share these defaults. ---
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "commitments.api.authentication.PartnerTokenAuthentication",  # Authorization: Bearer <token>
        "rest_framework.authentication.SessionAuthentication",  # staff in the browser (CSRF on writes)
    ],
    # Partners and ministers read (approved data only, see commitments/api/visibility.py); staff write.
    "DEFAULT_PERMISSION_CLASSES": ["commitments.api.permissions.AllianceAccess"],
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "commitments.api.renderers.CSVRenderer",
    ],
    "DEFAULT_CONTENT_NEGOTIATION_CLASS": "commitments.api.renderers.StrictContentNegotiation",
    "DEFAULT_PAGINATION_CLASS": "commitments.api.pagination.StablePageNumberPagination",
    "DEFAULT_SCHEMA_CLASS": "commitments.api.schema.AutoSchema",
    "DEFAULT_FILTER_BACKENDS": [
        "commitments.api.filters.StrictFilterBackend",  # django-filter; a value it may not take: 400
        "commitments.api.filters.StableOrderingFilter",
    ],
    "DEFAULT_THROTTLE_CLASSES": [
        "commitments.api.throttling.PartnerTokenThrottle",
        "commitments.api.throttling.SessionUserThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "partner": env("API_PARTNER_RATE", "1200/hour"),  # per token
        "user": env("API_USER_RATE", "3600/hour"),  # per signed-in user
    },
    "EXCEPTION_HANDLER": "commitments.api.exceptions.api_exception_handler",
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Alliance Monitor API",
    "DESCRIPTION": (BASE_DIR / "commitments" / "api" / "description.md").read_text(encoding="utf-8"),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",  # served from our static files: the CSP allows 'self' only, no CDN
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "validatorUrl": None, "displayRequestDuration": True},
    "ENUM_NAME_OVERRIDES": {
        "ReviewStatusEnum": "commitments.models.Status",
        "PeriodKindEnum": "commitments.models.ReportingPeriod.Kind",
        "ReportKindEnum": "reporting.models.Report.Kind",  # two "kind" fields: each enum named for its model
    },
}

# --- Security: strict by default, relaxed only where DEBUG needs it. ---
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
}
if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = int(env("SECURE_HSTS_SECONDS", "31536000") or 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FIELDS = 2000
# Spreadsheet uploads (commitments/spreadsheet.py): the largest file, and the most its zip may unpack to.
SPREADSHEET_MAX_BYTES = int(env("SPREADSHEET_MAX_BYTES", str(20 * 1024 * 1024)) or 20 * 1024 * 1024)
SPREADSHEET_MAX_UNPACKED_BYTES = int(env("SPREADSHEET_MAX_UNPACKED_BYTES", str(100 * 1024 * 1024)) or 0)
SPREADSHEET_UPLOAD_PATHS = ("/spreadsheets/upload/", "/api/v1/imports/")

# --- Webhooks (webhooks/services.py): retries double from the base, bounded; an endpoint failing this
# many attempts in a row is switched off and the administrators are emailed. Private, loopback and
# link-local addresses are refused unless allowed (the tests' receiver runs on 127.0.0.1).
WEBHOOK_MAX_ATTEMPTS = int(env("WEBHOOK_MAX_ATTEMPTS", "6") or 6)
WEBHOOK_RETRY_BASE_SECONDS = float(env("WEBHOOK_RETRY_BASE_SECONDS", "30") or 30)
# Below CELERY_VISIBILITY_TIMEOUT, so that Redis never hands a waiting retry out twice.
WEBHOOK_RETRY_MAX_SECONDS = float(env("WEBHOOK_RETRY_MAX_SECONDS", "600") or 600)
WEBHOOK_DISABLE_AFTER = int(env("WEBHOOK_DISABLE_AFTER", "20") or 20)
WEBHOOK_TIMEOUT_SECONDS = float(env("WEBHOOK_TIMEOUT_SECONDS", "10") or 10)
WEBHOOK_SECRET_OVERLAP_HOURS = int(env("WEBHOOK_SECRET_OVERLAP_HOURS", "24") or 24)
WEBHOOK_ALLOW_PRIVATE_ADDRESSES = env_bool("WEBHOOK_ALLOW_PRIVATE_ADDRESSES", False)

# --- Email (notices to administrators): SMTP from the environment (localhost:25 in production when
# EMAIL_HOST is unset); printed to the console in development without EMAIL_HOST.
EMAIL_HOST = env("EMAIL_HOST", "")
MAILERS = {
    "default": {
        "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "OPTIONS": {
            "host": EMAIL_HOST or "localhost",
            "port": int(env("EMAIL_PORT", "25") or 25),
            "username": env("EMAIL_HOST_USER", ""),
            "password": env("EMAIL_HOST_PASSWORD", ""),
            "use_tls": env_bool("EMAIL_USE_TLS", False),
            "timeout": 10,
        },
    }
    if EMAIL_HOST or not DEBUG
    else {"BACKEND": "django.core.mail.backends.console.EmailBackend"}
}
del EMAIL_HOST  # MAILERS holds it; the old EMAIL_* settings are deprecated in Django 6.1
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "Alliance Monitor <noreply@localhost>")
# The address emails link to (unsubscribe, the pages they name), as people reach the site.
SITE_URL = env("SITE_URL", "http://127.0.0.1:8000")
# Deadline reminders go out this many days before each open period's deadline.
NOTIFICATION_REMINDER_DAYS = [int(day) for day in env_list("NOTIFICATION_REMINDER_DAYS", "14,3")]
# A password-reset link works this long (and once).
PASSWORD_RESET_TIMEOUT = int(env("PASSWORD_RESET_TIMEOUT", str(3 * 24 * 3600)) or 3 * 24 * 3600)

# --- Application ---
# Invitations (accounts/): how long an invitation's one-time link to set a password works.
INVITATION_MAX_AGE_HOURS = int(env("INVITATION_MAX_AGE_HOURS", "72") or 72)
# Focal points' right of reply (focal/): without dates of its own, a round's window opens when its
# reports are drafted and closes this many days before the ministerial meeting.
FOCAL_REPLY_CLOSES_DAYS_BEFORE_MEETING = int(env("FOCAL_REPLY_CLOSES_DAYS_BEFORE_MEETING", "14") or 14)
DEMO_PASSWORD = env("DEMO_PASSWORD", "")
SITE_NAME = "Alliance Monitor"

# --- Operations: logs, health, metrics (README: Operations) ---
# Every line: UTC time, level, logger, request id (or Celery task id). LOG_FORMAT=json: a JSON object a line.
LOGGING = logging_config(
    log_format=(env("LOG_FORMAT", "text") or "text").lower(), level=env("LOG_LEVEL", "INFO") or "INFO"
)
# /readyz answers 503 when one of these checks fails (database, redis, broker, workers, beat, reports).
READY_REQUIRES = env_list("READY_REQUIRES", "database,redis,broker,workers,beat")
# A report queued longer than this makes the "reports" check fail.
READY_REPORT_WAIT_SECONDS = int(env("READY_REPORT_WAIT_SECONDS", "300") or 300)
# /metrics (Prometheus text format): for administrators (Administrator role), for a scraper sending
# "Authorization: Bearer <METRICS_TOKEN>", and for the addresses in METRICS_ALLOWED_IPS.
METRICS_TOKEN = env("METRICS_TOKEN", "") or ""
METRICS_ALLOWED_IPS = env_list("METRICS_ALLOWED_IPS")

# Tests that restore the database after a flush (serialized_rollback) restore the history rows; the
# database seals them again as they come back, so the audit records themselves are not copied.
TEST_NON_SERIALIZED_APPS = ["audit"]

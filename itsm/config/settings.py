"""Django settings, read from the environment (see ``.env.example``).

Nothing here reads a value into a module constant elsewhere; apps read ``django.conf.settings``
at call time. A missing or malformed required value stops start-up with a one-line message.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

from django.utils.translation import gettext_lazy as _

from itsm.config.env import (
    env_bool,
    env_database,
    env_int,
    env_list,
    env_str,
    load_dotenv,
)

PACKAGE_DIR = Path(__file__).resolve().parent.parent
REPO_DIR = PACKAGE_DIR.parent
load_dotenv(Path(env_str("ITSM_ENV_FILE", str(REPO_DIR / ".env"))))

DATA_DIR = Path(env_str("ITSM_DATA_DIR", str(REPO_DIR / "var"))).resolve()

SECRET_KEY = env_str("SECRET_KEY", required=True)
DEBUG = env_bool("ITSM_DEBUG", False)
ALLOWED_HOSTS = env_list("ITSM_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("ITSM_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "knox",
    "axes",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_filters",
    "django_htmx",
    "simple_history",
    "itsm.core",
    "itsm.core.calendars",
    "itsm.core.outbox",
    "itsm.cmdb",
    "itsm.catalog",
    "itsm.slm",
    "itsm.slm.clocks",
    "itsm.slm.reporting",
    "itsm.desk",
    "itsm.desk.mail",
    "itsm.desk.reporting",
    "itsm.desk.imports",
    "itsm.knowledge",
    "itsm.problems",
    "itsm.change",
    "itsm.releases",
    "itsm.events",
    "itsm.availability",
    "itsm.capacity",
    "itsm.improvement",
    "itsm.objectives",
    "itsm.kpi",
    "itsm.ui",
]
# Test-only apps (e.g. ``itsm.core.testing.sample``, which exercises the core mechanisms):
# the pytest environment names them in ITSM_TEST_APPS; a normal start-up installs none.
INSTALLED_APPS += env_list("ITSM_TEST_APPS", [])

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Content-Security-Policy on every answer (the policy: CONTENT_SECURITY_POLICY below;
    # django-csp's middleware, the settings' header built once: core/middleware.py)
    "itsm.core.middleware.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "itsm.core.middleware.UserLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "itsm.core.middleware.UserTimeZoneMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # last: turns a lockout flagged during authentication into the lockout page (429)
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "itsm.config.urls"
WSGI_APPLICATION = "itsm.config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "itsm.ui.context_processors.navigation",
            ],
        },
    },
]

# --- database -------------------------------------------------------------------------------
DATABASES = {"default": env_database("DATABASE_URL", f"sqlite:///{DATA_DIR / 'itsm.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        # IMMEDIATE: a writing transaction takes the write lock at BEGIN, so read-then-write
        # sequences (numbering, versions, leases) cannot interleave; WAL lets readers go on.
        "transaction_mode": "IMMEDIATE",
        "timeout": 30,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;",
    }
    db_name = DATABASES["default"].get("NAME") or ""
    if db_name and db_name != ":memory:":
        Path(db_name).parent.mkdir(parents=True, exist_ok=True)
    # The test database is a file, not Django's shared in-memory one, so that tests can use
    # several connections at once (threads, subprocesses). The pytest environment sets a path
    # unique to the test run (itsm/core/testing/pytest_env.py).
    if env_str("ITSM_TEST_SQLITE_NAME"):
        DATABASES["default"]["TEST"] = {"NAME": env_str("ITSM_TEST_SQLITE_NAME")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # No JIT compilation: its cost model switches it on for the recursive CTEs (impact
    # analysis, change conflicts) and the reports' correlated subqueries on large tables,
    # spending 50-150 ms compiling statements that run in a few (an OLTP application's
    # statements never gain from it). A URL's own ``options`` come first.
    options = DATABASES["default"].setdefault("OPTIONS", {})
    options["options"] = f"{options.get('options', '')} -c jit=off".strip()
    # Parameters sent apart from the statement (server-side binding) instead of quoted into
    # its text by psycopg in Python (Django's default): that quoting was 4 % of the
    # instructions of a ticket's create through the API. The statements the code marks are
    # prepared (core/prepared.py: the lean writes and look-ups by key; psycopg's threshold is
    # out of reach for the others). ITSM_PG_PREPARE=0 prepares none, for a connection pooler
    # that cannot keep prepared statements (PgBouncer in transaction mode before 1.21).
    options["server_side_binding"] = True
    if env_bool("ITSM_PG_PREPARE", True):
        options.setdefault("prepare_threshold", 2**62)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "core.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    # not a rule: Django calls its password_changed() whenever a password is saved (any path:
    # our forms and API, the admin, the password change page), and it revokes the API tokens
    {"NAME": "itsm.core.tokens.RevokeTokensOnPasswordChange"},
]
# django-axes first: it refuses a locked account or address before any password is checked;
# then Django's ModelBackend, whose get_user reads user, organisation and roles in one statement
# (itsm.core.sessions; sessions signed in under django.contrib.auth.backends.ModelBackend
# sign in again once)
AUTHENTICATION_BACKENDS = [
    "itsm.core.auth.LoginProtectionBackend",
    "itsm.core.sessions.SessionUserBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "ui:dashboard"
LOGOUT_REDIRECT_URL = "login"

# --- i18n -----------------------------------------------------------------------------------
LANGUAGE_CODE = env_str("ITSM_LANGUAGE", "zh-hans")
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = env_str("ITSM_TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

# One date/time format per language (itsm/config/formats/<language>/formats.py); templates use
# named formats ("DATETIME_FORMAT", "SHORT_DATE_FORMAT"), Python code itsm.core.formatting.
FORMAT_MODULE_PATH = ["itsm.config.formats"]
# --- static and uploads ---------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # WhiteNoise expects it even before collectstatic
MEDIA_URL = "/media/"
MEDIA_ROOT = DATA_DIR / "media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = env_bool("ITSM_STATIC_FINDERS", True)

# --- security -------------------------------------------------------------------------------
# the database store, read with one plain statement (itsm.core.sessions)
SESSION_ENGINE = "itsm.core.sessions"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("ITSM_SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# Content-Security-Policy (django-csp; why each rule: docs/architecture.md, "Security headers").
# Scripts only from our own static files (no inline script, no eval); styles from our files,
# plus style *attributes* (Tabler markup, ECharts tooltips, Tom Select) but no inline <style>.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "style-src-elem": ["'self'"],
        "style-src-attr": ["'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
}

# Login protection (django-axes, itsm/core/auth.py): after this many failed sign-ins an
# account, and separately an address, is locked for the cool-off period; a success resets.
AXES_ENABLED = env_bool("ITSM_LOGIN_PROTECTION", True)
AXES_FAILURE_LIMIT = env_int("ITSM_LOGIN_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("ITSM_LOGIN_LOCKOUT_MINUTES", 15, minimum=1))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]  # each counted on its own
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "itsm.core.auth.lockout_response"
AXES_HTTP_RESPONSE_CODE = 429
AXES_VERBOSE = False
# The client address is REMOTE_ADDR unless the deployment says how many proxies it trusts in
# front of the application (then the X-Forwarded-For entry they added is used).
AXES_IPWARE_PROXY_COUNT = env_int("ITSM_TRUSTED_PROXY_COUNT", 0, minimum=0) or None
AXES_IPWARE_META_PRECEDENCE_ORDER = (
    ("HTTP_X_FORWARDED_FOR", "REMOTE_ADDR") if AXES_IPWARE_PROXY_COUNT else ("REMOTE_ADDR",)
)

# --- mail -----------------------------------------------------------------------------------
EMAIL_BACKEND = env_str("ITSM_EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = env_str("ITSM_EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("ITSM_EMAIL_PORT", 25, minimum=1)
EMAIL_HOST_USER = env_str("ITSM_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = env_str("ITSM_EMAIL_PASSWORD", "")
EMAIL_USE_TLS = env_bool("ITSM_EMAIL_TLS", False)
EMAIL_TIMEOUT = env_int("ITSM_EMAIL_TIMEOUT", 20, minimum=1)
DEFAULT_FROM_EMAIL = env_str("ITSM_EMAIL_FROM", "itsm@localhost")

# --- API ------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "itsm.core.api.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["itsm.core.api.permissions.PolicyPermission"],
    # depth-limited JSON that refuses lone surrogates (itsm/core/jsoninput.py): never a 500
    "DEFAULT_PARSER_CLASSES": [
        "itsm.core.api.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_PAGINATION_CLASS": "itsm.core.api.pagination.KeysetPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "itsm.core.api.errors.exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
# Named API tokens (django-rest-knox, itsm/core/tokens.py): stored as SHA-512 digests, shown
# once, each with an expiry of at most ITSM_API_TOKEN_MAX_DAYS days.
KNOX_TOKEN_MODEL = "core.ApiToken"
# knox's own migrations create its (swapped-out) knox_authtoken table anyway, with a foreign key
# to core_user that PostgreSQL's TRUNCATE (test flushes) refuses; without them the swapped
# model gets no table.
MIGRATION_MODULES = {"knox": None}
REST_KNOX = {
    "AUTH_HEADER_PREFIX": "Token",
    "TOKEN_PREFIX": "itsm_",
    "TOKEN_TTL": timedelta(days=30),
    "AUTO_REFRESH": False,
}
ITSM_API_TOKEN_MAX_DAYS = env_int("ITSM_API_TOKEN_MAX_DAYS", 365, minimum=1)
# Imports (CMDB, audit snapshots, calendar CSV): the shared upload guard (itsm/core/uploads.py)
ITSM_UPLOAD_MAX_BYTES = env_int("ITSM_UPLOAD_MAX_BYTES", 5 * 1024 * 1024, minimum=1024)
# the largest e-mail the desk mailboxes accept (a larger one gets a rejection reply)
ITSM_MAIL_MAX_BYTES = env_int("ITSM_MAIL_MAX_BYTES", 25 * 1024 * 1024, minimum=1024)
ITSM_UPLOAD_MAX_ROWS = env_int("ITSM_UPLOAD_MAX_ROWS", 20_000, minimum=1)
ITSM_UPLOAD_MAX_ERRORS = env_int("ITSM_UPLOAD_MAX_ERRORS", 100, minimum=1)
# Rows a list export (CSV/Excel, core.lists) may hold; more are refused (narrow the filter).
ITSM_LIST_EXPORT_MAX_ROWS = env_int("ITSM_LIST_EXPORT_MAX_ROWS", 10_000, minimum=1)
# Rows a list page (and the API with ?count=true) counts at most: more show as "more than N".
ITSM_LIST_COUNT_LIMIT = env_int("ITSM_LIST_COUNT_LIMIT", 10_000, minimum=1)
# Milliseconds a thread trusts its last reading of the configuration stamps (core.stamps):
# another process's change to the priority matrix, dispatch rules, agreements … is seen
# within this time. 0 reads them at every use (the tests).
ITSM_STAMP_TTL = env_int("ITSM_STAMP_TTL_MS", 1_000, minimum=0) / 1000
SPECTACULAR_SETTINGS: dict[str, Any] = {
    "TITLE": "ITSM API",
    "DESCRIPTION": "REST API of the IT service management platform.",
    "VERSION": "0.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
}

# --- worker, outbox, notifications ----------------------------------------------------------
ITSM_EMBEDDED_WORKER = env_bool(
    "ITSM_EMBEDDED_WORKER", DATABASES["default"]["ENGINE"].endswith("sqlite3")
)
ITSM_WORKER_TICK_SECONDS = env_int("ITSM_WORKER_TICK_SECONDS", 5, minimum=1)
ITSM_OUTBOX_MAX_ATTEMPTS = env_int("ITSM_OUTBOX_MAX_ATTEMPTS", 8, minimum=1)
ITSM_OUTBOX_LEASE_SECONDS = env_int("ITSM_OUTBOX_LEASE_SECONDS", 60, minimum=5)
ITSM_OUTBOX_BATCH_SIZE = env_int("ITSM_OUTBOX_BATCH_SIZE", 20, minimum=1)
ITSM_OUTBOX_HTTP_TIMEOUT_SECONDS = env_int("ITSM_OUTBOX_HTTP_TIMEOUT_SECONDS", 10, minimum=1)
# Sent outbox rows and job-run rows older than this many days are purged by the worker.
ITSM_OUTBOX_RETENTION_DAYS = env_int("ITSM_OUTBOX_RETENTION_DAYS", 30, minimum=1)
ITSM_JOB_RETENTION_DAYS = env_int("ITSM_JOB_RETENTION_DAYS", 90, minimum=1)
# The leader lock (periodic jobs) expires this long after its last renewal.
ITSM_WORKER_LEADER_SECONDS = env_int("ITSM_WORKER_LEADER_SECONDS", 60, minimum=5)
# Webhook targets on loopback, link-local or private ranges are refused (SSRF) unless their
# host name or network (CIDR) is listed here.
ITSM_WEBHOOK_ALLOWLIST = env_list("ITSM_WEBHOOK_ALLOWLIST", [])
ITSM_BASE_URL = env_str("ITSM_BASE_URL", "http://127.0.0.1:8000")
# the service desk closes a resolved ticket the customer neither confirmed nor rejected
ITSM_DESK_AUTO_CLOSE_DAYS = env_int("ITSM_DESK_AUTO_CLOSE_DAYS", 7, minimum=1)
# how many tickets `itsm demo` logs over the past year (the test suite loads a handful)
ITSM_DEMO_TICKETS = env_int("ITSM_DEMO_TICKETS", 2000, minimum=0)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("ITSM_LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

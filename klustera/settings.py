"""Klustera settings: one module, configured by environment variables only.

Every variable is documented in ``.env.example`` and the README. With none set,
Klustera runs in its embedded default: SQLite files under ``var/``, a
SQLite-backed task queue, local media and console notifications.
"""

from __future__ import annotations

import base64
import logging
import os
import secrets
from importlib.util import find_spec
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

from klustera.objectstore import s3_options
from klustera.observability.logs import configure as configure_logging
from klustera.observability.sentry import start as start_sentry
from klustera.tenancy.databases import config_from_url

BASE_DIR = Path(__file__).resolve().parent.parent


def env(name: str, default: str = "") -> str:
    return os.environ.get(name, default).strip()


def env_bool(name: str, default: bool = False) -> bool:
    value = env(name)
    if not value:
        return default
    return value.lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = env(name)
    try:
        return int(value) if value else default
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be a whole number, got {value!r}") from exc


KLUSTERA_ENV = env("KLUSTERA_ENV", "development")
if KLUSTERA_ENV not in {"development", "production"}:
    raise ImproperlyConfigured("KLUSTERA_ENV must be 'development' or 'production'")
PRODUCTION = KLUSTERA_ENV == "production"

VAR_DIR = Path(env("KLUSTERA_VAR_DIR") or BASE_DIR / "var").resolve()
VAR_DIR.mkdir(parents=True, exist_ok=True)


def _secret_key() -> str:
    key = env("SECRET_KEY")
    if key:
        return key
    if PRODUCTION:
        raise ImproperlyConfigured("SECRET_KEY is required when KLUSTERA_ENV=production")
    # Embedded default: generated once, kept in var/ so sessions survive restarts.
    path = VAR_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _secret_key()


def _encryption_keys() -> list[bytes]:
    """Master keys for field encryption: base64, 32 bytes each; the first encrypts."""
    raw = env("ENCRYPTION_KEYS")
    if not raw:
        if PRODUCTION:
            raise ImproperlyConfigured("ENCRYPTION_KEYS is required when KLUSTERA_ENV=production")
        path = VAR_DIR / "encryption_key"
        if not path.exists():
            path.write_text(base64.urlsafe_b64encode(secrets.token_bytes(32)).decode())
            path.chmod(0o600)
        raw = path.read_text().strip()
    keys = [base64.urlsafe_b64decode(item.strip()) for item in raw.split(",") if item.strip()]
    if any(len(key) != 32 for key in keys):
        raise ImproperlyConfigured("Each ENCRYPTION_KEYS entry must be 32 bytes, base64-encoded")
    return keys


ENCRYPTION_KEYS = _encryption_keys()
DEBUG = env_bool("DEBUG")
if DEBUG and PRODUCTION:  # tracebacks with settings and data, to anyone who asks
    raise ImproperlyConfigured("DEBUG=1 is refused with KLUSTERA_ENV=production")

# Tenants arrive on custom domains that are only known at run time; the tenant
# middleware refuses every host that is neither a platform host nor a tenant's.
ALLOWED_HOSTS = [h for h in env("ALLOWED_HOSTS", "*").split(",") if h]
BASE_DOMAIN = env("BASE_DOMAIN", "localhost").lower()
PLATFORM_HOSTS = {
    h.strip().lower()
    for h in env("PLATFORM_HOSTS", f"{BASE_DOMAIN},localhost,127.0.0.1,testserver").split(",")
    if h.strip()
}

# Public address of a complex without a custom domain (links in messages).
TENANT_URL_TEMPLATE = env(
    "TENANT_URL_TEMPLATE",
    "https://{slug}.{base_domain}" if PRODUCTION else "http://localhost:8000/c/{slug}",
)

# --- Databases ---------------------------------------------------------------
DATABASE_URL = env("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'platform.sqlite3'}"
DATABASES = {"default": config_from_url(DATABASE_URL, conn_max_age=env_int("CONN_MAX_AGE", 60))}


def _default_tenant_database_url() -> str:
    if DATABASE_URL.startswith("sqlite"):
        return f"sqlite:///{VAR_DIR / 'tenants' / '{slug}.sqlite3'}"
    # Same server as the platform database, one database per tenant.
    server, _, _ = DATABASE_URL.partition("?")
    return server.rsplit("/", 1)[0] + "/klustera_tenant_{id}"


def _named_urls(variable: str) -> dict[str, str]:
    """``name=url-template`` pairs, comma separated."""
    named = {}
    for item in env(variable).split(","):
        if not item.strip():
            continue
        name, sep, url = item.partition("=")
        if not sep or not name.strip() or not url.strip():
            raise ImproperlyConfigured(f"{variable} takes name=url pairs separated by commas")
        named[name.strip()] = url.strip()
    return named


# Named tenant database clusters; "default" is TENANT_DATABASE_URL.
TENANT_DATABASE_CLUSTERS = {
    "default": env("TENANT_DATABASE_URL") or _default_tenant_database_url(),
    **_named_urls("TENANT_DATABASE_CLUSTERS"),
}
# A streaming read replica per cluster (``cluster=url-template``): reports, dashboards and
# exports read from it while it is at most REPLICA_MAX_LAG_SECONDS behind; each process
# checks that at most every REPLICA_CHECK_SECONDS.
TENANT_DATABASE_REPLICAS = _named_urls("TENANT_DATABASE_REPLICAS")
if set(TENANT_DATABASE_REPLICAS) - set(TENANT_DATABASE_CLUSTERS):
    raise ImproperlyConfigured("TENANT_DATABASE_REPLICAS names a cluster that is not configured")
REPLICA_MAX_LAG_SECONDS = env_int("REPLICA_MAX_LAG_SECONDS", 30)
REPLICA_CHECK_SECONDS = env_int("REPLICA_CHECK_SECONDS", 5)
# How many tenant connections one thread keeps open; the least recently used
# beyond this bound are closed.
TENANT_CONNECTIONS_MAX = env_int("TENANT_CONNECTIONS_MAX", 8)
TENANT_CONN_MAX_AGE = env_int("TENANT_CONN_MAX_AGE", 300)
# Seconds a process remembers which tenant a host or slug names (0: ask every time).
TENANT_CACHE_SECONDS = env_int("TENANT_CACHE_SECONDS", 5)

DATABASE_ROUTERS = ["klustera.tenancy.router.TenantRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Apps whose tables live only in the platform database.
PLATFORM_APPS = {"tenancy", "observability", "platform", "backups"}
# Models of tenant apps whose table lives in the platform database alone (app_label.model).
PLATFORM_MODELS = {"audit.securityevent", "privacy.breach"}
# Apps whose tables exist in the platform database and in every tenant
# database (platform staff and tenant users share one user model).
SHARED_APPS = {"auth", "contenttypes", "sessions", "accounts"}

# --- Redis, cache, queues ----------------------------------------------------
REDIS_URL = env("REDIS_URL")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "klustera.redis_cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_FUNCTION": "klustera.tenancy.cache.tenant_cache_key",
        }
    }
else:
    CACHES = {
        "default": {
            # Shared by every process of `make run`, unlike a per-process memory cache.
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
            "KEY_FUNCTION": "klustera.tenancy.cache.tenant_cache_key",
        }
    }

QUEUE_DATABASE = Path(env("QUEUE_DATABASE") or VAR_DIR / "queues.sqlite3")
# Run tasks inline instead of through the worker (unit tests).
TASKS_IMMEDIATE = env_bool("TASKS_IMMEDIATE")
WORKER_THREADS = env_int("WORKER_THREADS", 2)
# After SIGTERM, how long running tasks may take to finish before the worker exits anyway.
WORKER_STOP_SECONDS = env_int("WORKER_STOP_SECONDS", 30)

# --- Application -------------------------------------------------------------
INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "django_structlog",
    "klustera.tenancy",
    "klustera.accounts",
    "klustera.estate",
    "klustera.notifications",
    "klustera.audit",
    "klustera.privacy",
    "klustera.billing",
    "klustera.payments",
    "klustera.access",
    "klustera.community",
    "klustera.helpdesk",
    "klustera.facilities",
    "klustera.operations",
    "klustera.platform",
    "klustera.backups",
    "klustera.portal",
    "klustera.observability",
    "klustera.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django_structlog.middlewares.RequestMiddleware",  # the request id, then one line a request
    "klustera.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "klustera.tenancy.middleware.TenantMiddleware",
    "klustera.throttling.ApiRateLimitMiddleware",
    "klustera.tenancy.sessions.TenantSessionMiddleware",  # one session cookie per complex
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "klustera.accounts.middleware.UserLanguageMiddleware",
    "klustera.privacy.origin.RequestOriginMiddleware",  # a consent's proof: address, browser
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",  # request.htmx
]

# django-debug-toolbar, a development dependency, in development only (DEBUG=1 on localhost):
# each page's SQL queries — the complex's and the platform's — templates and timings.
DEBUG_TOOLBAR = DEBUG and env_bool("DEBUG_TOOLBAR", True) and find_spec("debug_toolbar") is not None
if DEBUG_TOOLBAR:
    INSTALLED_APPS.append("debug_toolbar")
    # after the tenant is chosen, so that the complex's database connection is watched too
    MIDDLEWARE.insert(
        MIDDLEWARE.index("klustera.tenancy.middleware.TenantMiddleware") + 1,
        "debug_toolbar.middleware.DebugToolbarMiddleware",
    )
    INTERNAL_IPS = ["127.0.0.1", "::1"]

ROOT_URLCONF = "klustera.urls"
WSGI_APPLICATION = "klustera.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "klustera" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "klustera.tenancy.context_processors.tenant",
                "klustera.portal.navigation.navigation",
            ],
            "libraries": {"money": "klustera.template_filters"},
        },
    },
]

AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

# How many proxies of ours (nginx, a load balancer) stand in front of the app: the
# client's address is read from X-Forwarded-For only that far. 0: REMOTE_ADDR alone.
TRUSTED_PROXIES = env_int("TRUSTED_PROXIES", 0)
# Where those proxies connect from (CIDR, comma separated): X-Forwarded-For is read on their
# requests alone. By default loopback and the private networks a load balancer sits in.
TRUSTED_PROXY_NETWORKS = [
    n.strip()
    for n in env(
        "TRUSTED_PROXY_NETWORKS",
        "127.0.0.0/8,::1/128,10.0.0.0/8,172.16.0.0/12,192.168.0.0/16,fc00::/7",
    ).split(",")
    if n.strip()
]

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "klustera.accounts.authentication.BearerTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["klustera.api.OrjsonRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_PAGINATION_CLASS": "klustera.api.EnvelopePagination",
    "EXCEPTION_HANDLER": "klustera.api.exception_handler",
    "DEFAULT_THROTTLE_CLASSES": ["klustera.throttling.PerUserRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {
        "ip": env("RATE_LIMIT_IP", "100/min"),
        "user": env("RATE_LIMIT_USER", "1000/hour"),
        "public": env("RATE_LIMIT_PUBLIC", "60/min"),
        "phone": env("RATE_LIMIT_PHONE", "5/min"),
        "gate": env("RATE_LIMIT_GATE", "600/min"),
        "api_key": env("RATE_LIMIT_API_KEY", "600/min"),
    },
    "DEFAULT_SCHEMA_CLASS": "klustera.openapi.FilteringSchema",
    # Never trust X-Forwarded-For beyond the proxies we run (klustera.net.client_ip).
    "NUM_PROXIES": TRUSTED_PROXIES,
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
API_TOKEN_TTL_DAYS = env_int("API_TOKEN_TTL_DAYS", 30)
# Seconds a device token's user and roles stay cached (accounts.token_cache; 0: never cached).
TOKEN_CACHE_SECONDS = env_int("TOKEN_CACHE_SECONDS", 300)
SPECTACULAR_SETTINGS = {
    "TITLE": "Klustera API",
    "DESCRIPTION": (
        "The v1 API of a Klustera complex. Call it on the complex's host, under "
        "`/c/<slug>/`, or on the shared API host with a bearer token (which names its complex) "
        "or the `X-Tenant` header. Every answer uses the envelope "
        "`{success, data, message, meta}`; errors are `{success: false, error: {code, message, "
        "details}}`."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "klustera.openapi.wrap_in_envelope",
        "klustera.openapi.describe_limits",
    ],
    "ENUM_NAME_OVERRIDES": {"ChannelEnum": "klustera.notifications.models.Channel"},
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# --- Payments ----------------------------------------------------------------
# Xendit's API, or in development the local simulator that `make run` starts
# (`klustera xendit-sim`). Keys are per complex, stored encrypted.
XENDIT_API_URL = env(
    "XENDIT_API_URL", "https://api.xendit.co" if PRODUCTION else "http://127.0.0.1:8010"
)

# --- Notifications -----------------------------------------------------------
WHATSAPP_GRAPH_URL = env("WHATSAPP_GRAPH_URL", "https://graph.facebook.com/v21.0")
FONNTE_URL = env("FONNTE_URL", "https://api.fonnte.com")
TWILIO_URL = env("TWILIO_URL", "https://api.twilio.com")
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "Klustera <noreply@localhost>")
if env("EMAIL_HOST"):
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = env("EMAIL_HOST")
    EMAIL_PORT = env_int("EMAIL_PORT", 587)
    EMAIL_HOST_USER = env("EMAIL_HOST_USER")
    EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
    EMAIL_TIMEOUT = 15
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"


def _vapid_private_key() -> str:
    """Web Push signing key (base64url raw P-256); generated for the embedded default."""
    key = env("VAPID_PRIVATE_KEY")
    if key or PRODUCTION:
        return key  # empty in production: push is off until configured
    path = VAR_DIR / "vapid_private_key"
    if not path.exists():
        from cryptography.hazmat.primitives.asymmetric import ec

        number = ec.generate_private_key(ec.SECP256R1()).private_numbers().private_value
        path.write_text(base64.urlsafe_b64encode(number.to_bytes(32, "big")).decode().rstrip("="))
        path.chmod(0o600)
    return path.read_text().strip()


VAPID_PRIVATE_KEY = _vapid_private_key()
VAPID_SUBJECT = env("VAPID_SUBJECT", "mailto:admin@localhost")
# Web Push endpoints we post to: the browsers' push services, nothing else.
PUSH_ALLOWED_HOSTS = [
    h
    for h in env(
        "PUSH_ALLOWED_HOSTS",
        "fcm.googleapis.com,updates.push.services.mozilla.com,push.services.mozilla.com,"
        "notify.windows.com,push.apple.com",
    ).split(",")
    if h
]
PUSH_TEST_HOSTS: list[str] = []

# --- Language, time ----------------------------------------------------------
# The platform's plans: Rupiah per unit per month (a complex pays for its units, up to its limit).
PLAN_PRICES = {
    "free": 0,
    "standard": env_int("PLAN_PRICE_STANDARD", 5000),
    "enterprise": env_int("PLAN_PRICE_ENTERPRISE", 4000),
}

LANGUAGE_CODE = "id"
LANGUAGES = [("id", "Bahasa Indonesia"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "klustera" / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = "Asia/Jakarta"

# --- Static and media --------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(env("STATIC_ROOT") or VAR_DIR / "static")  # the image bakes it elsewhere
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STATICFILES_DIRS = [BASE_DIR / "klustera" / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = VAR_DIR / "media"
# Backups (klustera.backups): where they go, and the age public keys they are encrypted to.
BACKUP_TARGET_URL = env("BACKUP_TARGET_URL") or f"file://{VAR_DIR / 'backups'}"
BACKUP_AGE_RECIPIENTS = [k.strip() for k in env("BACKUP_AGE_RECIPIENTS").split(",") if k.strip()]
BACKUP_UPLOAD_ATTEMPTS = env_int("BACKUP_UPLOAD_ATTEMPTS", 6)  # per request, backing off
BACKUP_KEEP_DAILY = env_int("BACKUP_KEEP_DAILY", 7)
BACKUP_KEEP_WEEKLY = env_int("BACKUP_KEEP_WEEKLY", 4)
BACKUP_KEEP_MONTHLY = env_int("BACKUP_KEEP_MONTHLY", 3)
# "day" (02:00 WIB) or "hour" (a smaller recovery point, more copies to keep).
BACKUP_EVERY = env("BACKUP_EVERY", "day")
if BACKUP_EVERY not in {"day", "hour"}:
    raise ImproperlyConfigured("BACKUP_EVERY must be 'day' or 'hour'")
# The age secret key of the nightly restore drill: backups are encrypted to its public key too
# (add it to BACKUP_AGE_RECIPIENTS); empty: no drill here.
BACKUP_DRILL_IDENTITY_FILE = env("BACKUP_DRILL_IDENTITY_FILE")

# Uploaded and generated files: the local disk (MEDIA_ROOT), or an S3-compatible bucket when
# MEDIA_STORAGE_URL names one (klustera.objectstore) — needed once several app servers run.
MEDIA_STORAGE_URL = env("MEDIA_STORAGE_URL")
STORAGES = {
    "default": {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": s3_options(MEDIA_STORAGE_URL),
    }
    if MEDIA_STORAGE_URL
    else {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = not PRODUCTION
# Off production, look a file up when asked (an edited stylesheet is served at once)
# instead of indexing every static file each time a request handler is built.
WHITENOISE_AUTOREFRESH = not PRODUCTION

# --- Security ----------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = PRODUCTION
CSRF_COOKIE_SECURE = PRODUCTION
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if PRODUCTION:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
# The night patrol's map: a tile server's URL template ("https://tile.openstreetmap.org/
# {z}/{x}/{y}.png", or the operator's own); empty: the page shows its plain plan only.
MAP_TILE_URL = env("MAP_TILE_URL", "")
MAP_TILE_ATTRIBUTION = env("MAP_TILE_ATTRIBUTION", "© OpenStreetMap contributors")
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
# A whole multipart request (a 5 MB photo or import file and its fields), cut off as it streams.
UPLOAD_MAX_BYTES = env_int("UPLOAD_MAX_BYTES", 6 * 1024 * 1024)
FILE_UPLOAD_HANDLERS = [
    "klustera.uploads.CappedUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]

# Logs: JSON lines in production, readable lines in development (LOG_FORMAT=json|console).
LOG_FORMAT = env("LOG_FORMAT") or ("console" if DEBUG else "json")
LOGGING = configure_logging(json=LOG_FORMAT == "json", level=env("LOG_LEVEL", "INFO"))
DJANGO_STRUCTLOG_TRUST_UPSTREAM_REQUEST_ID = True  # nginx sets X-Request-ID (checked sane)
DJANGO_STRUCTLOG_IP_LOGGING_ENABLED = False  # the address as klustera.net trusts it, instead
DJANGO_STRUCTLOG_STATUS_START_LOG_LEVEL = logging.DEBUG  # one line per request: its end

# Errors: Sentry (or GlitchTip) when SENTRY_DSN is set; otherwise a summary of each new 5xx
# error to Slack and/or email, once per window (klustera.observability.errors).
SENTRY_DSN = env("SENTRY_DSN")
if SENTRY_DSN:
    start_sentry(SENTRY_DSN, environment=KLUSTERA_ENV)
ALERT_SLACK_WEBHOOK_URL = env("ALERT_SLACK_WEBHOOK_URL")
ALERT_EMAILS = [a.strip() for a in env("ALERT_EMAILS").split(",") if a.strip()]
ERROR_SUMMARY_WINDOW = env_int("ERROR_SUMMARY_WINDOW", 600)
ERROR_SUMMARIES_PER_WINDOW = env_int("ERROR_SUMMARIES_PER_WINDOW", 20)
# Critical alerts by SMS (`klustera alert-sms`, Alertmanager's webhook): the platform's own
# Twilio account and the operators' numbers.
ALERT_SMS_TO = [n.strip() for n in env("ALERT_SMS_TO").split(",") if n.strip()]
ALERT_TWILIO_ACCOUNT_SID = env("ALERT_TWILIO_ACCOUNT_SID")
ALERT_TWILIO_AUTH_TOKEN = env("ALERT_TWILIO_AUTH_TOKEN")
ALERT_TWILIO_FROM = env("ALERT_TWILIO_FROM")

# Metrics (prometheus-client, multiprocess): every process of the app — each gunicorn worker,
# each task worker — writes its figures into this directory and /metrics adds them up.
# prometheus-client reads the variable when it is first imported, so it is set here.
METRICS_ENABLED = env_bool("METRICS_ENABLED", True)  # off: nothing counted, /metrics is 404
METRICS_DIR = Path(env("PROMETHEUS_MULTIPROC_DIR") or VAR_DIR / "metrics")
os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(METRICS_DIR)
METRICS_DIR.mkdir(parents=True, exist_ok=True)
# /metrics is never public: a scraper shows METRICS_TOKEN as a bearer token, or calls from a
# network on this list (CIDR, comma separated; loopback by default in development only).
METRICS_TOKEN = env("METRICS_TOKEN")
_LOOPBACK = "127.0.0.1/32,::1/128"
METRICS_ALLOWED_NETWORKS = [
    n.strip() for n in env("METRICS_ALLOWED_NETWORKS", "" if PRODUCTION else _LOOPBACK).split(",")
]
METRICS_ALLOWED_NETWORKS = [n for n in METRICS_ALLOWED_NETWORKS if n]

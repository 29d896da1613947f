"""Trama's one settings module.

Everything an installation may change comes from the environment through the strict readers of
`trama.core.env`; there is no separate production module, so what the tests run is what
production runs. README.md lists every variable.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONCE, NONE, SELF

from trama.core.env import derive_development_key, env_bool, env_choice, env_int, env_list, env_optional, env_str

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env_bool("DJANGO_DEBUG", False)
# Only a development server may run with the well-known key; anything else must bring its own.
# Without one, `check` (and so runserver and migrate) stops with trama.E003, and anything that signs
# (sessions, tokens) fails loudly; commands that sign nothing, like makemigrations, still run.
SECRET_KEY = env_str("DJANGO_SECRET_KEY", "dev-only-insecure-key-never-in-production" if DEBUG else "")
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", ["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "simple_history",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "csp",
    "django_htmx",
    "trama.core",
    "trama.accounts",
    "trama.territory",
    "trama.network",
    "trama.people",
    "trama.casework",
    "trama.activities",
    "trama.pacts",
    "trama.mutualaid",
    "trama.training",
    "trama.governance",
    "trama.funding",
    "trama.jobs",
    "trama.work",
    "trama.housing",
    "trama.evaluation",
    "trama.exchange",
    "trama.api",
    "trama.portal",
    "rest_framework",
    "drf_spectacular",
    "django_filters",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "trama.accounts.middleware.SessionLifetimeMiddleware",
    "trama.accounts.middleware.TwoFactorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "trama.core.middleware.NoStoreForAuthenticatedMiddleware",
    # django-axes must stay last: it turns its lockout exception into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "trama.urls"
WSGI_APPLICATION = "trama.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "trama" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "csp.context_processors.nonce",
                "trama.accounts.context_processors.navigation",
            ],
        },
    },
]

# --- Database -----------------------------------------------------------------------------
# SQLite is the embedded default; production sets DATABASE_URL=postgres://…
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=env_int("DJANGO_DB_CONN_MAX_AGE", 60, minimum=0),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # IMMEDIATE transactions take the write lock up front, so two concurrent read-then-write
    # services queue instead of failing with "database is locked" half-way (SQLite has no
    # SELECT … FOR UPDATE); WAL lets readers continue while one writer works.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # PostgreSQL's JIT compiles the plans of big aggregates: on the indicators of a regional
    # dataset it spent 2.1 s compiling a 1.6 s query (bench/indicators.py). Our queries are short
    # and many; compiling never pays off, so it is off for the application's connections.
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c jit=off"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# Django 6 behaviour now: a website typed without a scheme is taken as https.
FORMS_URLFIELD_ASSUME_HTTPS = True

# --- Authentication (S15, S16) -----------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "accounts:home"
LOGOUT_REDIRECT_URL = "portal:index"

# Two-factor authentication is required for the roles that read case data. Switching it off is
# for demonstrations only, and `check --deploy` warns when it is off (trama.accounts.checks).
TRAMA_REQUIRE_2FA = env_bool("TRAMA_REQUIRE_2FA", True)
# Companies of the work plan too: they read the CVs of the candidates proposed to them.
TRAMA_2FA_ROLES = env_list("TRAMA_2FA_ROLES", ["coordinator", "operator", "company"])
OTP_TOTP_ISSUER = env_str("TRAMA_OTP_ISSUER", "Trama")

AXES_FAILURE_LIMIT = env_int("TRAMA_LOGIN_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("TRAMA_LOGIN_COOLOFF_MINUTES", 15, minimum=1))
# Lock the pair (account, address): an attacker cannot lock a colleague out from elsewhere, and a
# whole office behind one address is not locked out by one person's typos.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_USERNAME_FORM_FIELD = "username"
AXES_IPWARE_PROXY_COUNT = env_int("TRAMA_PROXY_COUNT", 0, minimum=0) or None
AXES_IPWARE_META_PRECEDENCE_ORDER = ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"]

# Sessions live in the database: any app server behind the proxy can serve any request.
SESSION_ENGINE = "django.contrib.sessions.backends.db"

# A shared cache (Redis) when several app servers run: rate limits and lockouts then count across
# all of them. Without it each process keeps its own (fine for one server).
TRAMA_CACHE_URL = env_optional("TRAMA_CACHE_URL", "")
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": TRAMA_CACHE_URL, "KEY_PREFIX": "trama"}
        if TRAMA_CACHE_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}
# Background jobs (reports, imports, exports) go to an RQ queue on Redis when this is set, and a
# worker (`manage.py run_jobs`) runs them; empty (the embedded default) runs them in-process.
TRAMA_QUEUE_URL = env_optional("TRAMA_QUEUE_URL", "")
# Figures of the funder's view across programmes are stored and recomputed when a programme's records
# change; this bounds how old a stored figure may be whatever happens (trama/evaluation/figures.py).
# A day: `manage.py refresh_figures` stores them again every night.
TRAMA_STORED_FIGURES_MAX_AGE = env_int("TRAMA_STORED_FIGURES_MAX_AGE", 86400, minimum=0)
# The evaluation dashboard's figures are rendered once and kept this long (seconds; 0 = never kept), or
# until the programme's records change (trama/evaluation/views.py).
TRAMA_DASHBOARD_CACHE_SECONDS = env_int("TRAMA_DASHBOARD_CACHE_SECONDS", 3600, minimum=0)
# A list download longer than this is prepared as a background job (trama/exchange/listexport.py).
TRAMA_EXPORT_INLINE_ROWS = env_int("TRAMA_EXPORT_INLINE_ROWS", 2000, minimum=1)
TRAMA_SESSION_IDLE_MINUTES = env_int("TRAMA_SESSION_IDLE_MINUTES", 30, minimum=1)
TRAMA_SESSION_MAX_HOURS = env_int("TRAMA_SESSION_MAX_HOURS", 10, minimum=1)
SESSION_COOKIE_AGE = TRAMA_SESSION_MAX_HOURS * 3600
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

# --- HTTP security (S17) -----------------------------------------------------------------
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", not DEBUG)
SESSION_COOKIE_SECURE = env_bool("DJANGO_SECURE_COOKIES", not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SESSION_COOKIE_HTTPONLY = True
SECURE_HSTS_SECONDS = env_int("DJANGO_SECURE_HSTS_SECONDS", 0 if DEBUG else 31_536_000, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS", not DEBUG)
SECURE_HSTS_PRELOAD = env_bool("DJANGO_SECURE_HSTS_PRELOAD", not DEBUG)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if env_bool("DJANGO_BEHIND_PROXY", False):
    # Only behind a proxy that overwrites this header (deploy/nginx.conf does).
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# --- Confidential notes (S6) ----------------------------------------------------------------
# Fernet keys, comma-separated: the first encrypts, all decrypt (rotation). Production must set
# its own and keep them outside the database and its backups; development derives one from the
# secret key so `make run` needs nothing more.
TRAMA_FIELD_ENCRYPTION_KEYS = env_list(
    "TRAMA_FIELD_ENCRYPTION_KEYS", [derive_development_key(SECRET_KEY)] if DEBUG else []
)
# The key of the stable pseudonyms given to evaluators and extracts (S9): HMAC, outside the database.
TRAMA_PSEUDONYM_KEY = env_str("TRAMA_PSEUDONYM_KEY", f"dev-pseudonyms-{SECRET_KEY}" if DEBUG else "")

# --- Map ---------------------------------------------------------------------------------
# Tiles come from a configurable server; with none reachable the map still shows its markers.
# An empty TRAMA_MAP_TILE_URL switches tiles off entirely (markers on a plain background).
TRAMA_MAP_TILE_URL = env_optional("TRAMA_MAP_TILE_URL", "https://tile.openstreetmap.org/{z}/{x}/{y}.png")
TRAMA_MAP_TILE_ATTRIBUTION = env_str("TRAMA_MAP_TILE_ATTRIBUTION", "© OpenStreetMap contributors (ODbL)")


def _tile_origin(url: str) -> list[str]:
    """The scheme and host of the tile server, for the CSP's img-src."""
    from urllib.parse import urlsplit

    parts = urlsplit(url.replace("{s}", "a"))
    if not parts.scheme or not parts.netloc:
        return []
    host = parts.netloc.replace("a.", "*.", 1) if "{s}" in url else parts.netloc
    return [f"{parts.scheme}://{host}"]


CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        "img-src": [SELF, "data:", *_tile_origin(TRAMA_MAP_TILE_URL)],
        "font-src": [SELF, "data:"],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

# --- Internationalisation ----------------------------------------------------------------
LANGUAGE_CODE = "it"
LANGUAGES = [("it", "Italiano"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Rome"
USE_I18N = True
USE_TZ = True

# --- Static files and uploads ------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = Path(env_str("TRAMA_MEDIA_ROOT", str(BASE_DIR / "media")))
# The erasure journal: one line per erased person, outside the database and its backups, replayed
# by `manage.py restore` so that a restored backup forgets them again (S13, S26).
TRAMA_ERASURE_JOURNAL = Path(env_str("TRAMA_ERASURE_JOURNAL", str(BASE_DIR / "erasure-journal.jsonl")))
# Uploads (photos, signed forms, receipts, job results) on a local directory by default, or on an
# S3-compatible object store so that several app servers share them. Never served from a public
# URL: authenticated views stream them (S20).
TRAMA_STORAGE = env_choice("TRAMA_STORAGE", "local", {"local", "s3"})
DEFAULT_STORAGE: dict[str, object] = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
if TRAMA_STORAGE == "s3":
    DEFAULT_STORAGE = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env_str("TRAMA_S3_BUCKET"),
            "endpoint_url": env_optional("TRAMA_S3_ENDPOINT_URL", "") or None,
            "region_name": env_optional("TRAMA_S3_REGION", "") or None,
            "access_key": env_str("TRAMA_S3_ACCESS_KEY"),
            "secret_key": env_str("TRAMA_S3_SECRET_KEY"),
            "location": env_optional("TRAMA_S3_PREFIX", "media"),
            "default_acl": "private",
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }
STORAGES = {
    "default": DEFAULT_STORAGE,
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if env_bool("TRAMA_STATIC_MANIFEST", not DEBUG)
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

# --- E-mail ------------------------------------------------------------------------------
# The app works without a mail server: by default messages go to the console log.
EMAIL_BACKEND = env_choice(
    "TRAMA_EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend",
    {
        "django.core.mail.backends.console.EmailBackend",
        "django.core.mail.backends.smtp.EmailBackend",
        "django.core.mail.backends.locmem.EmailBackend",
    },
)
EMAIL_HOST = env_str("TRAMA_EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("TRAMA_EMAIL_PORT", 587, minimum=1)
EMAIL_HOST_USER = env_str("TRAMA_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = env_str("TRAMA_EMAIL_PASSWORD", "")
EMAIL_USE_TLS = env_bool("TRAMA_EMAIL_USE_TLS", True)
DEFAULT_FROM_EMAIL = env_str("TRAMA_EMAIL_FROM", "Trama <noreply@localhost>")

# --- Logging -----------------------------------------------------------------------------
# Logs go to standard error, as text or as one JSON object a line (`TRAMA_LOG_FORMAT=json`) for a
# log collector. They never carry personal data: messages name records by public id only, and
# request bodies are never logged (S6; a canary test and CI's smoke run check it).
TRAMA_LOG_FORMAT = env_choice("TRAMA_LOG_FORMAT", "text", {"text", "json"})
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "text": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "json": {"()": "trama.core.logs.JsonFormatter"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": TRAMA_LOG_FORMAT}},
    "root": {
        "handlers": ["console"],
        "level": env_choice("TRAMA_LOG_LEVEL", "INFO", {"DEBUG", "INFO", "WARNING", "ERROR"}),
    },
}

# History rows are exposed in pages: opaque ids there too.
SIMPLE_HISTORY_HISTORY_ID_USE_UUID = True

# --- REST API (/api/v1/, schema at /api/schema/) --------------------------------------------
# Owned by trama/api/: authentication by personal tokens, one error shape, pagination.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["trama.api.authentication.TokenAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_THROTTLE_CLASSES": ["trama.api.authentication.TokenRateThrottle"],
    # Requests per token; a client that needs more asks for more tokens, not a bigger rate.
    "DEFAULT_THROTTLE_RATES": {"api": env_str("TRAMA_API_RATE", "1200/min")},
    "DEFAULT_PAGINATION_CLASS": "trama.api.base.Pagination",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "EXCEPTION_HANDLER": "trama.api.base.exception_handler",
    "DEFAULT_SCHEMA_CLASS": "trama.api.schema.AutoSchema",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Trama API",
    "DESCRIPTION": "The REST API of Trama, the platform of community-welfare programmes.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # The schema and the docs page are for signed-in people and token holders, not the public.
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "SERVE_AUTHENTICATION": [
        "trama.api.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    # Choices stay inline in each field (no shared enum components), so two fields called
    # "kind" or "status" with different choices never collide.
    "POSTPROCESSING_HOOKS": [],
}

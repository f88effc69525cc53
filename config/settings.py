"""LLCT settings: one module, driven by environment variables.

SQLite is the embedded default; set DATABASE_URL for PostgreSQL.
"""

import datetime as dt
import os
from pathlib import Path
from typing import Any

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


# Off unless asked for: `make run` turns it on for the developer's own machine.
DEBUG = env_bool("DEBUG", False)
# pytest sets PYTEST_VERSION: the test run (and its live server for browser tests) gets the
# development key and plain-HTTP cookies without turning DEBUG on.
TESTING = "PYTEST_VERSION" in os.environ
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY and (DEBUG or TESTING):
    SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production"
# Otherwise an empty key: management commands that need none still run (migrate, the
# catalogue), while serving a request refuses to start ("The SECRET_KEY setting must not be
# empty").
ALLOWED_HOSTS = [
    h.strip()
    for h in os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost").split(",")
    if h.strip()
]
CSRF_TRUSTED_ORIGINS = [
    o.strip() for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()
]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "django_htmx",
    "django_tasks_db",
    "llct.core",
    "llct.organizations",
    "llct.curriculum",
    "llct.courses",
    "llct.assessment",
    "llct.planning",
    "llct.portal",
    "llct.studies",
    "llct.corps",
    "llct.monitoring",
    "llct.reviews",
    "llct.api",
    "llct.home",
    "axes",
    "llct.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "llct.core.middleware.LanguageMiddleware",
    "llct.core.middleware.NullCharacterMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "llct.core.middleware.IdleSessionMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "llct.core.middleware.DebugNotFoundMiddleware",
    "llct.core.middleware.OutOfRangeIdMiddleware",
    # Last: turns a locked-out sign-in into the lockout page (429).
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "llct.core.context_processors.capabilities",
                "llct.home.context_processors.navigation",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "0")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the import worker write while pages keep reading.
    DATABASES["default"].setdefault("OPTIONS", {})["init_command"] = (
        "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
    )
    DATABASES["default"]["OPTIONS"]["transaction_mode"] = "IMMEDIATE"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "core.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
# The sign-in guard first: it refuses a locked-out account or address before any password is
# checked, and counts each failure (django-axes).
AUTHENTICATION_BACKENDS = [
    "llct.core.signin.SignInGuardBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", "Tiếng Việt"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True
FORMAT_MODULE_PATH = ["config.formats"]

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
MEDIA_URL = "media/"
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 20 * 1024 * 1024
# Every .xlsx upload is refused before it is parsed when its content would expand past these
# (llct/core/spreadsheets.py: xlsx_check_bounds): a few KiB can unzip to gigabytes.
LLCT_XLSX_MAX_CELLS = int(os.environ.get("LLCT_XLSX_MAX_CELLS", "2000000"))
LLCT_XLSX_MAX_SHARED_STRINGS = int(os.environ.get("LLCT_XLSX_MAX_SHARED_STRINGS", "1000000"))
LLCT_XLSX_MAX_UNCOMPRESSED_BYTES = int(
    os.environ.get("LLCT_XLSX_MAX_UNCOMPRESSED_BYTES", str(200 * 1024 * 1024))
)
# Dates of birth before this year are refused (person form, roster, API).
LLCT_MIN_BIRTH_YEAR = int(os.environ.get("LLCT_MIN_BIRTH_YEAR", "1900"))
# An uploaded roster (personal data) left in preview this long is deleted by `roster_sweep`.
LLCT_ROSTER_PREVIEW_HOURS = int(os.environ.get("LLCT_ROSTER_PREVIEW_HOURS", "6"))
# How long the watchlist counts of the home page and dashboards are kept (0: always live).
LLCT_WATCHLIST_COUNTS_SECONDS = int(os.environ.get("LLCT_WATCHLIST_COUNTS_SECONDS", "300"))

# A strict policy: no inline scripts or styles; htmx is served from our own static files.
SECURE_CSP = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
}
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", not (DEBUG or TESTING))
CSRF_COOKIE_SECURE = env_bool("SECURE_COOKIES", not (DEBUG or TESTING))
X_FRAME_OPTIONS = "DENY"

# Long jobs (roster import) go through Django's tasks framework. Production runs the
# database-backed worker (`manage.py db_worker`); the demo runs tasks on a thread of the
# web process so that one command serves everything.
TASK_BACKEND = os.environ.get("TASK_BACKEND", "thread")
TASKS = {
    "default": {
        "BACKEND": {
            "database": "django_tasks_db.DatabaseBackend",
            "immediate": "django.tasks.backends.immediate.ImmediateBackend",
            "thread": "llct.core.tasks.ThreadBackend",
        }[TASK_BACKEND]
    }
}

MAILERS = {
    "default": {
        "BACKEND": os.environ.get(
            "EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend"
        ),
    }
}
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "llct@localhost")

PEOPLE_PAGE_SIZE = 50

# The API (llct.api): how long an idempotency key is remembered, and the webhook deliveries'
# attempts (the wait doubles after each failure, from the first to the last).
API_IDEMPOTENCY_HOURS = int(os.environ.get("API_IDEMPOTENCY_HOURS", "24"))
WEBHOOK_MAX_ATTEMPTS = int(os.environ.get("WEBHOOK_MAX_ATTEMPTS", "8"))
WEBHOOK_FIRST_RETRY_SECONDS = int(os.environ.get("WEBHOOK_FIRST_RETRY_SECONDS", "30"))
WEBHOOK_TIMEOUT_SECONDS = int(os.environ.get("WEBHOOK_TIMEOUT_SECONDS", "10"))

# --- Production: servers, shared state, security (docs/DEPLOYMENT.md) ---------------------
# Every value comes from the environment; the defaults suit one machine in development. The
# documented production environment makes `manage.py check --deploy` report nothing.

# Persistent connections, checked before reuse so that a restarted database costs one error-free
# reconnect instead of a failed request.
DATABASES["default"]["CONN_HEALTH_CHECKS"] = env_bool(
    "CONN_HEALTH_CHECKS", DATABASES["default"]["CONN_MAX_AGE"] != 0
)
_POSTGRES = DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"

# The shared cache holds what every server must agree on: progress of long jobs (a job writing
# inside one long transaction cannot publish progress through that transaction), rate limits.
# CACHE_URL: redis://host:6379/1 (Django's RedisCache), db:// (the database cache, through its
# own connection), file:///path, locmem://. Unset: the database cache on PostgreSQL; on SQLite
# (one machine) the file cache, since a second SQLite connection would wait for the import's lock.
CACHE_URL = os.environ.get("CACHE_URL", "db://" if _POSTGRES else "")
CACHES: dict[str, dict[str, Any]]
if CACHE_URL.startswith(("redis://", "rediss://", "unix://")):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": CACHE_URL,
            "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", "llct"),
        }
    }
elif CACHE_URL.startswith("db://"):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "llct_cache",
            "OPTIONS": {"MAX_ENTRIES": 100_000},
        }
    }
    # A second alias to the same database: cache writes commit at once even when the caller
    # is inside a long transaction (the roster commit publishing its progress).
    DATABASES["cache"] = {**DATABASES["default"], "TEST": {"MIRROR": "default"}}
    DATABASE_ROUTERS = ["llct.core.routers.CacheRouter"]
elif CACHE_URL.startswith("locmem://"):
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": CACHE_URL.removeprefix("file://") or str(BASE_DIR / "var" / "cache"),
        }
    }

# Sessions live in the database (the default) or, with SESSION_ENGINE=cached_db, in the cache
# backed by the database: both are shared by every server.
SESSION_ENGINE = os.environ.get("SESSION_ENGINE", "django.contrib.sessions.backends.db")
if "." not in SESSION_ENGINE:
    SESSION_ENGINE = f"django.contrib.sessions.backends.{SESSION_ENGINE}"

# Shared office machines: a session ends after SESSION_IDLE_MINUTES without a request (requests
# push the end further: llct.core.middleware.IdleSessionMiddleware), and, unless
# SESSION_END_WITH_BROWSER is off, when the browser is closed.
SESSION_COOKIE_AGE = 60 * int(os.environ.get("SESSION_IDLE_MINUTES", "30"))
SESSION_EXPIRE_AT_BROWSER_CLOSE = env_bool("SESSION_END_WITH_BROWSER", True)

# Sign-in like a bank's (django-axes): after SIGNIN_FAILURE_LIMIT wrong passwords for one
# account, or from one address, both are locked for SIGNIN_COOLOFF_MINUTES, even with the right
# password. Failures are kept in the database, so the count holds across every app server.
AXES_FAILURE_LIMIT = int(os.environ.get("SIGNIN_FAILURE_LIMIT", "5"))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_COOLOFF_TIME = dt.timedelta(minutes=int(os.environ.get("SIGNIN_COOLOFF_MINUTES", "30")))
# A success does not wipe the count: signing in to one's own account must not reset the address's
# failures against another.
AXES_RESET_ON_SUCCESS = False
AXES_LOCKOUT_CALLABLE = "llct.core.signin.locked_out"
AXES_HTTP_RESPONSE_CODE = 429
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
# The address is REMOTE_ADDR, which ForwardedForMiddleware has already set from our own proxies.
AXES_CLIENT_IP_CALLABLE = "llct.core.signin.client_address"
# Failed attempts keep no password; successful ones are not logged row by row.
AXES_DISABLE_ACCESS_LOG = True
AXES_VERBOSE = False

# Uploaded files: the filesystem (MEDIA_ROOT, on a disk every server mounts) by default, or an
# S3-compatible store with STORAGE_BACKEND=storages.backends.s3.S3Storage and its AWS_* settings
# (see docs/DEPLOYMENT.md). Static files: hashed names, compressed, cached for ever.
STORAGES["default"] = {
    "BACKEND": os.environ.get("STORAGE_BACKEND", "django.core.files.storage.FileSystemStorage")
}
if STORAGES["default"]["BACKEND"] == "storages.backends.s3.S3Storage":
    _s3_options: dict[str, Any] = {
        "bucket_name": os.environ.get("S3_BUCKET", "llct"),
        "endpoint_url": os.environ.get("S3_ENDPOINT_URL") or None,
        "region_name": os.environ.get("S3_REGION") or None,
        "access_key": os.environ.get("S3_ACCESS_KEY_ID", ""),
        "secret_key": os.environ.get("S3_SECRET_ACCESS_KEY", ""),
        # Private files, handed out by our views or by short-lived signed links only.
        "default_acl": "private",
        "querystring_auth": True,
        "querystring_expire": 300,
        "file_overwrite": False,
    }
    _s3: dict[str, Any] = {**STORAGES["default"], "OPTIONS": _s3_options}
    STORAGES["default"] = _s3
if env_bool("STATIC_MANIFEST", not DEBUG):  # needs `collectstatic` first
    STORAGES["staticfiles"] = {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"}

# HTTPS behind a reverse proxy.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", False)
# The health check answers over plain HTTP to the load balancer on the private side.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "0"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
if env_bool("SECURE_PROXY_SSL_HEADER", False):
    # Only behind a proxy that sets this header itself and strips it from clients' requests.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
USE_X_FORWARDED_HOST = env_bool("USE_X_FORWARDED_HOST", False)
# Addresses of our reverse proxies: from them, the client's address is the last X-Forwarded-For
# entry (per-address rate limits count clients, not the proxy).
TRUSTED_PROXIES = [a.strip() for a in os.environ.get("TRUSTED_PROXIES", "").split(",") if a.strip()]

# Outgoing mail through SMTP when EMAIL_BACKEND is Django's SMTP backend.
if MAILERS["default"]["BACKEND"] == "django.core.mail.backends.smtp.EmailBackend":
    _smtp_options: dict[str, Any] = {
        "host": os.environ.get("EMAIL_HOST", "localhost"),
        "port": int(os.environ.get("EMAIL_PORT", "587")),
        "username": os.environ.get("EMAIL_HOST_USER", ""),
        "password": os.environ.get("EMAIL_HOST_PASSWORD", ""),
        "use_tls": env_bool("EMAIL_USE_TLS", True),
        "use_ssl": env_bool("EMAIL_USE_SSL", False),
        "timeout": int(os.environ.get("EMAIL_TIMEOUT", "30")),
    }
    _smtp: dict[str, Any] = {**MAILERS["default"], "OPTIONS": _smtp_options}
    MAILERS["default"] = _smtp
SERVER_EMAIL = os.environ.get("SERVER_EMAIL", DEFAULT_FROM_EMAIL)

# One JSON object a line: time, level, request id, user id, path, status, duration. Never a
# request's body, query string or an exception's message (they may carry personal data).
LOG_FORMAT = os.environ.get("LOG_FORMAT", "text" if DEBUG else "json")
MIDDLEWARE.insert(0, "llct.core.logs.RequestLogMiddleware")
MIDDLEWARE.insert(1, "llct.core.middleware.ForwardedForMiddleware")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {"()": "llct.core.logs.JsonFormatter"},
        "text": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        # Our middleware logs each request once; Django's own request lines would repeat it
        # with the query string.
        "django.server": {"handlers": [], "propagate": False},
        "llct.request": {"level": os.environ.get("REQUEST_LOG_LEVEL", "INFO")},
    },
}

# The task worker writes a heartbeat this often; /healthz calls it stale after WORKER_STALE.
WORKER_HEARTBEAT_SECONDS = int(os.environ.get("WORKER_HEARTBEAT_SECONDS", "10"))
WORKER_STALE_SECONDS = int(os.environ.get("WORKER_STALE_SECONDS", "60"))
# `manage.py backup` writes here (docs/DEPLOYMENT.md: a schedule, and a copy off the machine).
BACKUP_DIR = Path(os.environ.get("BACKUP_DIR", BASE_DIR / "var" / "backups"))
# --- end of production block -----------------------------------------------------------------

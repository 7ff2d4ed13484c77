"""ANTQ settings, read from environment variables with safe production defaults.

Every knob is an environment variable; nothing here needs editing to deploy. See
docs/deploy.md for the list. Without ``SECRET_KEY`` the process refuses to start, except in
demo mode (``ANTQ_DEMO=1``) and under the test runner, where a key is generated once under
``var/``.
"""

from __future__ import annotations

import os
import secrets
import sys
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent  # src/antq
PROJECT_DIR = BASE_DIR.parent.parent


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


VAR_DIR = Path(env_str("ANTQ_VAR_DIR", str(PROJECT_DIR / "var"))).resolve()
DEMO = env_bool("ANTQ_DEMO")
TESTING = "pytest" in sys.modules
DEBUG = env_bool("DEBUG")


def _secret_key() -> str:
    key = env_str("SECRET_KEY")
    if key:
        return key
    if not (DEMO or TESTING or DEBUG):
        raise ImproperlyConfigured(
            "SECRET_KEY is required in production: set it in the environment "
            "(for example: export SECRET_KEY=$(python3 -c 'import secrets; "
            "print(secrets.token_urlsafe(50))'))."
        )
    path = VAR_DIR / "secret_key"
    if not path.exists():
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost" if (DEMO or DEBUG) else "")
if TESTING:
    ALLOWED_HOSTS = ["*"]
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "template_partials",
    "ninja",
    "axes",
    "django_tasks",
    "django_tasks_db",
    "antq.core",
    "antq.accounts",
    "antq.registry",
    "antq.tips",
    "antq.cases",
    "antq.api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Before WhiteNoise so that static files get the policies too.
    "antq.core.security.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "antq.core.middleware.LoginRequiredMiddleware",
    # Axes must come last so that it sees the result of authentication.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "antq.config.urls"
WSGI_APPLICATION = "antq.config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "antq.core.context_processors.navigation",
            ],
        },
    }
]

# --- Database -------------------------------------------------------------------------
# SQLite by default: WAL so readers never block the writer, a busy timeout so writers queue
# instead of failing with "database is locked", and IMMEDIATE transactions so a transaction
# takes the write lock when it starts rather than failing half-way when it upgrades.
SQLITE_PATH = VAR_DIR / "antq.sqlite3"
if not env_str("DATABASE_URL"):
    VAR_DIR.mkdir(parents=True, exist_ok=True)  # SQLite cannot create its directory
DATABASE_URL = env_str("DATABASE_URL")
if DATABASE_URL:
    DATABASES = {
        "default": dj_database_url.parse(
            DATABASE_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 60), conn_health_checks=True
        )
    }
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(SQLITE_PATH),
            "OPTIONS": {
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": (
                    "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
                    "PRAGMA foreign_keys=ON; PRAGMA busy_timeout=20000;"
                ),
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Authentication -------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.Argon2PasswordHasher"]
if TESTING:
    # Argon2 is deliberately slow; tests create hundreds of users.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "accounts:login"

AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = env_int("AXES_COOLOFF_MINUTES", 15) / 60  # hours
# Lock the account (username) after repeated failures from anywhere. Not by IP address: a
# whole police station sits behind one address (and behind the proxy every client is
# 127.0.0.1), so a few officers' typos would lock everybody out. Guessing across many
# usernames is slowed at the proxy (limit_req on the login URL, docs/deploy.md), which is
# why axes' warning about ip_address is silenced.
AXES_LOCKOUT_PARAMETERS = ["username"]
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked.html"
AXES_ENABLED = env_bool("AXES_ENABLED", True)

SESSION_COOKIE_AGE = env_int("SESSION_MINUTES", 8 * 60) * 60  # from login
# A session lasts one working shift from login (absolute), and ends with the browser. Not
# saved on every request: on SQLite that would be a write per page view and per progress poll.
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

# --- Security (production defaults; HTTPS assumed unless ANTQ_HTTPS=0) ------------------
HTTPS = env_bool("ANTQ_HTTPS", not (DEMO or DEBUG or TESTING))
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_SSL_REDIRECT = HTTPS and env_bool("ANTQ_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = 31_536_000 if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if HTTPS else None
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# Sent by antq.core.security.SecurityHeadersMiddleware. Scripts and styles only from files
# of this site: no inline code at all (htmx's eval and indicator <style> are switched off in
# base.html), so neither 'unsafe-inline' nor 'unsafe-eval'. Charts draw on <canvas>; the
# only data: images are Swagger UI's icons. docs/security.md explains each directive.
ANTQ_CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
ANTQ_PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "payment",
        "usb",
    )
)

# --- Internationalisation -------------------------------------------------------------
LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", _("Tiếng Việt")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True
FORMAT_MODULE_PATH = ["antq.config.formats"]
CSRF_FAILURE_VIEW = "antq.core.views.csrf_failure"

# --- Static and uploaded files --------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = VAR_DIR / "media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if (TESTING or DEBUG)
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
# Uploads above this size are refused with a message (imports); see registry/importing.py.
IMPORT_MAX_BYTES = env_int("IMPORT_MAX_MB", 20) * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_HANDLERS = [
    "antq.core.uploads.SizeLimitUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024

# --- Background tasks -----------------------------------------------------------------
TASKS = {
    "default": {
        "BACKEND": (
            "django_tasks.backends.immediate.ImmediateBackend"
            if TESTING and not env_bool("ANTQ_TEST_DB_TASKS")
            else "django_tasks_db.DatabaseBackend"
        ),
    }
}
# Lists larger than this are imported/exported by the worker with a progress bar.
BACKGROUND_THRESHOLD_ROWS = env_int("ANTQ_BACKGROUND_ROWS", 2000)
# Result files of exports are downloadable this long, then `antq prune-jobs` deletes them.
JOB_RESULT_HOURS = env_int("ANTQ_JOB_RESULT_HOURS", 24)

# --- Logging --------------------------------------------------------------------------
LOG_LEVEL = env_str("LOG_LEVEL", "INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {"django.db.backends": {"level": "WARNING"}, "axes": {"level": "WARNING"}},
}

# --- ANTQ -----------------------------------------------------------------------------
# The province whose wards the movement department covers (vietnam-provinces code).
ANTQ_PROVINCE_CODE = env_int("ANTQ_PROVINCE_CODE", 1)  # 1 = Thành phố Hà Nội
ANTQ_DEPARTMENT_NAME = env_str("ANTQ_DEPARTMENT_NAME", "Công an thành phố Hà Nội")
PAGE_SIZE = 50

# --- Hotline tips ---------------------------------------------------------------------
# Key(s) for values encrypted at rest (tipster identity, SMS numbers): Fernet keys, the
# first is used to encrypt; without one a key is derived from SECRET_KEY (docs/deploy.md).
ANTQ_ENCRYPTION_KEY = env_str("ANTQ_ENCRYPTION_KEY")
# Shared secret of the SMS gateway: it signs each webhook call with HMAC-SHA256.
ANTQ_SMS_WEBHOOK_SECRET = env_str("ANTQ_SMS_WEBHOOK_SECRET", "demo-sms-secret" if DEMO else "")
# Dotted paths of callables (recipient, body) that deliver outgoing SMS and email;
# empty = write to the log only (antq.core.outbox.log_sender).
ANTQ_SMS_SENDER = env_str("ANTQ_SMS_SENDER")
ANTQ_EMAIL_SENDER = env_str("ANTQ_EMAIL_SENDER")
# Days an SMS tipster's number is kept after his tip is closed (0 = erased on closing).
TIP_REPLY_RETENTION_DAYS = env_int("ANTQ_TIP_REPLY_RETENTION_DAYS", 0)
TIP_MAX_FILES = env_int("ANTQ_TIP_MAX_FILES", 5)
TIP_MAX_FILE_BYTES = env_int("ANTQ_TIP_MAX_FILE_MB", 10) * 1024 * 1024
# Public form submissions and tip-code lookups per client per hour (counted under a keyed
# hash of the address that rotates daily; the address itself is never stored).
TIP_SUBMIT_PER_HOUR = env_int("ANTQ_TIP_SUBMIT_PER_HOUR", 20)
TIP_LOOKUP_PER_HOUR = env_int("ANTQ_TIP_LOOKUP_PER_HOUR", 30)
# Rate-limit counters (files named by keyed hashes; see antq/core/ratelimit.py).
ANTQ_RATELIMIT_DIR = env_str("ANTQ_RATELIMIT_DIR", str(VAR_DIR / "ratelimit"))
# Behind a reverse proxy, count clients by the X-Forwarded-For entry the proxy appended.
ANTQ_TRUSTED_PROXY = env_bool("ANTQ_TRUSTED_PROXY", False)
# Days before the deadline from which an open tip counts as "sắp quá hạn".
TIP_DUE_SOON_DAYS = env_int("ANTQ_TIP_DUE_SOON_DAYS", 3)

# --- Complaint and denunciation cases ---------------------------------------------------------
# Roles that may unseal a denunciator's identity, with a reason (Luật Tố cáo Điều 47).
CASE_UNSEAL_ROLES = frozenset(
    r.strip() for r in env_str("ANTQ_CASE_UNSEAL_ROLES", "leader,unit_head").split(",") if r.strip()
)
# Reminders before a deadline, in working days (one reminder per level and deadline).
CASE_REMIND_DAYS = tuple(
    sorted(
        {int(n) for n in env_str("ANTQ_CASE_REMIND_DAYS", "5,1").split(",") if n.strip()},
        reverse=True,
    )
)
# Copy deadline reminders and alerts to the email outbox of users who have an address.
CASE_ALERT_EMAIL = env_bool("ANTQ_CASE_ALERT_EMAIL", True)
CASE_MAX_FILES = env_int("ANTQ_CASE_MAX_FILES", 10)

# Cache shared by the gunicorn workers of one server (rate-limit counters): files under
# var/cache; memory in tests.
if TESTING:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
        }
    }

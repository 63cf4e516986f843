"""Settings for every environment, read from environment variables.

Safe production defaults: DEBUG is off unless asked for, a missing SECRET_KEY
stops the start, cookies are secure. `make run` turns DEBUG on for a local demo.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


PACKAGE_DIR = Path(__file__).resolve().parent.parent.parent
DATA_DIR = Path(os.environ.get("SOURCEWISE_DATA_DIR", Path.cwd() / "data")).resolve()

DEBUG = env_bool("DEBUG", False)


def _secret_key() -> str:
    """SECRET_KEY from the environment, else the local key file in the data folder.

    With DEBUG on, the key file is generated on first use; with DEBUG off it is only read
    (so `sourcewise health` works after `make run`), and neither present stops the start.
    """
    key = os.environ.get("SECRET_KEY", "")
    if key:
        return key
    key_file = DATA_DIR / "secret_key"
    if key_file.is_file() and (stored := key_file.read_text().strip()):
        return stored
    if not DEBUG:
        raise ImproperlyConfigured(
            f"SECRET_KEY is required when DEBUG is off (no key file at {key_file} either). "
            "Set it to a long random string, for example: "
            "python -c 'import secrets; print(secrets.token_urlsafe(50))'"
        )
    # Local run: generate once and keep it beside the database so sessions survive restarts.
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    key_file.write_text(secrets.token_urlsafe(50))
    key_file.chmod(0o600)
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")
# Where emailed links point. Unset: the address each request came in on (see core/links.py).
SITE_URL = os.environ.get("SITE_URL", "").rstrip("/")

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
    # Sourcewise domain apps, in dependency order (the demo builds in this order too).
    "sourcewise.core",
    "sourcewise.accounts",
    "sourcewise.workspaces",
    "sourcewise.audit",
    "sourcewise.findings",
    "sourcewise.talent",
    "sourcewise.tasks",
    "sourcewise.money",
    "sourcewise.guidance",
    "sourcewise.engagements",
    "sourcewise.costs",
    "sourcewise.api",
    "sourcewise.backups",
    "sourcewise.jobs",
    "sourcewise.demo",
    "sourcewise.ops",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "sourcewise.core.security.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "sourcewise.api.limits.ApiBodyLimitMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
    "sourcewise.workspaces.middleware.RefusalAuditMiddleware",
    # Innermost, so it sees the view's "database is locked": retry, else 503 with Retry-After.
    "sourcewise.core.middleware.DatabaseBusyMiddleware",
]

ROOT_URLCONF = "sourcewise.config.urls"
WSGI_APPLICATION = "sourcewise.config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "sourcewise.workspaces.context_processors.current_workspace",
            ],
        },
    }
]

# Django's, with every <select> written in Python (core.forms.FormRenderer).
FORM_RENDERER = "sourcewise.core.forms.FormRenderer"

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{DATA_DIR / 'sourcewise.sqlite3'}",
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers work while one writer commits; IMMEDIATE avoids "database is locked"
    # surprises when two requests write at once. Connections are kept between requests as on
    # PostgreSQL (DB_CONN_MAX_AGE): opening one and running the pragmas cost about 2 ms a request.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=5000;",
        "transaction_mode": "IMMEDIATE",
    }
    if str(DATABASES["default"].get("NAME", "")).startswith(str(DATA_DIR)):
        DATA_DIR.mkdir(parents=True, exist_ok=True)
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and env_bool("DB_PREPARED_STATEMENTS", True):
    # The API's hottest statements (api.prepared: the token check, the engagements list and
    # detail) are sent with their values apart, and psycopg prepares one a connection has run
    # 5 times: PostgreSQL then stops planning it again, which was most of its time (0.4 ms of
    # planning for 0.05-0.1 ms of execution). Every other query keeps Django's default
    # (values bound in the client: no limit on the number of values in an IN list).
    # DB_PREPARED_STATEMENTS=0 for a connection pooler that cannot keep prepared statements.
    DATABASES["default"].setdefault("OPTIONS", {})["prepare_threshold"] = 5

# Background jobs (imports, restores) run through Django's tasks framework (django-tasks).
# "database" (default): queued in the database and run by `sourcewise worker`, which
# `sourcewise serve` starts beside gunicorn. "immediate": run inside the request (tests).
SOURCEWISE_JOBS = os.environ.get("SOURCEWISE_JOBS", "database").strip().lower()
if SOURCEWISE_JOBS not in {"database", "immediate"}:
    raise ImproperlyConfigured("SOURCEWISE_JOBS must be 'database' or 'immediate'.")
TASKS = {
    "default": {
        "BACKEND": "django_tasks.backends.immediate.ImmediateBackend"
        if SOURCEWISE_JOBS == "immediate"
        else "django_tasks_db.DatabaseBackend"
    }
}
SOURCEWISE_JOBS_DIR = Path(os.environ.get("SOURCEWISE_JOBS_DIR", DATA_DIR / "jobs"))

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"

# Login throttling (SPEC §7): the 6th wrong password for one account within 30 minutes
# is refused even when correct; unknown accounts get exactly the same answer.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = 0.5  # hours
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "sourcewise.accounts.views.locked_out"
AXES_USERNAME_FORM_FIELD = "username"
AXES_USERNAME_CALLABLE = "sourcewise.accounts.views.attempted_email"
AXES_VERBOSE = False
AXES_ENABLE_ACCESS_FAILURE_LOG = False

LANGUAGE_CODE = "en"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", DATA_DIR / "static"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = DEBUG
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", DATA_DIR / "media"))

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Sourcewise <no-reply@localhost>")

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if not DEBUG:
    SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", True)
    CSRF_COOKIE_SECURE = env_bool("SECURE_COOKIES", True)
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
    if env_bool("BEHIND_PROXY", False):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"axes": {"level": "WARNING"}},
}

NINJA_PAGINATION_MAX_LIMIT = 200

SILENCED_SYSTEM_CHECKS = [
    # We lock out per account on purpose (SPEC §7: the 6th wrong password for one account is
    # refused whatever the address); the documented trade-off is in docs/ARCHITECTURE.md.
    "axes.W006",
]

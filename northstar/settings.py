"""Northstar settings, driven by the environment.

NORTHSTAR_DATA_DIR (default ./.northstar/) holds the SQLite database and a generated secret key.
DATABASE_URL (e.g. postgres://localhost/northstar) overrides the database.
"""

import os
import secrets
from pathlib import Path

import dj_database_url
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent


def envbool(name: str, default: str = "False") -> bool:
    return os.environ.get(name, default).lower() in {"1", "true", "yes", "on"}


def envint(name: str, default: str) -> int:
    return int(os.environ.get(name, default))


DATA_DIR = Path(os.environ.get("NORTHSTAR_DATA_DIR", ".northstar")).resolve()


def _make_data_dir() -> None:
    """Create DATA_DIR readable by its owner only: it holds the secret key and the database
    (password hashes, sessions). A directory that already exists keeps the mode its owner
    chose; the files inside are protected one by one."""
    DATA_DIR.mkdir(mode=0o700, parents=True, exist_ok=True)


def _private_file(path: Path) -> None:
    """Create `path` empty with mode 0600 if missing, and take group and other access away
    if it has any. SQLite treats an empty file as an empty database and gives its -wal and
    -shm files the database file's mode, so they stay private too."""
    os.close(os.open(path, os.O_RDONLY | os.O_CREAT, 0o600))
    for file in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        try:
            if file.stat().st_mode & 0o077:
                file.chmod(0o600)
        except FileNotFoundError:
            pass
        except PermissionError:
            pass  # another user's file (a shared deployment): theirs to protect, not ours


def _secret_key() -> str:
    """Read the secret key from the environment, else from a file generated once in DATA_DIR."""
    if key := os.environ.get("SECRET_KEY"):
        return key
    path = DATA_DIR / "secret_key"
    if not path.exists():
        _make_data_dir()
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = envbool("DEBUG")
ALLOWED_HOSTS = os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "django_tasks_db",
    "northstar.people",
    "northstar.audit",
    "northstar.okrs",
    "northstar.feedback",
    "northstar.web",
    "northstar.insights",
    "northstar.notifications",
    "northstar.interchange",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "northstar.urls"
WSGI_APPLICATION = "northstar.wsgi.application"

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
                "django.template.context_processors.csp",
            ],
        },
    }
]

if db_url := os.environ.get("DATABASE_URL"):
    DATABASES = {"default": dj_database_url.parse(db_url, conn_max_age=60)}
else:
    _make_data_dir()
    # Made private here, before SQLite creates it with the umask's mode (usually 0644), and
    # tightened here if an older version left it readable by everyone.
    _private_file(DATA_DIR / "northstar.sqlite3")
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": DATA_DIR / "northstar.sqlite3",
            "OPTIONS": {
                # WAL lets readers continue while one writer works; IMMEDIATE takes the write
                # lock at BEGIN so two writers queue on busy_timeout instead of failing halfway.
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
                "transaction_mode": "IMMEDIATE",
                "timeout": 5,
            },
        }
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

LANGUAGE_CODE = "en"
TIME_ZONE = "UTC"  # storage zone; the organisation's own zone lives in OrganisationSettings
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"

# Argon2 for new and changed passwords; older hashes still verify and are upgraded on the
# next sign-in.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]

# The email address is the username (case-insensitive); the backend also throttles.
AUTHENTICATION_BACKENDS = ["northstar.people.auth.EmailBackend"]

# Login throttling: this many failed sign-ins for one email within the window lock that email
# out for the window's length; an IP address is locked only after many more failures (across
# any emails), since a whole office or household may share one address.
SIGN_IN_FAILURE_LIMIT = envint("SIGN_IN_FAILURE_LIMIT", "5")
SIGN_IN_FAILURE_LIMIT_PER_ADDRESS = envint("SIGN_IN_FAILURE_LIMIT_PER_ADDRESS", "50")
SIGN_IN_LOCKOUT_SECONDS = envint("SIGN_IN_LOCKOUT_SECONDS", "900")

# The address that links in mail, chat messages and terminal-made invitations point to
# (pages use the address they were reached at).

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "cascade"
LOGOUT_REDIRECT_URL = "login"

SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "frame-ancestors": [CSP.NONE],
}

# --- security -------------------------------------------------------------------------------
# Cookies are never readable from scripts and not sent on cross-site sub-requests. htmx
# sends the CSRF token from the page (base.html), so the CSRF cookie can be HttpOnly too.
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# NORTHSTAR_HTTPS=1 when served over HTTPS (usually behind a proxy that terminates TLS and
# sets X-Forwarded-Proto; it must overwrite any such header coming from clients): cookies
# only travel over HTTPS, plain HTTP is redirected, and browsers are told to stick to HTTPS.
HTTPS = envbool("NORTHSTAR_HTTPS")
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_SSL_REDIRECT = HTTPS
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if HTTPS else None
SECURE_HSTS_SECONDS = envint("NORTHSTAR_HSTS_SECONDS", "31536000") if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS and envbool("NORTHSTAR_HSTS_SUBDOMAINS")
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o]
# Uploads (the web import): one file of at most NORTHSTAR_MAX_UPLOAD_MB. The first handler
# stops reading a larger file instead of spooling it to disk; the view checks again.
MAX_UPLOAD_BYTES = envint("NORTHSTAR_MAX_UPLOAD_MB", "5") * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = MAX_UPLOAD_BYTES
DATA_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024  # the form fields beside the file
DATA_UPLOAD_MAX_NUMBER_FILES = 1
FILE_UPLOAD_HANDLERS = [
    "northstar.web.uploads.SizeLimitUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]

# Background tasks (notifications). Development runs them right after the transaction that
# queued them commits (ImmediateBackend); deployments set
# TASKS_BACKEND=django_tasks_db.DatabaseBackend and keep `northstar worker` running.
TASKS = {
    "default": {
        "BACKEND": os.environ.get(
            "TASKS_BACKEND", "django.tasks.backends.immediate.ImmediateBackend"
        )
    }
}
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000")

MAILERS = {
    "default": {
        "BACKEND": os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
    }
}
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "northstar@localhost")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        # A refusal (403) is an answer, not a fault: log Django's one line, not a traceback.
        "client_errors_without_traceback": {
            "()": "northstar.web.log_filters.ClientErrorsWithoutTraceback"
        },
    },
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "loggers": {"django.request": {"filters": ["client_errors_without_traceback"]}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}

"""Attend settings: everything that varies between machines comes from the environment.

DATABASE_URL        default sqlite:///var/attend.sqlite3; postgres://user@host:port/name
ATTEND_DEBUG        "1"/"true" for development (default off)
ATTEND_SECRET_KEY   required in production; generated into var/secret_key when absent in development
ATTEND_ALLOWED_HOSTS comma-separated (default localhost names)
ATTEND_DEMO_USERS   "1" to show the demo login hint on the sign-in page; allows `attend demo-code`
ATTEND_PRODUCTION   "1" for production: HTTPS only (HSTS, secure cookies, redirect to HTTPS)
ATTEND_BEHIND_PROXY "1" when a TLS-terminating reverse proxy sets X-Forwarded-Proto and appends the
                    client's address to X-Forwarded-For (only then are those headers trusted)
ATTEND_HSTS_PRELOAD "0" to leave out HSTS preload (default on in production; see below)
ATTEND_NOTIFICATIONS_BACKEND  console (default: files in var/outbox), smtp or notify
ATTEND_SMTP_HOST, ATTEND_SMTP_PORT, ATTEND_SMTP_USER, ATTEND_SMTP_PASSWORD, ATTEND_SMTP_TLS,
ATTEND_FROM_EMAIL   the SMTP backend
ATTEND_NOTIFY_API_KEY, ATTEND_NOTIFY_BASE_URL, ATTEND_NOTIFY_EMAIL_TEMPLATE,
ATTEND_NOTIFY_SMS_TEMPLATE    the GOV.UK Notify backend (templates with ((subject)) and ((body)))
"""

from __future__ import annotations

import datetime as dt
import os
import secrets
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("ATTEND_VAR_DIR", BASE_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)


def _flag(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


DEBUG = _flag("ATTEND_DEBUG")


def _secret_key() -> str:
    key = os.environ.get("ATTEND_SECRET_KEY")
    if key:
        return key
    if not DEBUG and _flag("ATTEND_PRODUCTION"):
        raise ImproperlyConfigured("ATTEND_SECRET_KEY must be set in production.")
    path = VAR_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = [
    h.strip()
    for h in os.environ.get("ATTEND_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1],testserver").split(
        ","
    )
    if h.strip()
]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.forms",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "attend.core",
    "attend.accounts",
    "attend.organisations",
    "attend.pupils",
    "attend.registers",
    "attend.audit",
    "attend.monitoring",
    "attend.notifications",
    "attend.reference",
    "attend.governors",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Content-Security-Policy and Permissions-Policy on every response, static files included.
    "attend.accounts.middleware.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django_otp.middleware.OTPMiddleware",
    # Signed in but not yet through the second factor: only the two-factor pages and sign-out.
    "attend.accounts.middleware.TwoFactorRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last: turns a sign-in refused by the axes backend into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "attend" / "core" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'attend.sqlite3'}"),
        conn_max_age=int(os.environ.get("ATTEND_CONN_MAX_AGE", "0")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        # WAL for concurrent readers; a 256 MB page cache and in-memory temporary tables for the
        # set-based imports over millions of marks.
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA cache_size=-262144; "
            "PRAGMA temp_store=MEMORY; PRAGMA mmap_size=2147483648;"
        ),
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# The axes backend comes first: it refuses a locked-out username+IP before any password is checked.
AUTHENTICATION_BACKENDS = [
    "attend.accounts.auth.SignInThrottleBackend",
    "django.contrib.auth.backends.ModelBackend",
]

# NCSC password guidance: length, not composition rules; refuse common and guessable passwords.
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "attend.accounts.auth.MaximumLengthValidator", "OPTIONS": {"max_length": 128}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

# Failed sign-ins (django-axes): 5 for one username from one address locks that pair out for 15
# minutes; a successful sign-in clears the count.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = dt.timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "attend.accounts.views.locked_out"  # the GOV.UK lockout page, 429
AXES_CLIENT_IP_CALLABLE = "attend.accounts.auth.client_ip"

# Two-factor authentication (django-otp, TOTP). Wrong codes are throttled by the device: after
# each failure the next attempt waits 2^(n-1) seconds, doubling.
OTP_TOTP_ISSUER = "Attend"
OTP_TOTP_THROTTLE_FACTOR = 1

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = False
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
STATICFILES_DIRS = [BASE_DIR / "build" / "static"]
# Serve the compiled assets straight from STATICFILES_DIRS and the apps (no collectstatic step for
# a single-machine install); `attend collectstatic` into STATIC_ROOT still works for production.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}

# A session ends 8 hours after sign-in (a working day), or when the browser closes. Its expiry is
# set each time the session is saved, and it is saved only when it changes: at sign-in and at the
# second factor, never by browsing (SESSION_SAVE_EVERY_REQUEST stays off), so in practice the
# 8 hours run from sign-in however busy the day, and pages cost no session write.
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = 8 * 60 * 60
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# Set on every response by attend.accounts.middleware.SecurityHeadersMiddleware. No 'unsafe-inline':
# the GOV.UK Frontend start-up is a static file (core/init.js).
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'self'",
    ]
)
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=()"
ATTEND_BEHIND_PROXY = _flag("ATTEND_BEHIND_PROXY")
if ATTEND_BEHIND_PROXY:
    # Only behind a proxy that overwrites X-Forwarded-Proto; otherwise a client could claim HTTPS.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
if not DEBUG and _flag("ATTEND_PRODUCTION"):
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = True
    # HSTS for a year, subdomains included. Preload (the browsers' built-in HTTPS-only list) is on:
    # Attend is HTTPS-only and so must be any host under its name. It commits the whole domain
    # only once its owner submits it to the list; ATTEND_HSTS_PRELOAD=0 leaves it out for a host
    # on a shared domain that cannot make that promise (and silences the check that asks for it).
    SECURE_HSTS_SECONDS = 31536000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = _flag("ATTEND_HSTS_PRELOAD", default=True)
    if not SECURE_HSTS_PRELOAD:
        SILENCED_SYSTEM_CHECKS = ["security.W021"]

ATTEND_DEMO_USERS = _flag("ATTEND_DEMO_USERS")

# Messages (attend.notifications): where they go.
ATTEND_NOTIFICATIONS_BACKEND = os.environ.get("ATTEND_NOTIFICATIONS_BACKEND", "console")
ATTEND_OUTBOX_DIR = VAR_DIR / "outbox"
EMAIL_HOST = os.environ.get("ATTEND_SMTP_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("ATTEND_SMTP_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("ATTEND_SMTP_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("ATTEND_SMTP_PASSWORD", "")
EMAIL_USE_TLS = _flag("ATTEND_SMTP_TLS")
EMAIL_TIMEOUT = 20
DEFAULT_FROM_EMAIL = os.environ.get("ATTEND_FROM_EMAIL", "attendance@localhost")
ATTEND_NOTIFY_API_KEY = os.environ.get("ATTEND_NOTIFY_API_KEY", "")
ATTEND_NOTIFY_BASE_URL = os.environ.get(
    "ATTEND_NOTIFY_BASE_URL", "https://api.notifications.service.gov.uk"
)
ATTEND_NOTIFY_EMAIL_TEMPLATE = os.environ.get("ATTEND_NOTIFY_EMAIL_TEMPLATE", "")
ATTEND_NOTIFY_SMS_TEMPLATE = os.environ.get("ATTEND_NOTIFY_SMS_TEMPLATE", "")

# Pupil data never goes into logs: log only our own messages, never request bodies; the request
# loggers (django.request, and django.server under runserver) lose query strings and the request.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"no_request_data": {"()": "attend.accounts.logging.NoRequestData"}},
    "formatters": {
        "django.server": {
            "()": "django.utils.log.ServerFormatter",
            "format": "[{server_time}] {message}",
            "style": "{",
        }
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler"},
        "django.server": {
            "class": "logging.StreamHandler",
            "formatter": "django.server",
            "level": "INFO",
        },
    },
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {
        "django.request": {"filters": ["no_request_data"]},
        # The Notify client logs the provider's error text, which may quote an address:
        # attend.notifications logs each failure itself, without it.
        "notifications_python_client": {"level": "CRITICAL"},
        "django.server": {
            "handlers": ["django.server"],
            "filters": ["no_request_data"],
            "level": "INFO",
            "propagate": False,
        },
    },
}

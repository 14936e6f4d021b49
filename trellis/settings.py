"""Settings for Trellis.

Every value a deployment may change is read from an environment variable through
the typed readers in ``trellis.lib.env``; the README lists them all. Nothing lives
only in a production module: development, test and production differ by
environment alone (tests set a few overrides in ``tests/settings`` via pytest).
"""

from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from trellis.lib.env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("TRELLIS_VAR_DIR", str(BASE_DIR / "var")))

DEBUG = env_bool("DEBUG", False)
SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY is required when DEBUG is off (set DEBUG=1 for development).")
    SECRET_KEY = "development-only-key-never-used-in-production-0123456789abcdef"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.forms",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    # Single sign-on per district (trellis.rostering + trellis.accounts.sso): OpenID Connect and SAML 2.0.
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",
    "allauth.socialaccount.providers.saml",
    "django_htmx",
    "template_partials",
    "django_tasks",
    "django_tasks_db",
    "trellis.accounts",
    "trellis.orgs",
    "trellis.audit",
    "trellis.coaching",
    "trellis.frameworks",
    "trellis.observations",
    "trellis.rostering",
    "trellis.learning",
    "trellis.datagen",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "trellis.accounts.middleware.RefreshIdleSessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "csp.middleware.CSPMiddleware",
    "trellis.accounts.middleware.RequireAdminMFAMiddleware",
]

ROOT_URLCONF = "trellis.urls"
FORM_RENDERER = "trellis.lib.forms.FormRenderer"
WSGI_APPLICATION = "trellis.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "trellis" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "trellis.orgs.context_processors.roles",
                "trellis.observations.context_processors.notices",
                "trellis.accounts.context_processors.navigation",
            ],
            # Template filters that know no domain live in trellis.lib, which is not an app.
            # "i18n" and the built-ins below are Django's own, minus repeated work per table row.
            "libraries": {
                "trellis_text": "trellis.lib.templatetags.trellis_text",
                "i18n": "trellis.lib.templatetags.i18n_cached",
            },
            "builtins": ["trellis.lib.templatetags.fast_builtins"],
        },
    },
]

# Database: SQLite (WAL) under var/ unless DATABASE_URL names another.
DATABASE_URL = env_str("DATABASE_URL")
if DATABASE_URL:
    try:
        DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 60))}
    except ValueError as exc:
        raise ImproperlyConfigured(f"DATABASE_URL cannot be read: {exc}") from exc
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and env_bool("DB_PREPARED_STATEMENTS", True):
        # Each connection plans a statement once it has run a few times, then reuses the plan: a page's
        # joins take PostgreSQL longer to plan than to run. Turn off behind a transaction-pooling proxy
        # that cannot keep prepared statements (PgBouncer before 1.21).
        DATABASES["default"].setdefault("OPTIONS", {}).update({"server_side_binding": True, "prepare_threshold": 2})
else:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": VAR_DIR / "trellis.sqlite3",
            "OPTIONS": {
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
            },
        }
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

# A database cache is shared by every web worker, so login rate limits hold across them.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "trellis_cache",
    }
}

AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Accounts (django-allauth): email login; people are created by their district, not by sign-up.
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_ADAPTER = "trellis.accounts.adapters.AccountAdapter"
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_PASSWORD_RESET_BY_CODE_ENABLED = False
# Sign-in limits are per account (LOGIN_ATTEMPTS_LIMIT failures in the window), not per address: a whole
# school, or a room of 300 at a PD session, signs in from one address (the school's NAT), and a counter per
# address (shared, and locked on every attempt) would turn a room signing in at once away.
ACCOUNT_RATE_LIMITS = {
    "login": "",
    "login_failed": "{limit}/{window}s/key".format(
        limit=env_int("LOGIN_ATTEMPTS_LIMIT", 5, minimum=1), window=env_int("LOGIN_ATTEMPTS_WINDOW", 300, minimum=1)
    ),
}
ACCOUNT_SESSION_REMEMBER = False
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Trellis] "
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Trellis"
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
ACCOUNT_LOGOUT_REDIRECT_URL = "account_login"

# Sessions end after this many seconds without a request (idle expiry) and at browser close. The expiry
# moves forward at most once a SESSION_REFRESH_SECONDS, not on every request (RefreshIdleSessionMiddleware).
SESSION_COOKIE_AGE = env_int("SESSION_IDLE_SECONDS", 8 * 60 * 60, minimum=60)
SESSION_REFRESH_SECONDS = min(300, SESSION_COOKIE_AGE // 10)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_ENGINE = "trellis.accounts.sessions"  # database sessions, the per-request lookup compiled once

# Email: printed to the console in development; SMTP when EMAIL_HOST is set.
EMAIL_HOST = env_str("EMAIL_HOST")
EMAIL_BACKEND = (
    "django.core.mail.backends.smtp.EmailBackend" if EMAIL_HOST else "django.core.mail.backends.console.EmailBackend"
)
EMAIL_PORT = env_int("EMAIL_PORT", 587)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Trellis <no-reply@trellis.localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Background work: the database task backend (run `manage.py db_worker`).
TASKS = {"default": {"BACKEND": env_str("TASKS_BACKEND", "django_tasks_db.DatabaseBackend")}}

LANGUAGE_CODE = "en-us"
LANGUAGES = [("en", _("English")), ("es", _("Spanish"))]
TIME_ZONE = env_str("TIME_ZONE", "America/Chicago")
USE_I18N = True
USE_TZ = True
LOCALE_PATHS = [BASE_DIR / "trellis" / "locale"]

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "trellis" / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
MEDIA_ROOT = VAR_DIR / "media"
MEDIA_URL = "media/"

MESSAGE_TAGS = {40: "error", 30: "warning", 25: "success", 20: "info", 10: "debug"}

# Security: all assets are local, so the policy allows our own origin only and no inline script.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HSTS_SECONDS > 0
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
# Preloading HSTS binds the whole domain and its subdomains for months: that is the district IT's call,
# so check --deploy does not warn while it is off.
# templates.W003 names a tag library label used twice: "i18n" is, on purpose (see TEMPLATES above;
# tests/test_lib_template_speed.py fails if any other label is).
SILENCED_SYSTEM_CHECKS = ["security.W021", "templates.W003"]
if env_bool("BEHIND_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# CASE framework packages: the largest accepted, and how long a CASE server may take to answer.
CASE_MAX_BYTES = env_int("CASE_MAX_BYTES", 50 * 1024 * 1024, minimum=1024)
CASE_FETCH_TIMEOUT = env_int("CASE_FETCH_TIMEOUT", 20, minimum=1)
# CASE servers are public: addresses on private, loopback and link-local networks are refused unless allowed.
CASE_FETCH_ALLOW_PRIVATE = env_bool("CASE_FETCH_ALLOW_PRIVATE", False)
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
# Evidence photos and documents attached to observations.
EVIDENCE_MAX_BYTES = env_int("EVIDENCE_MAX_BYTES", 15 * 1024 * 1024, minimum=1024)
# Days between check-ins when a coach has not set a cadence for a teacher.
CHECK_IN_EVERY_DAYS = env_int("CHECK_IN_EVERY_DAYS", 14, minimum=1)
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("UPLOAD_MAX_BYTES", 10 * 1024 * 1024, minimum=1024)

# Single sign-on (per district) ----------------------------------------------------------
# Each district configures its own provider on its SSO page (trellis.rostering.models.DistrictSSO);
# trellis.accounts.sso hands those rows to allauth as one app per district. Google Workspace,
# Microsoft Entra ID, Clever and ClassLink use allauth's OpenID Connect provider, the rest SAML 2.0.
# allauth never links or signs up by itself: the adapter links a sign-in to the rostered person by
# roster id or by a verified email in the district's domains, and refuses everyone else.
SOCIALACCOUNT_ADAPTER = "trellis.accounts.adapters.SocialAccountAdapter"
SOCIALACCOUNT_EMAIL_AUTHENTICATION = False
SOCIALACCOUNT_EMAIL_AUTHENTICATION_AUTO_CONNECT = False
SOCIALACCOUNT_AUTO_SIGNUP = False
SOCIALACCOUNT_STORE_TOKENS = False
SOCIALACCOUNT_REQUESTS_TIMEOUT = env_int("SSO_REQUESTS_TIMEOUT", 10, minimum=1)
# Identity-provider addresses must use HTTPS; tests and local trials may allow http on loopback only.
SSO_ALLOW_LOOPBACK_HTTP = env_bool("SSO_ALLOW_LOOPBACK_HTTP", DEBUG)

# OneRoster rostering (trellis.rostering) -------------------------------------------------
# The largest CSV file read from a package (uncompressed) and the largest package uploaded.
ROSTER_MAX_FILE_BYTES = env_int("ROSTER_MAX_FILE_BYTES", 100 * 1024 * 1024, minimum=1024)
ROSTER_MAX_UPLOAD_BYTES = env_int("ROSTER_MAX_UPLOAD_BYTES", 100 * 1024 * 1024, minimum=1024)
# A bulk file may deactivate at most this share of a district's rostered people or campuses
# unless the admin confirms (a truncated SIS export must not wipe a district).
_share = env_str("ROSTER_MAX_DEACTIVATION_SHARE", "0.2")
try:
    ROSTER_MAX_DEACTIVATION_SHARE = float(_share)
except ValueError as exc:
    raise ImproperlyConfigured(f"ROSTER_MAX_DEACTIVATION_SHARE must be a number; got {_share!r}") from exc
if not 0 <= ROSTER_MAX_DEACTIVATION_SHARE <= 1:
    raise ImproperlyConfigured("ROSTER_MAX_DEACTIVATION_SHARE must be between 0 and 1.")
# Scheduled sync: each district's drop folder lives under this directory; a package is imported
# once it has not changed for ROSTER_SYNC_SETTLE_SECONDS (the SIS may still be writing it).
ROSTER_SYNC_ROOT = Path(env_str("ROSTER_SYNC_ROOT", str(VAR_DIR / "roster-drop")))
ROSTER_SYNC_SETTLE_SECONDS = env_int("ROSTER_SYNC_SETTLE_SECONDS", 60, minimum=0)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
}

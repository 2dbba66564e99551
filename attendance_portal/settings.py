"""Settings for the attendance portal, driven entirely by environment variables.

DEBUG is off unless DEBUG=true is set (`make run` and the test settings, tests/settings.py,
set it); with it on and nothing else set it runs locally: SQLite in db.sqlite3, console
email and eager Celery. DATABASE_URL and CELERY_BROKER_URL switch to real infrastructure.
Every variable is documented in .env.example.
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from kombu import Queue

BASE_DIR = Path(__file__).resolve().parent.parent


TRUE_WORDS = frozenset({"1", "true", "yes", "on", "y"})
FALSE_WORDS = frozenset({"0", "false", "no", "off", "n"})


def env_str(name: str, default: str = "") -> str:
    """NAME, or the contents of the file NAME_FILE names (Docker and Kubernetes secrets)."""
    path = os.environ.get(f"{name}_FILE")
    if path:
        if os.environ.get(name):
            raise ImproperlyConfigured(f"Set {name} or {name}_FILE, not both.")
        try:
            return Path(path).read_text().strip()
        except OSError as error:
            raise ImproperlyConfigured(f"{name}_FILE: cannot read {path}: {error}") from error
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    # A typo such as "ture" must stop start-up: read as False, it would silently turn a
    # security setting off (healthchecks and pretix refuse unknown values the same way).
    value = os.environ.get(name, "").strip().lower()
    if value == "":
        return default
    if value in TRUE_WORDS:
        return True
    if value in FALSE_WORDS:
        return False
    raise ImproperlyConfigured(
        f"{name}={os.environ[name]!r} is not a boolean: use one of "
        f"{', '.join(sorted(TRUE_WORDS))} or {', '.join(sorted(FALSE_WORDS))}."
    )


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={value!r} is not a whole number.") from None


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


# Off unless asked for: a production host that forgets it must not show tracebacks.
DEBUG = env_bool("DEBUG", default=False)

# The value .env.example ships with: a copied file that was never filled in.
PLACEHOLDER_SECRET_KEYS = frozenset({"change-me"})
SECRET_KEY = env_str("SECRET_KEY").strip()
if SECRET_KEY.lower() in PLACEHOLDER_SECRET_KEYS:
    raise ImproperlyConfigured(
        "SECRET_KEY is still the placeholder from .env.example: set a long random string "
        "(python -c 'import secrets; print(secrets.token_urlsafe(50))')."
    )
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY must be set when DEBUG is off (DEBUG=true for local development: "
            "make run sets it)."
        )
    SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production"  # noqa: S105

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_celery_beat",
    "registers",
    "registers.lessons",
    "registers.families",
    "escalation",
    "reporting",
    # The HTTP API (/api/v1/, attendance_portal/api): tokens, not sessions.
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "attendance_portal.api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # A NUL in the path, query, cookies or a form is a 400 before anything reads it.
    "attendance_portal.security.RejectNulMiddleware",
    # Every page and download: Cache-Control: no-store (static files keep theirs).
    "attendance_portal.security.NoStoreMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Every page needs a login unless its view is marked @login_not_required.
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    # Report pages read the replica, if there is one; a browser that just wrote, the primary.
    "attendance_portal.replica.ReadYourWritesMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "attendance_portal.security.ContentSecurityPolicyMiddleware",
]

ROOT_URLCONF = "attendance_portal.urls"
WSGI_APPLICATION = "attendance_portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "attendance_portal.context_processors.portal",
            ],
        },
    },
]


def database_settings(url: str) -> dict:
    """DATABASE_URL as Django's settings. SQLite (`make run`, with Celery in process) gets
    WAL mode, so that a page can read while a letters batch writes, a busy timeout, so that
    a second writer waits instead of failing with "database is locked", and IMMEDIATE
    transactions, so that a transaction that read first never fails to start writing."""
    config = dj_database_url.parse(
        url,
        conn_max_age=env_int("DB_CONN_MAX_AGE", 60),
        # A persistent connection the database dropped is replaced before the request
        # uses it, not found broken by it (a 500 per worker after a restart: issue 22).
        conn_health_checks=True,
    )
    if config["ENGINE"] == "django.db.backends.sqlite3":
        config.setdefault("OPTIONS", {}).update(
            init_command="PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            transaction_mode="IMMEDIATE",
            timeout=env_int("SQLITE_BUSY_TIMEOUT", 30),
        )
    return config


DATABASES = {
    "default": database_settings(env_str("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"))
}
# A PostgreSQL streaming replica for reporting reads (attendance_portal/replica.py): the
# report pages read it unless the browser wrote within REPLICA_MAX_LAG_SECONDS or the
# replica is further behind than that. Writes and migrations never go there.
REPLICA_DATABASE_URL = env_str("REPLICA_DATABASE_URL")
REPLICA_MAX_LAG_SECONDS = env_int("REPLICA_MAX_LAG_SECONDS", 10)
REPORTING_READS_DATABASE = "default"
if REPLICA_DATABASE_URL:
    DATABASES["replica"] = database_settings(REPLICA_DATABASE_URL)
    # An unreachable replica costs a report two seconds, then it reads the primary.
    DATABASES["replica"].setdefault("OPTIONS", {}).setdefault("connect_timeout", 2)
    REPORTING_READS_DATABASE = "replica"
DATABASE_ROUTERS = ["attendance_portal.replica.ReplicaRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-gb"
TIME_ZONE = env_str("TIME_ZONE", "Europe/London")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "media")))
# The national comparators (reporting/national.py): a newer copy of
# reporting/data/national_benchmarks.json, when DfE publishes new figures. Empty: the built-in file.
NATIONAL_BENCHMARKS_FILE = env_str("NATIONAL_BENCHMARKS_FILE", "")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        # Hashed names and a manifest (staticfiles.json): collectstatic must run with
        # DEBUG off, as the Dockerfile does (tests/portal/test_deployment.py).
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# In development whitenoise serves straight from the app and static/ folders.
WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_AUTOREFRESH = DEBUG

EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
# Where django.core.mail.backends.filebased.EmailBackend writes (demos and browser tests).
EMAIL_FILE_PATH = env_str("EMAIL_FILE_PATH", str(BASE_DIR / "sent-email"))
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "attendance@localhost")
# The portal's address as staff reach it (https://attendance.example.org), for links in
# emails sent without a request (missing-register reminders); empty: links are paths.
PORTAL_BASE_URL = env_str("PORTAL_BASE_URL", "")

# -- Families: messages to contacts, parents' codes (registers/families) -------------------
# Text messages: "console" (printed; the default with DEBUG on), "file" (one file per text in
# SMS_FILE_PATH, for demos and tests), "notify" (GOV.UK Notify) or empty (no texts are sent).
# Email to families goes through EMAIL_BACKEND above (django-anymail's backends for a real
# provider, e.g. anymail.backends.amazon_ses.EmailBackend with its ANYMAIL settings).
SMS_BACKEND = env_str("SMS_BACKEND", "console" if DEBUG else "")
SMS_FILE_PATH = env_str("SMS_FILE_PATH", str(BASE_DIR / "sent-sms"))
# GOV.UK Notify: an API key, and the id of an SMS template whose whole text is ((body)).
NOTIFY_API_KEY = env_str("NOTIFY_API_KEY")
NOTIFY_SMS_TEMPLATE_ID = env_str("NOTIFY_SMS_TEMPLATE_ID")
# The bearer token Notify sends with its delivery receipts (its "callback" setting); empty:
# no callback, delivery status is polled instead (families.poll_delivery_task).
NOTIFY_CALLBACK_TOKEN = env_str("NOTIFY_CALLBACK_TOKEN")
# A parent's one-time sign-in code works this many minutes.
PARENT_CODE_MINUTES = env_int("PARENT_CODE_MINUTES", 10)
# Sending retries a provider's transient failure this many times, waiting 1, 2, 4 … minutes.
FAMILY_MESSAGE_RETRIES = env_int("FAMILY_MESSAGE_RETRIES", 5)
# -- end of families --------------------------------------------------------------------------

# -- Sign-in and accounts (issue 14 part 2, signin/) ----------------------------------------
# Passwords are checked by signin's throttled ModelBackend (also on /admin/login/); its
# counts live in the database, so sign-in keeps working when Redis is down. Other backends
# (single sign-on) may be added after it; django.contrib.auth's plain ModelBackend must not
# be (system check signin.E001).
INSTALLED_APPS.append("attendance_portal.signin")
AUTHENTICATION_BACKENDS = ["attendance_portal.signin.backends.ThrottledModelBackend"]
# Free failed sign-ins per username from one address; then a lock of LOGIN_LOCKOUT_SECONDS
# that doubles with each further failure, up to LOGIN_LOCKOUT_MAX_SECONDS. Failures from one
# address over all usernames: LOGIN_ADDRESS_MAX_FAILURES an hour.
LOGIN_MAX_FAILURES = env_int("LOGIN_MAX_FAILURES", 5)
LOGIN_LOCKOUT_SECONDS = env_int("LOGIN_LOCKOUT_SECONDS", 5 * 60)
LOGIN_LOCKOUT_MAX_SECONDS = env_int("LOGIN_LOCKOUT_MAX_SECONDS", 24 * 60 * 60)
LOGIN_ADDRESS_MAX_FAILURES = env_int("LOGIN_ADDRESS_MAX_FAILURES", 100)
# How many proxies of our own stand in front of the portal (the TLS proxy: 1). Only then are
# X-Forwarded-For (the client's address) and X-Forwarded-Proto (https) believed; with 0 a
# client could write them itself.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if TRUSTED_PROXY_COUNT else None
# Password reset links by email (the EMAIL_BACKEND above) stay valid this long.
PASSWORD_RESET_TIMEOUT = env_int("PASSWORD_RESET_TIMEOUT", 60 * 60)
# -- end of sign-in and accounts ---------------------------------------------------------------

# Everything is served from our own origin; inline styles are allowed for Bootstrap
# utilities in generated markup, scripts are not.
STRICT_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; "
    "frame-ancestors 'none'; form-action 'self'; base-uri 'self'; object-src 'none'"
)
CONTENT_SECURITY_POLICY = env_str("CONTENT_SECURITY_POLICY", STRICT_CSP)

# The marks' covering index (registers 0008) is a PostgreSQL optimisation; SQLite, used
# only for `make run` and local tests, builds it without the INCLUDE columns.
SILENCED_SYSTEM_CHECKS = ["models.W040"]

CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": env_str("CACHE_URL"),
    }
    if env_str("CACHE_URL")
    else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
}

# Sessions expire after a working day of inactivity; staff share devices in school offices.
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 8 * 60 * 60)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

# Celery: eager (in-process) unless a broker is configured.
TASK_QUEUE_NAMES = ("sweep", "letters", "messages", "reports", "default")
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_BACKEND = env_str("CELERY_RESULT_BACKEND") or None
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", 30 * 60)
CELERY_TASK_SOFT_TIME_LIMIT = env_int("CELERY_TASK_SOFT_TIME_LIMIT", 25 * 60)
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
# One queue per kind of work (docs/scaling.md "Celery"), so that a term's letters never
# hold up the nightly sweep and neither holds up a reminder email. A worker started
# without -Q consumes every declared queue (make run's eager mode needs none); the
# docker-compose workers each take a group. A route to an undeclared queue is refused
# when the task is sent, not left waiting forever, and every task must match a route
# (tests/portal/test_task_routes.py): a new task picks its queue here.
CELERY_TASK_QUEUES = tuple(Queue(name) for name in TASK_QUEUE_NAMES)
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_TASK_CREATE_MISSING_QUEUES = False
# Exact names first, then the patterns in this order (celery.app.routes.MapRoute): the
# letters pattern comes before the sweep's, so queue_sweep_letters renders on letters.
CELERY_TASK_ROUTES = {
    "escalation.*letter*": {"queue": "letters"},
    "escalation.*sweep*": {"queue": "sweep"},
    "registers.register_reminders": {"queue": "messages"},
    "registers.ensure_mark_partitions": {"queue": "default"},
    "*.send_*": {"queue": "messages"},
    # The families' first-day messages and delivery polls (merged from branch families).
    "families.*": {"queue": "messages"},
    # The parents' sign-in codes are messages; the purge of their expired rows is upkeep.
    "parents.send_sign_in_code": {"queue": "messages"},
    "parents.purge_expired": {"queue": "default"},
    "reporting.*": {"queue": "reports"},
    "*figures*": {"queue": "reports"},
    "escalation.requeue_stalled": {"queue": "default"},
    "*import*": {"queue": "default"},
    "*export*": {"queue": "default"},
}
# Never block on the broker (issue 22). Pages send after commit on a connection of their
# own (attendance_portal.broker): this many seconds to connect and to answer, no retry;
# what was not sent is sent again by beat's escalation.requeue_stalled.
BROKER_PUBLISH_TIMEOUT = float(env_str("BROKER_PUBLISH_TIMEOUT", "0.25"))
# The worker's own connection: short connect timeouts, and sends from tasks never loop.
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_BROKER_TRANSPORT_OPTIONS = {"socket_connect_timeout": 2}
CELERY_TASK_PUBLISH_RETRY = False
# A running sweep stamps its claim this often; silent three times over, the claim expires.
SWEEP_HEARTBEAT_SECONDS = env_int("SWEEP_HEARTBEAT_SECONDS", 20)

# Production hardening: on whenever DEBUG is off.
if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_CONTENT_TYPE_NOSNIFF = True
    X_FRAME_OPTIONS = "DENY"

# -- Two-step sign-in (MFA) and single sign-on (OIDC): the identity app ----------------------
# Kept in this one block. TOTP with recovery codes on django-otp; the second step is enforced
# by identity.middleware after the password step (Django's LoginView, untouched), for staff
# of a school whose policy requires it (School.require_mfa) and anyone who enrolled.
INSTALLED_APPS += [
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "attendance_portal.identity",
]
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.contrib.auth.middleware.AuthenticationMiddleware") + 1,
    "django_otp.middleware.OTPMiddleware",
)
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.contrib.auth.middleware.LoginRequiredMiddleware") + 1,
    "attendance_portal.identity.middleware.SecondStepMiddleware",
)
OTP_TOTP_ISSUER = env_str("OTP_TOTP_ISSUER", "Attendance portal")
# django-otp's throttling: after n wrong codes a device refuses codes for factor·2^(n-1) s.
OTP_TOTP_THROTTLE_FACTOR = env_int("OTP_THROTTLE_FACTOR", 1)
OTP_STATIC_THROTTLE_FACTOR = env_int("OTP_THROTTLE_FACTOR", 1)
# ... up to this wait at most (identity.apps sets django-otp's cap): an hour by default, so a
# guesser gets 24 codes a day and a colleague who has the password cannot lock one for good.
OTP_THROTTLE_MAX_SECONDS = max(1, env_int("OTP_THROTTLE_MAX_SECONDS", 60 * 60))

# Single sign-on with OpenID Connect (mozilla-django-oidc), off unless OIDC_ENABLED. It signs
# in existing staff by their email address only; it never creates an account.
OIDC_ENABLED = env_bool("OIDC_ENABLED", False)
OIDC_PROVIDER_NAME = env_str("OIDC_PROVIDER_NAME", "Microsoft 365")
OIDC_RP_CLIENT_ID = env_str("OIDC_RP_CLIENT_ID")
OIDC_RP_CLIENT_SECRET = env_str("OIDC_RP_CLIENT_SECRET")
OIDC_OP_AUTHORIZATION_ENDPOINT = env_str("OIDC_OP_AUTHORIZATION_ENDPOINT")
OIDC_OP_TOKEN_ENDPOINT = env_str("OIDC_OP_TOKEN_ENDPOINT")
OIDC_OP_USER_ENDPOINT = env_str("OIDC_OP_USER_ENDPOINT")
OIDC_OP_JWKS_ENDPOINT = env_str("OIDC_OP_JWKS_ENDPOINT")
OIDC_RP_SIGN_ALGO = env_str("OIDC_RP_SIGN_ALGO", "RS256")
OIDC_RP_SCOPES = "openid email"
OIDC_USE_PKCE = True
OIDC_CREATE_USER = False
OIDC_TIMEOUT = env_int("OIDC_TIMEOUT", 10)
OIDC_AUTHENTICATION_CALLBACK_URL = "identity:sso_callback"
# Only these email domains may sign in by SSO (empty: any the provider vouches for).
OIDC_ALLOWED_EMAIL_DOMAINS = env_list("OIDC_ALLOWED_EMAIL_DOMAINS")
# Does a sign-in through the provider count as the second step? Only say yes when the
# provider itself enforces MFA for these accounts (Entra ID conditional access, Google's
# 2-Step Verification enforcement); by default the portal still asks for its own code.
OIDC_SATISFIES_MFA = env_bool("OIDC_SATISFIES_MFA", False)
if OIDC_ENABLED:
    _oidc_missing = [
        name
        for name in (
            "OIDC_RP_CLIENT_ID",
            "OIDC_RP_CLIENT_SECRET",
            "OIDC_OP_AUTHORIZATION_ENDPOINT",
            "OIDC_OP_TOKEN_ENDPOINT",
            "OIDC_OP_USER_ENDPOINT",
            "OIDC_OP_JWKS_ENDPOINT",
        )
        if not globals()[name]
    ]
    if _oidc_missing:
        raise ImproperlyConfigured(f"OIDC_ENABLED needs {', '.join(_oidc_missing)}.")
    AUTHENTICATION_BACKENDS = [
        *globals().get("AUTHENTICATION_BACKENDS", ["django.contrib.auth.backends.ModelBackend"]),
        "attendance_portal.identity.oidc.StaffEmailBackend",
    ]
# -- end of two-step sign-in and single sign-on ---------------------------------------------

# -- The parent portal (attendance_portal/parents) -------------------------------------------
# Parents sign in with a one-time code sent to the email or mobile number the school holds.
# Their session is their own cookie (path /parents/, ends when the browser closes), ended
# after this many idle seconds, and after PARENT_SESSION_MAX_SECONDS whatever happens.
INSTALLED_APPS.append("attendance_portal.parents")
PARENT_SESSION_IDLE_SECONDS = env_int("PARENT_SESSION_IDLE_SECONDS", 30 * 60)
PARENT_SESSION_MAX_SECONDS = env_int("PARENT_SESSION_MAX_SECONDS", 4 * 60 * 60)
# Codes a contact may ask for in an hour before a lock (doubling from PARENT_LOCKOUT_SECONDS),
# and requests plus wrong codes an address may make in an hour (parents on one mobile network
# can share an address, so it is generous).
PARENT_CODE_MAX_REQUESTS = env_int("PARENT_CODE_MAX_REQUESTS", 5)
PARENT_ADDRESS_MAX_FAILURES = env_int("PARENT_ADDRESS_MAX_FAILURES", 50)
PARENT_LOCKOUT_SECONDS = env_int("PARENT_LOCKOUT_SECONDS", 15 * 60)
# -- end of the parent portal ------------------------------------------------------------------
# -- the HTTP API (attendance_portal/api) ------------------------------------------------------
# Calls per minute for one token (429 with Retry-After past it), counted in the default
# cache: set CACHE_URL (Redis) so that every worker process counts together.
API_RATE_PER_MINUTE = env_int("API_RATE_PER_MINUTE", 120)
# A token's lifetime when its creator gives none, and the longest they may give.
API_TOKEN_DEFAULT_DAYS = env_int("API_TOKEN_DEFAULT_DAYS", 90)
API_TOKEN_MAX_DAYS = env_int("API_TOKEN_MAX_DAYS", 366)
REST_FRAMEWORK = {
    # Tokens only: a signed-in browser's session never opens the API (no CSRF to forget).
    "DEFAULT_AUTHENTICATION_CLASSES": ["attendance_portal.api.authentication.TokenAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["attendance_portal.api.access.HasToken"],
    "DEFAULT_THROTTLE_CLASSES": ["attendance_portal.api.throttling.TokenRateThrottle"],
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "attendance_portal.api.renderers.CsvRenderer",
    ],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "attendance_portal.api.problems.exception_handler",
    # CSV through Accept: text/csv only (no ?format=, one way to ask).
    "URL_FORMAT_OVERRIDE": None,
    "UNAUTHENTICATED_USER": None,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Attendance portal API",
    "DESCRIPTION": (
        "Figures, marks and cases of the schools a token covers. Send the token as "
        "`Authorization: Bearer <token>`. Errors are RFC 9457 problem details."
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SERVE_AUTHENTICATION": [],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "attendance_portal.api.schema.require_bodies",
    ],
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "WARNING")},
}

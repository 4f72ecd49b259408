"""Desist settings: everything that differs between machines comes from the environment.

See the README's table of environment variables.
"""

import os
import sys
from datetime import timedelta
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured
from kombu import Queue

from config.env import (
    database_url,
    env_bool,
    env_int_range,
    env_list,
    env_networks,
    redis_url,
    secret_key,
    site_url,
    storage_from_url,
)

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("DESIST_VAR_DIR", BASE_DIR / "var"))

env = environ.Env()

DEBUG = env_bool("DEBUG", default=False)
SECRET_KEY = secret_key(DEBUG)
# Rotating the key (README, Operations): the previous keys, still accepted for signatures
# made with them (sessions, password reset links) until they are removed.
SECRET_KEY_FALLBACKS = env_list("SECRET_KEY_FALLBACKS")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",
    "django_filters",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "axes",
    "csp",
    "simple_history",
    "casework",
    "notices",
    "dashboards",
]

MIDDLEWARE = [
    # Issue 13 (metrics and logs): the request id first, so every response and log
    # line carries it; django-prometheus's pair around everything else.
    "config.requestid.RequestIdMiddleware",
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
    "django_prometheus.middleware.PrometheusAfterMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

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
                "casework.context_processors.workspace",
            ],
        },
    },
    # Jinja2 only for the item list's rows, where it renders several times faster than
    # the Django template language (measured in `make bench`); pages stay Django templates.
    {
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "DIRS": [BASE_DIR / "templates" / "jinja2"],
        "APP_DIRS": False,
        "OPTIONS": {"environment": "config.jinja2.environment", "autoescape": True},
    },
]

# --- Database -------------------------------------------------------------
# PostgreSQL only (the trigram and covering indexes, COPY, percentile_cont need it).
# `make run` starts an embedded PostgreSQL and sets DATABASE_URL itself.
DATABASES = {"default": env.db_url_config(database_url(env.str("DATABASE_URL", default="")))}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=0)
# A kept connection is checked before a request reuses it (gunicorn.conf.py keeps them).
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Audit history (django-simple-history): the reason of a change (an item edit's note, a
# platform kept despite its URL's host) is text of any length, shown on the timeline.
SIMPLE_HISTORY_HISTORY_CHANGE_REASON_USE_TEXT_FIELD = True

# --- Auth -----------------------------------------------------------------
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # ModelBackend that reads the user's roles and holders with the user (one query).
    "casework.backends.MemberBackend",
]
# The test suite creates hundreds of users: PBKDF2 at Django's cost is ~0.5 s each on
# this machine. Only for tests (pyproject's pytest_env); `check --deploy` runs without it.
if env.bool("FAST_PASSWORD_HASHING", default=False):
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "casework:item-list"
LOGOUT_REDIRECT_URL = "login"
# Failures count per username + client address, and per client address; a person
# locked out at one address can still sign in from another. The client address
# is read from X-Forwarded-For only behind a proxy named in TRUSTED_PROXIES.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=60))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "ip_address"]
AXES_CLIENT_IP_CALLABLE = "config.signin.client_ip"
AXES_LOCKOUT_CALLABLE = "config.signin.lockout_response"
TRUSTED_PROXIES = env_networks("TRUSTED_PROXIES")
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False

# --- Internationalisation -------------------------------------------------
LANGUAGE_CODE = "en-us"
TIME_ZONE = env.str("TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True

# --- Static and media files -------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(VAR_DIR / "media")))
# Uploads, letters, imports, exports and reports: an S3-compatible bucket when
# STORAGE_URL is set (config/storage.py), else MEDIA_ROOT (or FILE_STORAGE's class).
STORAGE_URL = env.str("STORAGE_URL", default="")
if STORAGE_URL and os.environ.get("FILE_STORAGE"):
    raise ImproperlyConfigured("Set STORAGE_URL or FILE_STORAGE, not both.")
STORAGES = {
    "default": storage_from_url(
        STORAGE_URL,
        access_key=env.str("STORAGE_ACCESS_KEY_ID", default=""),
        secret_key=env.str("STORAGE_SECRET_ACCESS_KEY", default=""),
    )
    if STORAGE_URL
    else {
        "BACKEND": env.str("FILE_STORAGE", default="django.core.files.storage.FileSystemStorage")
    },
    # Hashed, compressed names in production (needs collectstatic); plain names otherwise.
    "staticfiles": {
        "BACKEND": "config.storage.StaticFilesStorage"
        if env_bool("STATIC_MANIFEST", default=not DEBUG)
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_MEMORY_SIZE = 10_485_760
# Evidence uploads: the largest file and the content types accepted.
EVIDENCE_MAX_BYTES = env.int("EVIDENCE_MAX_BYTES", default=25 * 1024 * 1024)
EVIDENCE_CONTENT_TYPES = env_list(
    "EVIDENCE_CONTENT_TYPES",
    "image/png,image/jpeg,image/webp,image/gif,video/mp4,video/webm,application/pdf,"
    "text/html,message/rfc822,text/plain",
)
IMPORT_MAX_BYTES = env.int("IMPORT_MAX_BYTES", default=50 * 1024 * 1024)
# An upload with more rows than this (estimated from its line count) is checked by a
# worker, with progress on the page, instead of inside the upload request.
IMPORT_CHECK_IN_REQUEST_ROWS = env.int("IMPORT_CHECK_IN_REQUEST_ROWS", default=2_000)
# A confirmed import of at most this many rows is written in the request; larger ones
# are written by a worker, with progress on the page.
IMPORT_WRITE_IN_REQUEST_ROWS = env.int("IMPORT_WRITE_IN_REQUEST_ROWS", default=2_000)
# Near-duplicates (casework.variants): items whose evidence pHashes differ in at most
# this many of their 64 bits fall into one variant group (0-14: the multi-index lookup
# splits a hash in 5 fields and probes each within distance // 5, at most 2), and how
# many keyframes of a video are hashed.
VARIANT_MAX_DISTANCE = env_int_range("VARIANT_MAX_DISTANCE", default=9, low=0, high=14)
VARIANT_VIDEO_FRAMES = env_int_range("VARIANT_VIDEO_FRAMES", default=8, low=1, high=64)

# --- Email ------------------------------------------------------------------
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="desist@localhost")
# Emails link to their demand with an absolute URL: SITE_URL + the page's path.
SITE_URL = site_url(env.str("SITE_URL", default="http://localhost:8000"))

# --- Celery -----------------------------------------------------------------
# Redis is the broker and the checks' rate limiter (`make run` starts an embedded one).
# Every process that runs the app needs it and refuses to start without it; only
# comparing the models with the migrations (`makemigrations`) needs no broker.
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL or sys.argv[1:2] != ["makemigrations"]:
    REDIS_URL = redis_url(REDIS_URL)
REDIS_URL_FOR_CACHE = REDIS_URL or "redis://127.0.0.1:6379/0"  # makemigrations never connects
CELERY_BROKER_URL = REDIS_URL
# The cache (the item list's filter choices, casework/catalogue.py; the API's per-key
# throttle counts) lives in the same Redis, shared by every web process so a change is
# seen by all of them at once and every process counts against one limit.
# Short timeouts: a Redis that does not answer costs a request half a second, and
# the page is then built from the database.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL_FOR_CACHE,
        "KEY_PREFIX": "desist",
        "OPTIONS": {
            "socket_connect_timeout": env.float("CACHE_CONNECT_TIMEOUT", default=0.5),
            "socket_timeout": env.float("CACHE_SOCKET_TIMEOUT", default=0.5),
        },
    }
}
# kombu's Redis transport, but a malformed message is logged and dropped
# instead of stopping the worker (config/broker.py).
CELERY_BROKER_TRANSPORT = "config.broker:Transport"
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=3600),
    # A request publishes after its row commits; with Redis unreachable the publish
    # must give up in seconds, not hang the request (casework.jobs.publish).
    "socket_connect_timeout": env.float("CELERY_BROKER_CONNECT_TIMEOUT", default=2.0),
    # A Redis that accepts the connection but does not answer (frozen, half-open):
    # without a socket timeout a publish waits forever. The worker's BRPOP replies
    # within kombu's brpop_timeout (1 s), well inside this.
    "socket_timeout": env.float("CELERY_BROKER_SOCKET_TIMEOUT", default=1.5),
}
CELERY_BROKER_CONNECTION_TIMEOUT = env.float("CELERY_BROKER_CONNECT_TIMEOUT", default=2.0)
# One retry, half a second apart: a request waits at most ~2-3 s for a broker that is
# down; the row stays queued and the job sweeper sends it again (casework/jobs.py).
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 1,
    "interval_start": 0.2,
    "interval_step": 0.3,
    "interval_max": 0.5,
}
CELERY_TASK_ALWAYS_EAGER = False
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Time limits are the worker's own: config/celery.py keeps publishers from
# stamping theirs on messages, so these apply as the worker's environment says.
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=240)
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=300)
CELERY_WORKER_MAX_TASKS_PER_CHILD = env.int("CELERY_WORKER_MAX_TASKS_PER_CHILD", default=50)
# A pool child that grew past this (KiB) after a task is replaced, so one huge
# render does not pin gigabytes in a long-lived process.
CELERY_WORKER_MAX_MEMORY_PER_CHILD = env.int("CELERY_WORKER_MAX_MEMORY_PER_CHILD", default=600_000)
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
CELERY_BEAT_SCHEDULE = {
    # Verification checks and quiet periods (casework/tasks/checks.py).
    "check-due-items": {"task": "casework.tasks.checks.check_due_items", "schedule": 900.0},
    "sweep-quiet-periods": {
        "task": "casework.tasks.checks.sweep_quiet_periods",
        "schedule": 3600.0,
    },
    # Overdue demands and deadline reminders (notices/deadlines.py).
    "sweep-deadlines": {"task": "notices.tasks.sweep_deadlines", "schedule": 900.0},
    "send-reminders": {"task": "notices.tasks.send_reminders", "schedule": 900.0},
    # Workflow notifications whose task message was lost (notices/notifications.py).
    "send-unsent-notifications": {
        "task": "notices.tasks.send_unsent_notifications",
        "schedule": 300.0,
    },
    # The dashboard rollups' delta rows folded into one per key (casework/rollups.py).
    "compact-rollups": {
        "task": "casework.tasks.rollups.compact_rollups",
        "schedule": env.float("ROLLUP_COMPACT_SECONDS", default=300.0),
    },
    # One sweeper for every job kind (casework/jobs.py): letter renders, imports,
    # exports, dashboard reports whose worker died or whose message was lost.
    "sweep-jobs": {
        "task": "casework.tasks.jobs.sweep_jobs",
        "schedule": env.float("JOB_SWEEP_SECONDS", default=60.0),
    },
}
# --- Queues, routing and beat (issue 13: scale out) ---------------------------
# One queue per kind of work, so each can get its own workers (docker-compose.yml runs a
# worker service per queue, `celery -A config worker -Q letters`). Routing is declared
# here only; a task not named here goes to the default queue. A worker started without
# -Q consumes every queue below (`make run`, the test workers).
CELERY_TASK_DEFAULT_QUEUE = "default"
WORK_QUEUES = {
    "default": "sweepers, deadlines, reminders, notifications and anything not routed",
    "letters": "letter renders (WeasyPrint)",
    "checks": "verification checks of item URLs",
    "imports-exports": "CSV imports and export ZIPs",
    "reports": "dashboard PDF reports",
}
CELERY_TASK_QUEUES = tuple(Queue(name, routing_key=name) for name in WORK_QUEUES)
CELERY_TASK_ROUTES = {
    "notices.tasks.render_letter": {"queue": "letters"},
    "casework.tasks.checks.check_item": {"queue": "checks"},
    "casework.tasks.checks.run_check_request": {"queue": "checks"},
    "casework.tasks.checks.check_due_items": {"queue": "checks"},
    "casework.tasks.imports.run_import": {"queue": "imports-exports"},
    "notices.tasks.build_export_zip": {"queue": "imports-exports"},
    # Perceptual hashing of uploaded and imported evidence: intake work, beside imports.
    "casework.tasks.variants.group_evidence": {"queue": "imports-exports"},
    "casework.tasks.variants.group_pending": {"queue": "imports-exports"},
    "dashboards.tasks.render_dashboard_report": {"queue": "reports"},
}
# One beat: celery-redbeat keeps the schedule in Redis and the running beat holds a
# lock there, renewed every tick (at most BEAT_MAX_LOOP_SECONDS apart) and expiring
# BEAT_LOCK_TIMEOUT seconds after its last renewal. A second beat started by mistake
# waits for that lock instead of sending every periodic task again; it takes over
# within BEAT_LOCK_TIMEOUT seconds if the first one dies.
CELERY_BEAT_SCHEDULER = "redbeat.RedBeatScheduler"
CELERY_BEAT_MAX_LOOP_INTERVAL = env.int("BEAT_MAX_LOOP_SECONDS", default=5)
CELERY_REDBEAT_REDIS_URL = REDIS_URL
CELERY_REDBEAT_REDIS_OPTIONS = {"socket_connect_timeout": 2.0, "socket_timeout": 5.0}
CELERY_REDBEAT_KEY_PREFIX = env.str("BEAT_KEY_PREFIX", default="desist:beat:")
CELERY_REDBEAT_LOCK_TIMEOUT = env.int("BEAT_LOCK_TIMEOUT", default=30)

# A job's claim holds this long (longer than CELERY_TASK_TIME_LIMIT, so a live worker
# never loses it); after that a dead worker's job is taken again, and a job queued
# this long without a worker taking it is enqueued again.
JOB_LEASE_SECONDS = env.int("JOB_LEASE_SECONDS", default=600)
# The most items one letter's Exhibit A lists. A larger demand is refused at
# submission with a request to split it: 2,500 rows render in about a minute
# and 700 MB, well inside the task time limit (see `make bench`).
LETTER_MAX_EXHIBIT_ITEMS = env.int("LETTER_MAX_EXHIBIT_ITEMS", default=2500)

# --- REST API (casework/api, notices/api.py) ----------------------------------
# Requests per API key (or signed-in user) per minute; a client above it gets a 429
# with Retry-After. Read per request, so a test may change it.
API_THROTTLE_RATE = env.str("API_THROTTLE_RATE", default="600/min")
# The most rows one bulk-create request may carry.
API_BULK_MAX_ROWS = env.int("API_BULK_MAX_ROWS", default=1000)
# Largest item page of the API list (the page offers 25 to 200).
API_MAX_PAGE_SIZE = env.int("API_MAX_PAGE_SIZE", default=1000)
# How long a bulk request's Idempotency-Key (and its stored response) is kept.
API_IDEMPOTENCY_DAYS = env.int("API_IDEMPOTENCY_DAYS", default=7)
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "casework.api.auth.ApiKeyAuthentication",
        # The browser: the signed-in session, with CSRF enforced on writes.
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["casework.api.auth.HolderAccess"],
    "DEFAULT_THROTTLE_CLASSES": ["casework.api.auth.KeyRateThrottle"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "casework.api.schema.ProblemAutoSchema",
    "EXCEPTION_HANDLER": "casework.api.problems.exception_handler",
    "DEFAULT_VERSIONING_CLASS": "rest_framework.versioning.URLPathVersioning",
    "DEFAULT_VERSION": "v1",
    "ALLOWED_VERSIONS": ["v1"],
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Desist API",
    "DESCRIPTION": "Infringing items, evidence, stages, demands and remedies of one rights "
    "holder, for monitoring vendors. Authenticate with `Authorization: Bearer <key>` (a "
    "manager creates keys under the holder's API keys page). Errors are RFC 9457 problem "
    "details (`application/problem+json`).",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": r"/api/v[0-9]+",
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "StageEnum": "casework.choices.Stage",
        "RemedyStatusEnum": "notices.choices.RemedyStatus",
    },
}

# --- Security ---------------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$", r"^metrics$"]
SESSION_COOKIE_HTTPONLY = True
# Read from Redis, kept in PostgreSQL (config/sessions.py): no session query per request.
SESSION_ENGINE = "config.sessions"
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", default=not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# Outbound URL checks: addresses in private ranges are refused unless listed here.
# Tests add 127.0.0.1 to reach the local server they start.
CHECK_ALLOWED_ADDRESSES = env_list("CHECK_ALLOWED_ADDRESSES")
CHECK_TIMEOUT_SECONDS = env.float("CHECK_TIMEOUT_SECONDS", default=10.0)
# Per-host rate limit of checks: at most this many per window (shared through Redis).
CHECK_HOST_MAX_PER_WINDOW = env.int("CHECK_HOST_MAX_PER_WINDOW", default=10)
CHECK_HOST_WINDOW_SECONDS = env.int("CHECK_HOST_WINDOW_SECONDS", default=60)
# Notified/removed items are checked this often; ceased ones seldom (a relapse is rare).
CHECK_INTERVAL_MINUTES = env.int("CHECK_INTERVAL_MINUTES", default=360)
CHECK_CEASED_INTERVAL_HOURS = env.int("CHECK_CEASED_INTERVAL_HOURS", default=168)
CHECK_BATCH_SIZE = env.int("CHECK_BATCH_SIZE", default=500)
# A check asked again this soon after the last one (a redelivered task) does nothing.
CHECK_DEDUPE_SECONDS = env.int("CHECK_DEDUPE_SECONDS", default=60)

# --- Metrics, health and logs (issue 13) ------------------------------------------
# /metrics answers a bearer token (Authorization: Bearer <METRICS_TOKEN>) or an address
# in METRICS_ALLOWED_NETWORKS; with neither set it refuses everyone.
METRICS_TOKEN = env.str("METRICS_TOKEN", default="")
METRICS_ALLOWED_NETWORKS = env_networks("METRICS_ALLOWED_NETWORKS")
# Each dependency /readyz asks may take this long before it counts as down.
READYZ_TIMEOUT_SECONDS = env.float("READYZ_TIMEOUT_SECONDS", default=2.0)
# One JSON object per line (python-json-logger) with the request id of the request, or
# of the request that enqueued the task (config/requestid.py); plain text to read by eye.
LOG_FORMAT = env.str("LOG_FORMAT", default="text" if DEBUG else "json")
if LOG_FORMAT not in ("json", "text"):
    raise ImproperlyConfigured("LOG_FORMAT must be json or text")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "config.requestid.RequestIdFilter"}},
    "formatters": {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "format": "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
        "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": LOG_FORMAT,
            "filters": ["request_id"],
        }
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        # WeasyPrint logs every rendering step at INFO.
        "weasyprint": {"level": "WARNING"},
        "weasyprint.progress": {"level": "WARNING"},
    },
}

"""Settings for the competency application, read from the environment.

Everything that differs between a laptop, CI and production comes from an
environment variable; the defaults are the embedded, local set-up (SQLite in
the project folder).
"""

import os
import sys
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from whitenoise.compress import Compressor

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name, default=""):
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


# The test runner never serves real users; it may use a throwaway key.
TESTING = "pytest" in sys.modules or sys.argv[1:2] == ["test"]

DEBUG = env_bool("DEBUG", False)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if DEBUG or TESTING:
        SECRET_KEY = "insecure-local-development-key-never-use-in-production"
    else:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "simple_history",
    "competency",
    "profiles",
    "appraisals",
    # The REST API's plumbing: tokens, idempotency keys, problem details.
    "competency.api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # A session whose account has closed since it began (a leaver's) ends.
    "competency.sessions.EndClosedSessions",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Records who made each change in the audit trail.
    "simple_history.middleware.HistoryRequestMiddleware",
]

ROOT_URLCONF = "competency.urls"

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
                "competency.context_processors.roles",
                "appraisals.context_processors.signed_in",
            ],
        },
    },
]

WSGI_APPLICATION = "competency.wsgi.application"

# Connections are kept between requests (a new one costs ~4 ms here) and
# checked before reuse, so a restarted database costs one failed check.
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "600")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # PostgreSQL's JIT switches itself on for queries the planner thinks
    # costly and then spends most of their time compiling; our queries are
    # short, so it is off for the application's connections.
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c jit=off"
elif DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # SQLite ignores row locks; a transaction that takes the write lock when
    # it begins makes a second writer wait its turn (and then see what the
    # first wrote) instead of failing with "database is locked" mid-way.
    DATABASES["default"].setdefault("OPTIONS", {})["transaction_mode"] = "IMMEDIATE"

# Checks silenced on purpose, each with its reason beside it.
SILENCED_SYSTEM_CHECKS = []
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Covering indexes (an Index's `include`) are a PostgreSQL speed-up for
    # finding people by a skill's rating; SQLite builds the same index on its
    # key columns alone, which is all the embedded default needs. Without
    # this, every manage.py command on SQLite warns about it (models.W040).
    SILENCED_SYSTEM_CHECKS.append("models.W040")

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Django's own backend, reading with the signed-in user whether they are HR
# (competency/roles.py), so that asking costs no query per request.
AUTHENTICATION_BACKENDS = ["competency.roles.Backend"]
# Whose account may no longer be used (a leaver's), asked by that backend at
# sign-in, on each request of a session and for each API token.
ACCOUNT_RULE = "appraisals.accounts"

if TESTING:
    # A password hashed as production hashes it costs ~1 s here (PBKDF2 at a
    # million rounds), and the tests make people by the hundred: under the
    # test runner only, a fast hash. Sign-in still checks a real hash.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
# Where collectstatic gathers the files that production serves.
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT") or BASE_DIR / "staticfiles")
# static/dist/ is built from frontend/ by `npm run build` (the Makefile does it).
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG or TESTING
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# In development and tests static files come from the apps, not collectstatic.
WHITENOISE_AUTOREFRESH = DEBUG or TESTING
WHITENOISE_USE_FINDERS = DEBUG or TESTING
# Source maps (14 MB of the API docs' bundles) are fetched only by a
# developer's browser tools: compressing them was half of collectstatic's
# time, and they are served as they are.
WHITENOISE_SKIP_COMPRESS_EXTENSIONS = [*Compressor.SKIP_COMPRESS_EXTENSIONS, "map"]

LOGIN_URL = "login"
# Home sends each person where they start: staff and managers to their
# appraisals, HR to the role profiles.
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Probation checkpoints fall this many months after a person's start date.
PROBATION_CHECKPOINT_MONTHS = (1, 3, 6)

# The REST API (/api/v1/): competency/api/ holds its plumbing, each app's
# api.py its resources. Sign-in by the browser session (with CSRF) or by an
# integration's token; every error is a problem details document.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "competency.api.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "competency.api.pagination.PagePagination",
    "DEFAULT_SCHEMA_CLASS": "competency.api.schema.ProblemAutoSchema",
    "EXCEPTION_HANDLER": "competency.api.problems.exception_handler",
    # `?format=` names a framework file's layout (POST /api/v1/frameworks/
    # import/); as DRF's renderer override, any layout but json was a 404.
    "URL_FORMAT_OVERRIDE": None,
    "DEFAULT_THROTTLE_CLASSES": [
        "competency.api.throttling.AnonymousThrottle",
        "competency.api.throttling.CallerThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anonymous": os.environ.get("API_ANONYMOUS_RATE") or "60/min",
        "caller": os.environ.get("API_CALLER_RATE") or "600/min",
    },
    # Integrations send JSON; the browsable API's forms send the others.
    "DEFAULT_PARSER_CLASSES": [
        "competency.api.parsers.JSONParser",
        "competency.api.parsers.FormParser",
        "competency.api.parsers.MultiPartParser",
    ],
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Competency framework API",
    "DESCRIPTION": (
        "Role profiles and the catalogue they are built from. Sign in with the browser "
        "session or send `Authorization: Token <token>` (HR create tokens at /api/tokens/). "
        "Every error is an RFC 9457 problem details document. Writes need `If-Match` with "
        "the resource's ETag."
    ),
    "VERSION": "1",
    "OAS_VERSION": "3.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Swagger UI and ReDoc from drf-spectacular-sidecar's static files: the
    # documentation pages load nothing from the web.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Integrations send JSON (and the imports' files); the schema describes
    # that, not the HTML forms the browsable API also accepts, whose
    # encodings cannot carry a null or an empty list.
    "PARSER_WHITELIST": [
        "competency.api.parsers.JSONParser",
        "profiles.api.bodies.RawJSONParser",
        "profiles.api.catalogue.RawBody",
    ],
    "APPEND_COMPONENTS": {},  # filled by competency.api.schema (role-profile/1)
    "PREPROCESSING_HOOKS": ["competency.api.schema.only_the_api"],
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "competency.api.schema.add_components",
    ],
    "ENUM_NAME_OVERRIDES": {
        "ProfileStatusEnum": "profiles.models.RoleProfile.Status",
        # The appraisals' choice sets, named once each.
        "StageEnum": "appraisals.models.Stage",
        "CycleStatusEnum": "appraisals.models.Cycle.Status",
        "CycleKindEnum": "appraisals.models.Cycle.Kind",
        "RequirementKindEnum": "appraisals.models.Requirement.Kind",
        "AppraisalEventActionEnum": "appraisals.models.AppraisalEvent.Action",
        "ReviewAnswerEnum": ["agreed", "disagreed"],
        "ReviewItemKindEnum": "appraisals.models.ReviewItem.Kind",
        "ReviewCommentKindEnum": "appraisals.models.ReviewComment.Kind",
        "AnsweringSideEnum": ["person", "manager"],
        # What a profile import did (as before the appraisals joined).
        "ActionEnum": ["created", "updated", "unchanged"],
        "KindEnum": "competency.models.KnowledgeItem.Kind",
        "ObjectiveStatusEnum": "appraisals.models.Objective.Status",
        "DevelopmentActionStatusEnum": "appraisals.models.DevelopmentAction.Status",
        # Named for good: another field called `kind`, `state` or `outcome`
        # would otherwise rename them (KindEnum became KnowledgeItemKindEnum).
        "ProbationOutcomeEnum": "appraisals.models.ProbationDecision.Outcome",
        "AppraisalOutcomeEnum": "appraisals.models.Appraisal.Outcome",
        "InsightItemKindEnum": ["skill", "knowledge"],
        "HeatmapCellStateEnum": ["below", "meets", "above", "not_rated", "no_level"],
    },
}

# HTTPS. With DEBUG off the defaults are production's, and
# `manage.py check --deploy` passes with them; the README's Configuration
# table says when to change them. The test runner serves no HTTPS, so it is
# not redirected.
if not DEBUG:
    SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", True)
    CSRF_COOKIE_SECURE = env_bool("SECURE_COOKIES", True)
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not TESTING)
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS") or 60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
    if not SECURE_HSTS_PRELOAD:
        # Asking browsers to preload HTTPS for the whole domain is the domain
        # owner's decision, not this application's default.
        SILENCED_SYSTEM_CHECKS.append("security.W021")
# Health checks come over plain HTTP from inside the network.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
# Behind a proxy that terminates TLS, Django sees plain HTTP; the proxy says
# the original scheme in X-Forwarded-Proto (and must overwrite any that a
# client sent). Turn this on only behind such a proxy.
if env_bool("BEHIND_TLS_PROXY"):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
    # WeasyPrint reports font subsetting fallbacks as warnings; they are not ours.
    "loggers": {"weasyprint": {"level": "ERROR"}, "fontTools": {"level": "ERROR"}},
}

# A PostgreSQL streaming replica for reads (competency/replicas.py says which
# reads go there and how a caller who wrote reads their write). The test
# runner mirrors it onto the test database.
if os.environ.get("REPLICA_DATABASE_URL"):
    DATABASES["replica"] = {
        **dj_database_url.parse(
            os.environ["REPLICA_DATABASE_URL"],
            conn_max_age=int(os.environ.get("CONN_MAX_AGE", "600")),
            conn_health_checks=True,
        ),
        "TEST": {"MIRROR": "default"},
    }
    # A replica that does not answer costs a request one second at most.
    DATABASES["replica"].setdefault("OPTIONS", {}).update(
        {"options": "-c jit=off", "connect_timeout": 1}
    )
    DATABASE_ROUTERS = ["competency.replicas.ReplicaRouter"]
    # Around the session middleware, so that it sees the session cookie a
    # sign-in sets (and pins it to the primary).
    MIDDLEWARE.insert(
        MIDDLEWARE.index("django.contrib.sessions.middleware.SessionMiddleware"),
        "competency.replicas.ReadFromReplica",
    )
    REPLICA_PIN_SECONDS = int(os.environ.get("REPLICA_PIN_SECONDS") or 10)
    REPLICA_RETRY_SECONDS = int(os.environ.get("REPLICA_RETRY_SECONDS") or 5)

# Personal data (appraisals/privacy.py): leavers are anonymised by
# `manage.py anonymise_leavers` (and HR's button on a leaver's page) once
# this many whole years have passed since their leaving date. Six years is
# the usual UK limit for claims under a contract.
RETENTION_YEARS = int(os.environ.get("RETENTION_YEARS") or 6)

# --- Sign-in security: lockout, session timeouts, sign-out everywhere, security log ---
#
# django-axes counts failed sign-ins in the database (AccessAttempt rows,
# incremented with F() under a row lock), so every gunicorn worker and every
# machine sees the same count. Its backend comes first: a locked-out request
# is refused before any password is hashed. Failures lock a username and,
# separately, an address. Pages and the admin's sign-in both go through
# django.contrib.auth.authenticate(), so both are covered.
# Before competency, so that axes has counted a failure when the security
# log's receiver (connected in competency's ready()) writes it.
INSTALLED_APPS.insert(INSTALLED_APPS.index("competency"), "axes")
AUTHENTICATION_BACKENDS.insert(0, "axes.backends.AxesStandaloneBackend")
# Last: it turns a refused sign-in into the sign-in page saying why.
MIDDLEWARE.append("axes.middleware.AxesMiddleware")
# Session limits and sign-out everywhere, after the closed-account check.
MIDDLEWARE.insert(
    MIDDLEWARE.index("competency.sessions.EndClosedSessions") + 1,
    "competency.sessions.SessionLimits",
)
# Refusals go to the security log: every 403, and 404s under these paths
# (people and appraisals, pages and API), where a guessed id gets 404.
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.contrib.auth.middleware.AuthenticationMiddleware") + 1,
    "competency.security.LogRefusals",
)
SECURITY_LOG_NOT_FOUND_UNDER = [
    r"/people/",
    r"/appraisals/",
    r"/check-ins/",
    r"/gaps/",
    r"/growth/",
    r"/cycles/",
    r"/team/",
    r"/api/v1/(people|appraisals|cycles|insight)/",
]
# Axes' database handler, with a higher limit for an address than for a
# username (competency.signin.Attempts): an office may share one address.
AXES_HANDLER = "competency.signin.Attempts"
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]  # in this order (Attempts)
AXES_FAILURE_LIMIT = int(os.environ.get("SIGN_IN_FAILURE_LIMIT") or 5)
SIGN_IN_ADDRESS_FAILURE_LIMIT = int(os.environ.get("SIGN_IN_ADDRESS_FAILURE_LIMIT") or 20)
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("SIGN_IN_COOLOFF_MINUTES") or 15))
# Refused attempts during a lockout are not counted again: the lockout ends
# when the page said it would, and an attacker's further tries write nothing.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_LOCKOUT_CALLABLE = "competency.signin.locked_out_page"
# Successful sign-ins are in the security log; no AccessLog row per sign-in.
AXES_DISABLE_ACCESS_LOG = True
AXES_VERBOSE = False
# The client's address is REMOTE_ADDR. Behind proxies that append the
# client's address to X-Forwarded-For, set TRUSTED_PROXIES to how many there
# are: the address is then read that many entries from the right, so a
# client cannot choose its own by sending the header.
TRUSTED_PROXIES = int(os.environ.get("TRUSTED_PROXIES") or 0)
AXES_CLIENT_IP_CALLABLE = "competency.security.client_address"

# A session ends after this long without a request, and this long after
# sign-in whatever happens; API tokens are not sessions and are not affected.
SESSION_IDLE_MINUTES = int(os.environ.get("SESSION_IDLE_MINUTES") or 30)
SESSION_MAX_HOURS = int(os.environ.get("SESSION_MAX_HOURS") or 12)
SESSION_COOKIE_AGE = SESSION_MAX_HOURS * 60 * 60

# The security log: one JSON object per line on standard error, apart from
# the application's log, for a log shipper to keep. SECURITY_LOG_LEVEL=DEBUG
# adds every use of an API token (INFO records its first use each day).
LOGGING["formatters"] = {
    **LOGGING.get("formatters", {}),
    "security_json": {
        "()": "pythonjsonlogger.json.JsonFormatter",
        # {"time": ISO 8601 in UTC, "level", "logger", "message" (the event),
        # "request_id", then the event's fields}: the keys of every JSON line
        # the application writes (LOG_FORMAT=json, below).
        "fmt": ["levelname", "name", "message", "request_id"],
        "rename_fields": {"levelname": "level", "name": "logger"},
        "timestamp": "time",
    },
}
LOGGING["handlers"]["security"] = {
    "class": "logging.StreamHandler",
    "formatter": "security_json",
    "filters": ["request_id"],
}
# Axes' own messages say the same as the security log, less clearly.
LOGGING["loggers"]["axes"] = {"level": "ERROR"}
LOGGING["loggers"]["competency.security"] = {
    "handlers": ["security"],
    "level": os.environ.get("SECURITY_LOG_LEVEL") or "INFO",
    "propagate": False,
}

# --- Operating: readiness, request ids, JSON logs, Prometheus metrics ---------
# (README, Operating.) Each request gets an id (the proxy's X-Request-ID, or
# a new one) that every log line carries; django-prometheus times requests.
# Prometheus' middleware wraps everything, then the id, then the access log.
INSTALLED_APPS += ["django_prometheus"]
MIDDLEWARE = [
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    "competency.request_id.RequestIdMiddleware",
    "competency.access_log.AccessLogMiddleware",
    *MIDDLEWARE,
    "django_prometheus.middleware.PrometheusAfterMiddleware",
]
# Probes and scrapes come over plain HTTP from inside the network.
SECURE_REDIRECT_EXEMPT += [r"^readyz$", r"^metrics$"]


def _networks(name, default):
    import ipaddress

    try:
        return [ipaddress.ip_network(item, strict=False) for item in env_list(name, default)]
    except ValueError as error:
        raise ImproperlyConfigured(f"{name}: {error}") from error


# Who may read /metrics: these addresses (unless the request came through the
# proxy), or anyone with `Authorization: Bearer <METRICS_TOKEN>`.
METRICS_ALLOWED_NETWORKS = _networks("METRICS_ALLOWED_IPS", "127.0.0.1,::1")
METRICS_TOKEN = os.environ.get("METRICS_TOKEN", "")

# LOG_FORMAT=json: one JSON object a line (for a log shipper); plain text
# otherwise. Named formatters and filters, so other blocks add theirs.
LOG_FORMAT = os.environ.get("LOG_FORMAT", "text").strip().lower()
if LOG_FORMAT == "json":
    import logging

    # Python's warnings (a library's deprecation, WhiteNoise's missing
    # folder) go through logging too, so no line of standard error is
    # anything but JSON.
    logging.captureWarnings(True)
LOGGING["filters"] = {
    **LOGGING.get("filters", {}),
    "request_id": {"()": "competency.request_id.RequestIdFilter"},
}
LOGGING["formatters"] = {
    **LOGGING.get("formatters", {}),
    "text": {"format": "{asctime} {levelname} {name} [{request_id}] {message}", "style": "{"},
    "json": {
        "()": "pythonjsonlogger.json.JsonFormatter",
        # `process`: which of gunicorn's workers wrote the line.
        "format": "{levelname}{name}{message}{request_id}{process}",
        "style": "{",
        # ISO 8601 in UTC, to the microsecond.
        "timestamp": "time",
        "rename_fields": {"levelname": "level", "name": "logger"},
    },
}
LOGGING["handlers"]["console"].update(
    formatter="json" if LOG_FORMAT == "json" else "text", filters=["request_id"]
)
# One line per request (method, path, status, duration, user id).
LOGGING["loggers"]["competency.access"] = {"level": os.environ.get("ACCESS_LOG_LEVEL", "INFO")}

# --- Background work (issue 20): Celery on Redis, a shared cache -------------------
# Opening a cycle (and later imports, first PDFs, mail) runs as a Celery task
# when a broker is configured, with a page that shows its progress; without
# one (`make run`), tasks run in the request as they always did.
REDIS_URL = os.environ.get("REDIS_URL", "")
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL") or REDIS_URL
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
# A task's outcome is its BackgroundJob row (competency.jobs), not a result
# backend's.
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
# A task is acknowledged when it has finished, not when it starts: a worker
# killed mid-task (SIGKILL, out of memory, a redeploy) leaves its message to
# be delivered again, and each task's transaction wrote nothing.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
# One task at a time per process: a long task does not hold others back.
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_DEFAULT_QUEUE = os.environ.get("CELERY_QUEUE") or "competency"
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
# A message not acknowledged within this many seconds (its worker died) is
# delivered again; longer than any task runs (opening a cycle for 10,000
# people takes seconds), short enough that a crash is recovered soon.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": int(os.environ.get("CELERY_VISIBILITY_TIMEOUT") or 600),
    # Looked for every this many seconds by each worker.
    "unacked_restore_interval": min(10, int(os.environ.get("CELERY_VISIBILITY_TIMEOUT") or 600)),
    "unacked_restore_throttle": 1,
}
# Seconds a job pauses after each step of its work: only for the tests that
# kill a worker in the middle of a task. Never set it in production.
BACKGROUND_JOBS_PAUSE_FOR_TESTS = float(os.environ.get("BACKGROUND_JOBS_PAUSE_FOR_TESTS") or 0)
# Periodic tasks (celery beat) are added here as they come.
CELERY_BEAT_SCHEDULE = {}

# One cache for every process (the web's workers and Celery's) when Redis is
# there: a job's progress is written by the worker and read by the page.
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", ""),
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# The queues whose length /metrics reports (and /readyz pings the broker of
# CELERY_BROKER_URL, above).
METRICS_QUEUES = env_list("METRICS_QUEUES", CELERY_TASK_DEFAULT_QUEUE)

# Content Security Policy and Permissions-Policy (issue 20). Every answer —
# pages, API answers, error pages and the static files WhiteNoise serves —
# says what the browser may load and run. Both middlewares sit above
# WhiteNoise so that its answers (static files) pass through them too.
# The policy allows no inline script or style anywhere: the site's own
# scripts and styles are static files. Library pages that need more widen it
# for themselves only: ReDoc a nonce for its <style> elements and a blob:
# worker (competency/api/urls.py), DRF's browsable API its templates' fixed
# style attributes by hash (competency/api/renderers.py).
# django-csp adds a nonce to a directive only on an answer whose page used
# request.csp_nonce. To allow a new source, add it to the directive here and
# say why beside it; tests/test_security_headers.py checks what is sent.
_whitenoise = MIDDLEWARE.index("whitenoise.middleware.WhiteNoiseMiddleware")
MIDDLEWARE[_whitenoise:_whitenoise] = [
    "csp.middleware.CSPMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
]
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        # data: for the pages' empty favicon (base.html) and the images
        # Swagger UI's stylesheet carries inline.
        "img-src": ["'self'", "data:"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        # No other site may frame a page (X-Frame-Options: DENY says the
        # same to older browsers).
        "frame-ancestors": ["'none'"],
    }
}
# Browser features the site never uses, denied to it and to anything it
# might embed; each is one Chromium knows (it warns in the console of any
# other). SecurityMiddleware already sends X-Content-Type-Options: nosniff,
# Referrer-Policy: same-origin and Cross-Origin-Opener-Policy: same-origin
# (Django's defaults).
PERMISSIONS_POLICY = {
    feature: []
    for feature in (
        "accelerometer",
        "autoplay",
        "browsing-topics",
        "camera",
        "display-capture",
        "encrypted-media",
        "geolocation",
        "gyroscope",
        "hid",
        "idle-detection",
        "interest-cohort",
        "local-fonts",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "picture-in-picture",
        "publickey-credentials-get",
        "screen-wake-lock",
        "serial",
        "usb",
        "window-management",
        "xr-spatial-tracking",
    )
}
# DRF's browsable API with the fixed inline styles of DRF's templates allowed
# by their hashes on its answers only (competency/api/renderers.py).
REST_FRAMEWORK["DEFAULT_RENDERER_CLASSES"] = [
    "rest_framework.renderers.JSONRenderer",
    "competency.api.renderers.BrowsableAPIRenderer",
]

# --- Email (issue 21): the outbox, sent through SMTP --------------------------------
# Mail is queued in the outbox with the change it tells of and sent after the
# commit (competency/mail.py). The server is EMAIL_URL (competency/email_url.py:
# smtp://, smtp+tls://, smtps://) or EMAIL_HOST and its friends; with neither,
# mail is printed to the console, as `make run` wants.
# The site's address as people reach it: the links in mails start with it.
SITE_URL = os.environ.get("SITE_URL", "http://localhost:8000").rstrip("/")
if os.environ.get("EMAIL_URL"):
    from competency.email_url import parse as _parse_email_url

    globals().update(_parse_email_url(os.environ["EMAIL_URL"]))
elif os.environ.get("EMAIL_HOST"):
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = os.environ["EMAIL_HOST"]
    EMAIL_PORT = int(os.environ.get("EMAIL_PORT") or 25)
    EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS")
    EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL")
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Competency <noreply@localhost>")
# Seconds an SMTP connection may hang before the attempt counts as failed.
EMAIL_TIMEOUT = int(os.environ.get("EMAIL_TIMEOUT") or 10)
# A failed attempt is tried again after MAIL_RETRY_SECONDS, doubled each
# time up to MAIL_RETRY_MAX_SECONDS; after MAIL_MAX_ATTEMPTS it is given up.
MAIL_RETRY_SECONDS = float(os.environ.get("MAIL_RETRY_SECONDS") or 60)
MAIL_RETRY_MAX_SECONDS = float(os.environ.get("MAIL_RETRY_MAX_SECONDS") or 6 * 3600)
MAIL_MAX_ATTEMPTS = int(os.environ.get("MAIL_MAX_ATTEMPTS") or 12)
MAIL_BATCH = int(os.environ.get("MAIL_BATCH") or 500)
# Without a broker, mail is sent in the request after its commit: at most
# this many there (a cycle's opening may queue hundreds).
MAIL_IN_REQUEST = int(os.environ.get("MAIL_IN_REQUEST") or 50)
# What a lost task left (a broker down at the commit) goes out within a minute.
CELERY_BEAT_SCHEDULE["deliver-mail"] = {
    "task": "competency.mail.deliver_mail",
    "schedule": 60.0,
}

# --- Reminders and escalation (appraisals/reminders.py) -------------------------
# A shared HR mailbox for escalations; empty: every HR account with an email.
REMINDERS_HR_EMAIL = os.environ.get("REMINDERS_HR_EMAIL", "")
# The daily run (also `manage.py send_reminders` for cron without a worker):
# at REMINDERS_HOUR (local time), safe to run twice.
from celery.schedules import crontab  # noqa: E402

CELERY_BEAT_SCHEDULE["send-reminders"] = {
    "task": "appraisals.tasks.send_reminders",
    "schedule": crontab(hour=int(os.environ.get("REMINDERS_HOUR") or 7), minute=0),
}

# --- Webhooks (issue 22): signed POSTs to integrations after a change commits ---------
# competency/webhooks.py. A delivery's POST takes at most this many seconds
# in all (connect, send, read); a failed one is tried again after
# WEBHOOK_RETRY_SECONDS × 2ⁿ, WEBHOOK_MAX_ATTEMPTS times in all (30 s … 16 min
# by default, about half an hour in all).
WEBHOOK_TIMEOUT_SECONDS = min(float(os.environ.get("WEBHOOK_TIMEOUT_SECONDS") or 5), 5.0)
WEBHOOK_RETRY_SECONDS = float(os.environ.get("WEBHOOK_RETRY_SECONDS") or 30)
WEBHOOK_MAX_ATTEMPTS = int(os.environ.get("WEBHOOK_MAX_ATTEMPTS") or 6)
# Deliveries go only to public addresses (no SSRF into the network the
# server sits in) unless this is on: development and the tests' receivers
# on 127.0.0.1.
WEBHOOK_ALLOW_PRIVATE = env_bool("WEBHOOK_ALLOW_PRIVATE", DEBUG or TESTING)
# With a broker, the scheduler sends any delivery whose task was lost.
CELERY_BEAT_SCHEDULE["send-due-webhooks"] = {
    "task": "competency.tasks.send_due_webhooks",
    "schedule": 60.0,
}

# --- API syncs: `updated_since` on the lists an integration syncs -------------
# (competency/api/changes.py; token scopes need no setting).
REST_FRAMEWORK["DEFAULT_FILTER_BACKENDS"] = [
    *REST_FRAMEWORK["DEFAULT_FILTER_BACKENDS"],
    "competency.api.changes.UpdatedSinceFilter",
]

# --- Webhook secret rotation (issue 22, h-api) --------------------------------
# After HR rotate a webhook's secret, deliveries are signed with the old
# secret too for this many hours, so the receiver can change its copy
# (competency/webhooks.py rotate_secret).
WEBHOOK_SECRET_OVERLAP_HOURS = float(os.environ.get("WEBHOOK_SECRET_OVERLAP_HOURS") or 24)

# --- Imports as background jobs (issue 20, "Background work on a real queue") --
# A confirmed upload (role profile, framework, people) of at least this many
# bytes is written by a worker, its page following the job, when a broker is
# configured; a smaller one is written in the request, as without a broker
# (profiles/uploads.py says why).
IMPORTS_IN_BACKGROUND_FROM_BYTES = int(
    os.environ.get("IMPORTS_IN_BACKGROUND_FROM_BYTES") or 64 * 1024
)

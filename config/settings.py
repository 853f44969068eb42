"""Settings for the 同心圆 community portal.

Everything that differs between a laptop and a city deployment comes from the environment and is read strictly:
a malformed value raises ImproperlyConfigured naming the variable, rather than silently falling back. With nothing
set, the portal runs embedded: SQLite in the project folder, an in-process cache, Celery tasks run eagerly.
"""

from pathlib import Path

from celery.schedules import crontab

from config.env import env_bool, env_database, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent

# --- Core -------------------------------------------------------------------------------------------------------
DEBUG = env_bool("DEBUG", default=True)
_DEV_SECRET = "dev-only-insecure-secret-key-change-me-0123456789abcdefghijklmnopqrstuvwxyz"
SECRET_KEY = env_str("SECRET_KEY", default=_DEV_SECRET if DEBUG else None)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", default=[])
# Set when a trusted reverse proxy sets X-Forwarded-For; used to log where a personal-information view came from.
USE_X_FORWARDED_FOR = env_bool("USE_X_FORWARDED_FOR", default=False)
# --- Client address (helper "login", issue 9): how many reverse proxies of ours stand in front of the app. The
# client address is the entry that many places from the right of X-Forwarded-For; 0 = REMOTE_ADDR only (see
# core.client_ip). USE_X_FORWARDED_FOR alone, as before, means one proxy.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", default=1 if USE_X_FORWARDED_FOR else 0)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "mptt",
    "django_htmx",
    "import_export",
    "core",
    "accounts",
    "orgs",
    "grids",
    "residents",
    "services",
    "volunteers",
    "notifications",
    "cobuilding",
    "mediation",
    "dashboards",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "core.db_outage.DatabaseOutageMiddleware",  # [faults] database down: 503 + Retry-After, never a 500
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    # issue 9 (badinput): NUL and control characters in the path or a query/form value are a 400, once for all.
    "core.middleware.InvalidCharactersMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # --- issue 9 (pii): CSP, Permissions-Policy and no-store for signed-in users (core/headers.py) ---
    "csp.middleware.CSPMiddleware",
    "core.headers.SecurityHeadersMiddleware",
]

# --- issue 9 (pii): Content-Security-Policy (django-csp) and Permissions-Policy -----------------------------------
# Everything is served from this site: no inline script or style (the pages' behaviour lives in static/js/portal.js,
# htmx is vendored by django-htmx), no framing. data: images are Swagger UI's and the admin's SVG icons in CSS.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
# The photo inputs use <input capture>, which opens the phone's camera app and needs no camera permission for the
# page; no page asks for the position (addresses are typed). Everything is denied.
PERMISSIONS_POLICY: dict[str, list[str]] = {
    feature: []
    for feature in (
        "camera", "microphone", "geolocation", "payment", "usb", "serial", "bluetooth", "midi", "magnetometer",
        "gyroscope", "accelerometer", "display-capture",
    )
}  # fmt: skip

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

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
                "django.template.context_processors.i18n",
                "notifications.context_processors.unread_notifications",
                "config.navigation.navigation",
            ],
        },
    },
]

# --- Database: DATABASE_URL (postgres://user@host:5432/name), default a SQLite file in the project ----------------
DATABASES = {"default": env_database("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# [faults] env_database sets CONN_MAX_AGE=60 and CONN_HEALTH_CHECKS=True (a connection that died with a restarted
# PostgreSQL is replaced on the next request); an unreachable server is given up on within 3 s (→ 503).
if DATABASES["default"]["ENGINE"].endswith("postgresql"):
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("connect_timeout", 3)

# --- Redis: Celery broker and results, and the cache. Without it, tasks run eagerly in-process ------------------
REDIS_URL = env_str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            # [faults] A stopped Redis must cost a request half a second, not the OS's connect timeout.
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = REDIS_URL or "cache+memory://"
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", default=not REDIS_URL)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TIMEZONE = "Asia/Shanghai"
CELERY_TASK_ACKS_LATE = True  # a task killed mid-run is redelivered; our tasks are idempotent
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# [faults] A worker killed mid-task (SIGKILL, OOM) leaves its message unacknowledged, so the broker redelivers it.
CELERY_TASK_REJECT_ON_WORKER_LOST = True
# [faults] Publishing happens after commit (core.outbox): give up within about a second and leave the outbox row for
# the drain, rather than holding the request through kombu's default retries (about 19 s with Redis stopped).
CELERY_BROKER_CONNECTION_TIMEOUT = 1
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "socket_connect_timeout": 1,
    "socket_timeout": 5,  # above the 1 s BRPOP poll of the worker; a stopped Redis refuses at connect anyway
    "max_retries": 0,  # with the connection timeout: one connect, no sleeping between retries
    "interval_start": 0,
    "visibility_timeout": 3600,  # an unacknowledged (late-ack) message is redelivered after an hour
}
CELERY_TASK_PUBLISH_RETRY = False
CELERY_REDIS_SOCKET_CONNECT_TIMEOUT = 1
CELERY_REDIS_SOCKET_TIMEOUT = 5
# Periodic jobs live here and only here; each says why it runs when it does.
CELERY_BEAT_SCHEDULE = {
    # [dashboards] Every 10 minutes: officials read the dashboards as "today's picture", and a run recomputes only
    # the leaves touched since the last one (a second or two after a busy spell), so ten minutes keeps the
    # 数据更新于 stamp fresh without the job ever overlapping itself.
    "dashboards-refresh": {
        "task": "dashboards.tasks.refresh_dashboards_task",
        "schedule": crontab(minute="*/10"),
    },
    # [dashboards] Nightly full rebuild, off-peak: what no timestamp shows (a deleted row, a care tag added to a
    # resident, a queryset.update()) is put right by morning.
    "dashboards-full-rebuild": {
        "task": "dashboards.tasks.refresh_dashboards_task",
        "schedule": crontab(hour=3, minute=15),
        "kwargs": {"full": True},
    },
    # [faults] Every minute: work queued while the broker was down waits at most a minute once it is back.
    "core-drain-outbox": {
        "task": "core.tasks.drain_outbox",
        "schedule": crontab(minute="*"),
    },
    # [faults] Every 5 minutes: a webhook delivery still pending with no attempt (its message lost with a restarted
    # Redis, which keeps nothing on disk) is queued again; deliveries younger than its grace period are left alone.
    "services-requeue-stalled-webhooks": {
        "task": "services.tasks.requeue_stalled_deliveries_task",
        "schedule": crontab(minute="*/5"),
    },
    # Nightly, off-peak: confirms the tree's lft/rght numbering is intact so a broken import is caught by morning.
    "orgs-check-tree-integrity": {
        "task": "orgs.tasks.check_tree_integrity",
        "schedule": crontab(hour=2, minute=30),
    },
    # 08:00 Beijing time, as the working day starts: agreements past their end expire first, then staff and unit
    # liaisons find the day's reminders (agreements ending, commitments due, meetings tomorrow) on opening the portal.
    "cobuilding-daily-reminders": {
        "task": "cobuilding.tasks.daily_cobuilding_reminders",
        "schedule": crontab(hour=8, minute=0),
    },
    # Every 15 minutes: whistle deadlines are counted in hours (24 h to acknowledge, 72 h to respond), so a missed
    # one is escalated, and a near one warned of, within a quarter of an hour rather than the next morning.
    "cobuilding-sweep-whistle-calls": {
        "task": "cobuilding.tasks.sweep_whistle_calls",
        "schedule": crontab(minute="*/15"),
    },
    # Every 5 minutes: level deadlines are counted in working hours and the shortest rung (grid) is a working day,
    # so a ticket is escalated, or yellow-carded, within minutes of its deadline; the sweep is a few set-based
    # queries and does nothing when nothing is due, so running it often costs little.
    "services-escalate-overdue-tickets": {
        "task": "services.tasks.escalate_overdue_tickets_task",
        "schedule": crontab(minute="*/5"),
    },
    # 03:10 daily, off-peak: rating links lapse after days, not minutes, so closing the unrated ones once a night
    # is soon enough and keeps the morning queue clean.
    "services-close-unrated-tickets": {
        "task": "services.tasks.close_unrated_tickets_task",
        "schedule": crontab(hour=3, minute=10),
    },
}

# --- Email: reminders are sent through Django's email backend (console output when none is configured) ---------
EMAIL_BACKEND = env_str("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env_str("EMAIL_HOST", default="localhost")
EMAIL_PORT = env_int("EMAIL_PORT", default=25)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", default="tongxinyuan@localhost")

# --- Passwords and auth ------------------------------------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Special-care households not visited within this many days show as a coverage gap.
COVERAGE_CARE_VISIT_DAYS = env_int("COVERAGE_CARE_VISIT_DAYS", default=30)
# Ticket references read PREFIX-YYYYMMDD-NNNN over the phone; the rating link stays valid this many days, after
# which an unrated resolved ticket closes as "not rated".
TICKET_REFERENCE_PREFIX = env_str("TICKET_REFERENCE_PREFIX", default="NG")
TICKET_RATING_DAYS = env_int("TICKET_RATING_DAYS", default=7)
# Intake warns of open tickets of the same resident/household, or the same item at the same building, this recent.
TICKET_DUPLICATE_WINDOW_DAYS = env_int("TICKET_DUPLICATE_WINDOW_DAYS", default=7)
# Largest ticket photo accepted (bytes); phone photos are 2–4 MB, anything larger is rarely a photo.
TICKET_PHOTO_MAX_BYTES = env_int("TICKET_PHOTO_MAX_BYTES", default=5 * 1024 * 1024)
# --- Resident imports (helper "imports", issue 9) -------------------------------------------------------------
# Caps checked on the zip's directory and a streaming row count before an xlsx is parsed (a 1.78 MB zip bomb held a
# worker 132 s at 1.1 GB); 100,000 rows are ~85 MB of sheet XML at a ratio of ~13.
RESIDENT_IMPORT_MAX_ROWS = env_int("RESIDENT_IMPORT_MAX_ROWS", default=100_000)
RESIDENT_IMPORT_MAX_UNCOMPRESSED_BYTES = env_int("RESIDENT_IMPORT_MAX_UNCOMPRESSED_BYTES", default=200 * 1024 * 1024)
RESIDENT_IMPORT_MAX_COMPRESSION_RATIO = env_int("RESIDENT_IMPORT_MAX_COMPRESSION_RATIO", default=100)
# A running import beats every HEARTBEAT seconds; one silent for STALE seconds is shown as failed with a retry.
RESIDENT_IMPORT_HEARTBEAT_SECONDS = env_int("RESIDENT_IMPORT_HEARTBEAT_SECONDS", default=10)
RESIDENT_IMPORT_STALE_SECONDS = env_int("RESIDENT_IMPORT_STALE_SECONDS", default=120)
# --- end resident imports ----------------------------------------------------------------------------------------

# --- issue 9 (open311 helper): uploaded images are refused above this many pixels (width × height) -------------
# A 48 MP phone camera is the largest ordinary photo; a 97 KB PNG can claim 100 MP and take gigabytes to decode.
UPLOAD_IMAGE_MAX_PIXELS = env_int("UPLOAD_IMAGE_MAX_PIXELS", default=50_000_000)
# Failed logins per (client address, username) before every way in refuses (the token endpoint answers 429, the
# login pages a form error), and for how long.
LOGIN_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", default=5)
LOGIN_FAILURE_WINDOW_SECONDS = env_int("LOGIN_FAILURE_WINDOW_SECONDS", default=900)
# --- Login guard (helper "login", issue 9): failures from one address over all usernames (spraying). Higher than
# the per-account limit because a community office or a district network logs in from one address.
LOGIN_ADDRESS_FAILURE_LIMIT = env_int("LOGIN_ADDRESS_FAILURE_LIMIT", default=30)
# The guard lives in the backend so every authenticate() call, page or API, goes through it (accounts.login_guard).
AUTHENTICATION_BACKENDS = ["accounts.backends.GuardedModelBackend"]
# Rate limits, "number/period" (s, m, h, d), read per request by core.ratelimit: the API's anonymous requests per
# address and writes per user, and the public pages per address. A guessed rating link is a token search, so it is
# the tightest; a wish wall on the community centre's screen reloads now and then.
RATE_LIMITS = {
    "api_anonymous": env_str("RATE_LIMIT_API_ANONYMOUS", default="60/min"),
    "api_write": env_str("RATE_LIMIT_API_WRITE", default="30/min"),
    "rating_link": env_str("RATE_LIMIT_RATING_LINK", default="10/min"),
    "public_page": env_str("RATE_LIMIT_PUBLIC_PAGE", default="60/min"),
    "open311_write": env_str("RATE_LIMIT_OPEN311_WRITE", default="10/min"),
    # A resident files a request or two; more from one address within the hour is a script (issue 11).
    "public_request": env_str("RATE_LIMIT_PUBLIC_REQUEST", default="10/hour"),
}

# --- Language and time: Chinese first, English available --------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# --- Static and media: every asset is served from our own files (closed government networks) ------------------
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", default=str(BASE_DIR / "media")))

# --- REST API ---------------------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["core.api.permissions.RoleWritePermission"],
    "DEFAULT_PAGINATION_CLASS": "core.api.pagination.PageNumberPagination",
    # issue 9 (badinput): JSON bodies are one object, capped in size and depth (core/api/parsers.py).
    "DEFAULT_PARSER_CLASSES": [
        "core.api.parsers.JSONObjectParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "PAGE_SIZE": 20,
    "DEFAULT_FILTER_BACKENDS": [
        "core.api.filters.ScopedFilterBackend",  # issue 9: filtersets built scoped (ScopedFilterSet)
        "core.api.filters.PIISearchFilter",  # issue 9 (pii): ?search= on ID numbers/phones only with the permission
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_SCHEMA_CLASS": "core.api.schema.ProjectAutoSchema",  # issue 10: error answers, one tag per app
    "EXCEPTION_HANDLER": "core.api.exceptions.exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    # Rate limits (helper "login", issue 9): rates in RATE_LIMITS above.
    "DEFAULT_THROTTLE_CLASSES": ["core.ratelimit.AnonymousAddressThrottle", "core.ratelimit.UserWriteThrottle"],
}
# issue 9 (badinput): API bodies and text fields are capped like the pages' (core/api/parsers.py, fields.py).
API_MAX_BODY_BYTES = 2 * 1024 * 1024
API_MAX_JSON_DEPTH = 32
API_TEXT_MAX_LENGTH = 10_000
SPECTACULAR_SETTINGS = {
    "TITLE": "同心圆 Community Portal API",
    "DESCRIPTION": "Party-building concentric-circle community management. Token: POST /api/v1/auth/token/.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Several models have a "status" or "kind" choice set: name each enum after its model.
    "ENUM_NAME_OVERRIDES": {
        "AgreementStatusEnum": "cobuilding.models.AgreementStatus",
        "AgendaItemStatusEnum": "cobuilding.models.ItemStatus",
        "WhistleCallStatusEnum": "cobuilding.models.CallStatus",
        "NeedStatusEnum": "cobuilding.models.NeedStatus",
        "UnitReportStatusEnum": "cobuilding.models.ReportStatus",
        "ResidentUnitKindEnum": "cobuilding.models.UnitKind",
        "CommitmentKindEnum": "cobuilding.models.CommitmentKind",
        "MemberFeedbackRatingEnum": "cobuilding.models.FeedbackRating",
        "TicketStatusEnum": "services.models.TicketStatus",
        "HousekeeperProjectRatingEnum": "services.models.ProjectRating",
        "DashboardNodeKindEnum": "dashboards.api.serializers.NODE_KINDS",
    },
}

# --- Security: strict when DEBUG is off (passes `manage.py check --deploy`) -------------------------------------
if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", default="INFO")},
}

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
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
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
            ],
        },
    },
]

# --- Database: DATABASE_URL (postgres://user@host:5432/name), default a SQLite file in the project ----------------
DATABASES = {"default": env_database("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis: Celery broker and results, and the cache. Without it, tasks run eagerly in-process ------------------
REDIS_URL = env_str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = REDIS_URL or "cache+memory://"
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", default=not REDIS_URL)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TIMEZONE = "Asia/Shanghai"
CELERY_TASK_ACKS_LATE = True  # a task killed mid-run is redelivered; our tasks are idempotent
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Periodic jobs live here and only here; each says why it runs when it does.
CELERY_BEAT_SCHEDULE = {
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
# Largest ticket photo accepted (bytes); phone photos are 2–4 MB, anything larger is rarely a photo.
TICKET_PHOTO_MAX_BYTES = env_int("TICKET_PHOTO_MAX_BYTES", default=5 * 1024 * 1024)
# Failed logins per (client address, username) before the token endpoint answers 429, and for how long.
LOGIN_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", default=5)
LOGIN_FAILURE_WINDOW_SECONDS = env_int("LOGIN_FAILURE_WINDOW_SECONDS", default=900)

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
    "PAGE_SIZE": 20,
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "core.api.filters.PIISearchFilter",  # issue 9 (pii): ?search= on ID numbers/phones only with the permission
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "core.api.exceptions.exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
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

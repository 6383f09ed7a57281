"""jixiao settings: one module, every deployment-specific value read from the environment.

The defaults run the project on a developer machine with PostgreSQL and Redis on localhost.
"""

import json
import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from kombu import Exchange, Queue

from common.db.roles import database_urls
from common.schema_tags import API_TAGS
from config.queues import all_queues

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    return os.environ.get(name, str(default)).strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


# --- Secure by default: debug off, a real secret key, HTTPS settings (scripts/up.sh and test.sh set local values).
DEBUG = env_bool("DJANGO_DEBUG", False)
# The key this project once shipped as its default: public, so never accepted with debug off.
DEVELOPMENT_SECRET_KEY = "jixiao-insecure-development-key-change-me-in-production"
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "").strip()
if SECRET_KEY in ("", DEVELOPMENT_SECRET_KEY):
    if not DEBUG:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY is not set (or is the public development key) and DJANGO_DEBUG is off. Set "
            "DJANGO_SECRET_KEY to a long random value, e.g. the output of "
            "`python -c 'import secrets; print(secrets.token_urlsafe(50))'`; scripts/up.sh and scripts/test.sh "
            "generate one for local runs in .run/secret_key."
        )
    SECRET_KEY = DEVELOPMENT_SECRET_KEY
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

# Number of reverse proxies in front of the API that append to X-Forwarded-For and set X-Forwarded-Proto.
# 0: clients are identified by the socket address and forwarded headers are ignored.
TRUSTED_PROXIES = int(os.environ.get("TRUSTED_PROXIES", "0"))
if TRUSTED_PROXIES > 0:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Served over HTTPS unless told otherwise (the local scripts serve plain HTTP on 127.0.0.1 with DJANGO_HTTPS=false).
HTTPS = env_bool("DJANGO_HTTPS", not DEBUG)
SECURE_SSL_REDIRECT = HTTPS
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_HSTS_SECONDS", "31536000")) if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DJANGO_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("DJANGO_HSTS_PRELOAD", True)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
# --- end of the secure-by-default block

INSTALLED_APPS = [
    "common.admin_apps.PlatformAdminConfig",  # django.contrib.admin; its pages see every tenant (common/admin.py)
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework_simplejwt.token_blacklist",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "guardian",
    "common",
    "accounts",
    "performance",
    "feedback",
]

MIDDLEWARE = [
    "common.middleware.RequestIdMiddleware",
    "common.rls.RlsScopeMiddleware",
    "common.locale.LanguageMiddleware",
    "common.errors.ApiErrorMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

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
            ],
        },
    },
]

# Two roles (common/db/roles.py): the application role, under row-level security (requests, Celery, tests), and the
# owner (migrations and the other management commands: manage.py sets JIXIAO_DATABASE_ROLE=owner).
DATABASE_APP_URL, DATABASE_OWNER_URL = database_urls()
_database_roles = {role: dj_database_url.parse(url) for role, url in
                   (("app", DATABASE_APP_URL), ("owner", DATABASE_OWNER_URL))}
DATABASE_ROLES = {role: {"USER": db["USER"], "PASSWORD": db["PASSWORD"]} for role, db in _database_roles.items()}
DATABASE_ROLE = "owner" if os.environ.get("JIXIAO_DATABASE_ROLE", "app") == "owner" else "app"
DATABASES = {
    "default": {
        **_database_roles[DATABASE_ROLE],
        # The backend hands the tenant scope (common/rls.py) to PostgreSQL's row-level security.
        "ENGINE": "common.db.backends.postgresql",
        "CONN_MAX_AGE": int(os.environ.get("DATABASE_CONN_MAX_AGE", "60")),
        # QuerySet.iterator() in autocommit declares WITH HOLD cursors outside the caller's transaction: the scope
        # cannot travel in front of a DECLARE, and a held cursor does not survive PgBouncer's transaction mode. Long
        # reads (exports) use common.db.streaming.server_side_rows instead: a cursor inside a scoped transaction.
        "DISABLE_SERVER_SIDE_CURSORS": True,
    }
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
CACHES = {
    "default": {
        "BACKEND": os.environ.get("CACHE_BACKEND", "django.core.cache.backends.redis.RedisCache"),
        "LOCATION": os.environ.get("CACHE_URL", REDIS_URL),
        "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", "jixiao"),
    }
}

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

# Object-level grants use direct-foreign-key models; guardian's anonymous user is not needed.
ANONYMOUS_USER_NAME = None

# English and Simplified Chinese. A request's language: Accept-Language, else the user's preference, else the
# tenant's default language, else LANGUAGE_CODE (common/locale.py). Catalogues live in locale/.
LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("zh-hans", "简体中文")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
# WhiteNoise serves the collected files (scripts/up.sh runs collectstatic), compressed, with debug on or off.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.authentication.UserJWTAuthentication",
        "accounts.authentication.APIKeyAuthentication",
        "accounts.authentication.UserSessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "common.pagination.StandardPagination",
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.SearchFilter",
        "common.filters.StrictOrderingFilter",
    ],
    "DEFAULT_PARSER_CLASSES": ["common.parsers.StrictJSONParser"],
    "DEFAULT_SCHEMA_CLASS": "common.schema.JixiaoAutoSchema",
    "EXCEPTION_HANDLER": "common.errors.problem_exception_handler",
    "DEFAULT_THROTTLE_RATES": {
        "auth": os.environ.get("AUTH_THROTTLE_RATE", "20/min"),
    },
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
    "NUM_PROXIES": TRUSTED_PROXIES,  # throttling reads the client address from X-Forwarded-For only behind proxies
}

SIMPLE_JWT = {
    "ACCESS_TOKEN_LIFETIME": timedelta(minutes=int(os.environ.get("JWT_ACCESS_MINUTES", "15"))),
    "REFRESH_TOKEN_LIFETIME": timedelta(days=int(os.environ.get("JWT_REFRESH_DAYS", "7"))),
    "ROTATE_REFRESH_TOKENS": True,
    "BLACKLIST_AFTER_ROTATION": True,
    "UPDATE_LAST_LOGIN": True,
    "AUTH_HEADER_TYPES": ("Bearer",),
}

SPECTACULAR_SETTINGS = {
    "TITLE": "jixiao API",
    "DESCRIPTION": (
        "Multi-tenant customer-service performance reviews: interactions, KPI scores, QA reviews, "
        "rankings, rewards and appeals. Errors follow RFC 9457 (application/problem+json)."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    # Swagger UI and ReDoc from the bundled static files: the docs work without internet access.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "TAGS": API_TAGS,
    "ENUM_NAME_OVERRIDES": {
        "RoleEnum": "accounts.models.Role",
        "RubricVersionStatusEnum": "feedback.models.RubricVersionStatus",
        "ReviewStatusEnum": "feedback.models.ReviewStatus",
        "AssignmentStatusEnum": "feedback.models.AssignmentStatus",
        "CalibrationStatusEnum": "feedback.models.CalibrationStatus",
        "PeriodStatusEnum": "performance.models.PeriodStatus",
        "JobStatusEnum": "performance.models.JobStatus",
        "ChannelEnum": "performance.models.Channel",
    },
}

CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", REDIS_URL)
CELERY_RESULT_BACKEND = os.environ.get("CELERY_RESULT_BACKEND", None)
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": int(os.environ.get("CELERY_VISIBILITY_TIMEOUT", "7200"))}
CELERY_TASK_DEFAULT_QUEUE = os.environ.get("CELERY_QUEUE", "jixiao")
# Queues by kind (config/queues.py): <CELERY_QUEUE> for the rest, plus .ingestion, .computation, .notifications
# and .connectors. A worker started without -Q consumes all of them; `-Q` picks some (README "Queues").
CELERY_TASK_QUEUES = tuple(Queue(name, Exchange(name), routing_key=name)
                           for name in all_queues(CELERY_TASK_DEFAULT_QUEUE))
CELERY_TASK_ROUTES = ("config.queues.route_task",)
# Faults (README "Reliability and security"). The Redis transport with kombu's restore-after-close crash fixed
# (config/broker.py); other brokers use their own transport.
CELERY_BROKER_TRANSPORT = os.environ.get(
    "CELERY_BROKER_TRANSPORT",
    "config.broker:Transport" if CELERY_BROKER_URL.split("://", 1)[0] in ("redis", "rediss") else None)
# Stalled computation jobs (performance/services/scoring/stalls.py): the sweep runs every JOB_STALL_SWEEP_SECONDS.
# A running job whose run is gone (no worker holds its lock: the worker died) is sent again once it was started
# JOB_LOST_RUN_SECONDS ago; a queued job that no worker picked up, after JOB_STALL_SECONDS (keep it above the
# normal queue wait). After JOB_MAX_REQUEUES re-sends the job fails and its period returns to its previous status.
JOB_STALL_SWEEP_SECONDS = float(os.environ.get("JOB_STALL_SWEEP_SECONDS", "15"))
JOB_LOST_RUN_SECONDS = int(os.environ.get("JOB_LOST_RUN_SECONDS", "30"))
JOB_STALL_SECONDS = int(os.environ.get("JOB_STALL_SECONDS", "300"))
JOB_MAX_REQUEUES = int(os.environ.get("JOB_MAX_REQUEUES", "3"))
# A run stopped by a temporary database error is retried after base × 2^n seconds (5, 10, 20, 40, 80).
JOB_RETRY_BASE_SECONDS = float(os.environ.get("JOB_RETRY_BASE_SECONDS", "5"))
# Agents whose results are written per transaction (smaller: more, shorter transactions).
JOB_WRITE_CHUNK_AGENTS = int(os.environ.get("JOB_WRITE_CHUNK_AGENTS", "2500"))
CELERY_BEAT_SCHEDULE = {
    "requeue-stalled-jobs": {
        "task": "performance.tasks.requeue_stalled_jobs",
        "schedule": JOB_STALL_SWEEP_SECONDS,
        # a sweep not started before the next one is due is dropped, not piled up
        "options": {"expires": max(1.0, JOB_STALL_SWEEP_SECONDS - 1)},
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
}

# --- Invitations and outgoing mail ---------------------------------------------------------------------------
# Mail goes to the console unless an SMTP host is configured (or EMAIL_BACKEND names another backend).
EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend" if EMAIL_HOST else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "587"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
EMAIL_TIMEOUT = int(os.environ.get("EMAIL_TIMEOUT", "10"))
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "jixiao <no-reply@jixiao.localhost>")
# The link in invitation mails; a frontend that hosts the accept page sets its own URL. {token} is replaced.
INVITATION_ACCEPT_URL = os.environ.get(
    "INVITATION_ACCEPT_URL", f"http://127.0.0.1:{os.environ.get('PORT', '8000')}/api/v1/invitations/{{token}}/"
)
if "{token}" not in INVITATION_ACCEPT_URL:
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured("INVITATION_ACCEPT_URL must contain {token}, where the invitation's token goes.")
REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["invitation"] = os.environ.get("INVITATION_THROTTLE_RATE", "20/min")
# Customers open one-time 360 assessment links without an account.
REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["assessment_link"] = os.environ.get("ASSESSMENT_LINK_THROTTLE_RATE", "20/min")
SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"]["InvitationStatusEnum"] = "accounts.models.InvitationStatus"

# Notifications, email and webhooks (common/notifications, common/webhooks, common/crypto).
# Fernet key(s) for secrets stored in the database; empty: derived from SECRET_KEY (local runs only).
FIELD_ENCRYPTION_KEY = os.environ.get("FIELD_ENCRYPTION_KEY", "")
# Webhook URLs whose host resolves to loopback, private, link-local, multicast or reserved addresses are refused
# (SSRF) unless this is true (tests with a local receiver; never in production).
WEBHOOK_ALLOW_PRIVATE_URLS = env_bool("WEBHOOK_ALLOW_PRIVATE_URLS", False)
WEBHOOK_TIMEOUT_SECONDS = float(os.environ.get("WEBHOOK_TIMEOUT_SECONDS", "5"))
WEBHOOK_MAX_ATTEMPTS = int(os.environ.get("WEBHOOK_MAX_ATTEMPTS", "6"))
# Attempt n+1 waits WEBHOOK_RETRY_BASE_SECONDS * 2**(n-1), at most WEBHOOK_RETRY_MAX_SECONDS (30 s, 1, 2, 4, 8 min).
WEBHOOK_RETRY_BASE_SECONDS = float(os.environ.get("WEBHOOK_RETRY_BASE_SECONDS", "30"))
WEBHOOK_RETRY_MAX_SECONDS = float(os.environ.get("WEBHOOK_RETRY_MAX_SECONDS", "3600"))
WEBHOOK_DISABLE_AFTER_FAILURES = int(os.environ.get("WEBHOOK_DISABLE_AFTER_FAILURES", "5"))
CELERY_BEAT_SCHEDULE["send-due-webhook-deliveries"] = {
    "task": "common.webhooks.tasks.send_due_webhook_deliveries",
    "schedule": 60.0,
    "options": {"expires": 55},
}

# Appeals (feedback/services/appeals.py): attachment files and the SLA sweep.
# Attachments are stored through the default storage (a FileSystemStorage under MEDIA_ROOT unless STORAGES says
# otherwise) and served only by the API, after the appeal's visibility check: never expose MEDIA_ROOT publicly.
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / ".run" / "media"))
SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"].update({
    "AppealStatusEnum": "feedback.models.AppealStatus", "AppealKindEnum": "feedback.models.AppealKind",
    "AppealOutcomeEnum": "feedback.models.appeals.OUTCOME_CHOICES", "KpiCodeEnum": "performance.kpis.KPI_CHOICES",
    "PeriodKindEnum": "performance.models.PeriodKind",
})
SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"].update({
    "RewardKindEnum": "performance.models.RewardKind", "AwardStatusEnum": "performance.models.AwardStatus",
    "AwardSourceEnum": "performance.models.AwardSource", "AmountTypeEnum": "performance.models.AmountType",
})
# 360 assessments: raters of unanswered requests are reminded once, this many hours before the deadline.
ASSESSMENT_REMINDER_HOURS = int(os.environ.get("ASSESSMENT_REMINDER_HOURS", "48"))
CELERY_BEAT_SCHEDULE["remind-assessments"] = {
    "task": "feedback.tasks.remind_assessments",
    "schedule": float(os.environ.get("ASSESSMENT_REMINDER_SWEEP_SECONDS", "900")),
    "options": {"expires": 880},
}
# Coaching: open goals past their due date are announced once (coaching.goal_overdue).
CELERY_BEAT_SCHEDULE["remind-coaching-goals"] = {
    "task": "feedback.tasks.remind_coaching_goals",
    "schedule": float(os.environ.get("COACHING_GOAL_SWEEP_SECONDS", "3600")),
    "options": {"expires": 3500},
}
CELERY_BEAT_SCHEDULE["mark-overdue-appeals"] = {
    "task": "feedback.tasks.mark_overdue_appeals",
    "schedule": float(os.environ.get("APPEAL_SLA_SWEEP_SECONDS", "300")),
    "options": {"expires": 280},
}

# Reports and alerts (performance/services/reports/, performance/services/alerts/).
ALERT_EVALUATION_SECONDS = float(os.environ.get("ALERT_EVALUATION_SECONDS", "60"))
CELERY_BEAT_SCHEDULE["evaluate-alert-rules"] = {
    "task": "performance.tasks.evaluate_alert_rules",
    "schedule": ALERT_EVALUATION_SECONDS,
    "options": {"expires": max(ALERT_EVALUATION_SECONDS - 5, 1)},  # a run not started in time is dropped
}

# Connectors (performance/services/connectors/). The beat sweep queues due connections every
# CONNECTOR_SWEEP_SECONDS; a run holds its connection for CONNECTOR_LOCK_SECONDS, renewed with every page (a run
# killed mid-way is taken over once it expires). CONNECTOR_BASE_URL_OVERRIDES (JSON {"zendesk:acme":
# "http://127.0.0.1:8999"}) points an account at another address: local test servers only, never API input.
CONNECTOR_SWEEP_SECONDS = float(os.environ.get("CONNECTOR_SWEEP_SECONDS", "60"))
CONNECTOR_LOCK_SECONDS = int(os.environ.get("CONNECTOR_LOCK_SECONDS", "600"))
CONNECTOR_BASE_URL_OVERRIDES = json.loads(os.environ.get("CONNECTOR_BASE_URL_OVERRIDES", "") or "{}")
CELERY_BEAT_SCHEDULE["sync-connections"] = {
    "task": "performance.tasks.sync_due_connections",
    "schedule": CONNECTOR_SWEEP_SECONDS,
    "options": {"expires": max(CONNECTOR_SWEEP_SECONDS - 5, 1)},
}
SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"].update({
    "InteractionDirectionEnum": "performance.models.Direction",
    "KpiDirectionEnum": "performance.api.scoring_serializers.DIRECTIONS",
    "AlertStatusEnum": "performance.models.AlertStatus", "AlertScopeEnum": "performance.models.AlertScope",
    "AlertComparisonEnum": "performance.models.AlertComparison", "AlertWindowEnum": "performance.models.AlertWindow",
    "AlertResolutionEnum": "performance.models.AlertResolution",
    "AlertKpiEnum": "performance.services.alerts.rules.ALERT_KPI_CHOICES",
    "ConnectionStatusEnum": "performance.models.ConnectionStatus", "RunStatusEnum": "performance.models.RunStatus",
    "ConnectionKindEnum": "performance.models.ConnectionKind",
})
# Tenant-defined KPIs (performance/models/tenant_kpis.py), coaching and 360 assessments (feedback/).
SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"].update({
    "TenantKpiDirectionEnum": "performance.models.tenant_kpis.TenantKpiDirection",
    "KpiDirectionEnum": "performance.api.scoring_serializers.DIRECTIONS",
    "CoachingGoalStatusEnum": "feedback.models.coaching.GoalStatus",
})

"""Settings for every environment, read from the process environment.

With nothing set, the portal runs embedded: SQLite next to the code, Celery tasks in-process, a local-memory
cache. Setting DATABASE_URL and REDIS_URL switches to PostgreSQL and Redis (broker, results and cache).
"""

import logging
import os
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from csp.constants import NONE, SELF
from django.utils.translation import gettext_lazy as _

from portal.logs import logging_config
from portal.sentry import sentry_init

BASE_DIR = Path(__file__).resolve().parent.parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    return os.environ.get(name, str(default)).strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)
# The embedded default needs a key to start; production must set its own (check --deploy rejects this one).
EMBEDDED_SECRET_KEY = "django-insecure-embedded-default-change-me"
SECRET_KEY = os.environ.get("SECRET_KEY", EMBEDDED_SECRET_KEY)
# ID numbers are kept only as a keyed hash (to find duplicates) and a masked form; rotating SECRET_KEY must not
# break duplicate detection, so the key can be pinned separately.
PERSONAL_DATA_KEY = os.environ.get("PERSONAL_DATA_KEY", SECRET_KEY)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "portal.apps.StaticFilesConfig",  # django.contrib.staticfiles, collecting only the vendor files pages use
    "django.contrib.humanize",
    "django.forms",  # its widget templates, for FORM_RENDERER = TemplatesSetting
    "allauth",
    "allauth.account",
    "treebeard",
    "import_export",
    "django_filters",
    "django_htmx",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_ratelimit",
    "csp",
    "portal",
    "branches",
    "volunteers",
    "services",
    "meetings",
    "evaluations",
    "reports",
]

MIDDLEWARE = [
    # First: the request id and the request's log line (status, duration) cover everything below.
    "portal.middleware.RequestLogMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Content-Security-Policy on every response (see CONTENT_SECURITY_POLICY below).
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    # After logging in with an initial password, every page leads to 设置密码 until the member has chosen one.
    "portal.middleware.InitialPasswordMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Answers django-ratelimit's refusals with settings.RATELIMIT_VIEW (a Chinese page, 429) instead of a 403.
    "django_ratelimit.middleware.RatelimitMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"

# Form widgets render with the project's templates too (templates/django/forms/: a faster select).
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"
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
                "branches.context_processors.navigation",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "portal.User"
AUTHENTICATION_BACKENDS = [
    "portal.auth.PhoneOrUsernameBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"

# allauth: accounts come from staff or an import, never from open sign-up (see portal.auth.AccountAdapter).
ACCOUNT_ADAPTER = "portal.auth.AccountAdapter"
ACCOUNT_LOGIN_METHODS = {"username"}
ACCOUNT_SIGNUP_FIELDS = ["username*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_LOGOUT_REDIRECT_URL = "account_login"
ACCOUNT_SESSION_REMEMBER = False
ACCOUNT_FORMS = {"login": "portal.forms.LoginForm"}
# Five failures for one account within 15 minutes lock it until the window passes, right password or not.
# The key is the account (phone and username resolve to the same one); the per-address limit slows sprays.
LOGIN_FAILURE_LIMIT = int(os.environ.get("LOGIN_FAILURE_LIMIT", "5"))
LOGIN_FAILURE_WINDOW_SECONDS = int(os.environ.get("LOGIN_FAILURE_WINDOW_SECONDS", str(15 * 60)))
ACCOUNT_RATE_LIMITS = {
    "login_failed": f"30/m/ip,{LOGIN_FAILURE_LIMIT}/{LOGIN_FAILURE_WINDOW_SECONDS}s/key",
}

# Accounts opened in bulk (开通账号) get a one-time initial password that expires after this many days.
INITIAL_PASSWORD_DAYS = int(os.environ.get("INITIAL_PASSWORD_DAYS", "14"))
# Key of the initial passwords' HMAC (portal.lib.initial_passwords); rotating it voids the unused ones.
INITIAL_PASSWORD_KEY = os.environ.get("INITIAL_PASSWORD_KEY", SECRET_KEY)
# 「开通账号」 on the people list opens at most this many accounts per click (about a second and a half on PostgreSQL,
# see bench/RESULTS.md: it runs in the request, because the clear passwords may exist only in its response);
# `manage.py open_accounts` has no cap.
ACCOUNT_OPEN_WEB_MAX = int(os.environ.get("ACCOUNT_OPEN_WEB_MAX", "1000"))

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文"))]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True
LOCALE_PATHS = [BASE_DIR / "locale"]

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [
    BASE_DIR / "static",
    # Vendor assets come from npm (package-lock.json) and are served by us: no CDN, intranets are offline.
    ("vendor/bootstrap", BASE_DIR / "node_modules" / "bootstrap" / "dist"),
    ("vendor/echarts", BASE_DIR / "node_modules" / "echarts" / "dist"),
]
# A release bundle (make bundle) ships the collected files instead of node_modules: no npm on the server.
if not (BASE_DIR / "node_modules").is_dir() and (STATIC_ROOT / "vendor").is_dir():
    STATICFILES_DIRS = STATICFILES_DIRS[:1]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": os.environ.get("STATICFILES_STORAGE", "django.contrib.staticfiles.storage.StaticFilesStorage")
    },
}

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    # django-redis, so that a Redis outage degrades instead of failing: cache reads miss, writes are dropped
    # (logged), and rate limits fail open (RATELIMIT_FAIL_OPEN below) while pages and writes keep working.
    CACHES = {
        "default": {
            "BACKEND": "portal.cache.OutageTolerantRedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 1, "SOCKET_TIMEOUT": 1, "IGNORE_EXCEPTIONS": True},
        }
    }
    DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Public forms are rate-limited per address (django-ratelimit) through the default cache: Redis in production.
# The embedded default's local-memory cache is per process, which is fine for a single runserver; Django's own
# Redis backend increments atomically though django-ratelimit does not list it.
RATELIMIT_VIEW = "portal.views.rate_limited"
# With Redis down the counters cannot be read: let requests through rather than refuse the whole public. The
# one-rating-per-device rule is a database constraint and still holds; the login lockout pauses with Redis.
RATELIMIT_FAIL_OPEN = True
# Behind a reverse proxy every request comes from the proxy: name the header it puts the client's address in
# (e.g. HTTP_X_REAL_IP), or all of the public shares one limit.
RATELIMIT_IP_META_KEY = os.environ.get("RATELIMIT_IP_META_KEY") or None
# allauth limits logins per client address too (30 a minute): behind the proxy it must read the same header, or the
# whole district shares 30 logins a minute. HTTP_X_REAL_IP (the WSGI key) is the header X-Real-IP.
if RATELIMIT_IP_META_KEY and RATELIMIT_IP_META_KEY.startswith("HTTP_"):
    ALLAUTH_TRUSTED_CLIENT_IP_HEADER = RATELIMIT_IP_META_KEY.removeprefix("HTTP_").replace("_", "-")
# The public rating page (/r/<code>/): posts per address. A venue's guests often share one address (the
# community centre's Wi-Fi, one mobile carrier's NAT), and a big event ends with hundreds scanning at once, so
# the limit is per crowd, not per person; one-per-device is enforced separately by a unique constraint.
RATING_RATE_LIMIT = os.environ.get("RATING_RATE_LIMIT", "120/10m")
# Dashboards above a branch keep their figures this long (seconds): a district's year takes seconds to count.
DASHBOARD_CACHE_SECONDS = int(os.environ.get("DASHBOARD_CACHE_SECONDS", "600"))
# Key of the public short links (QR codes on printed posters): pinned separately so that rotating SECRET_KEY
# does not turn every poster hanging in a venue into a dead link.
SHORTLINK_KEY = os.environ.get("SHORTLINK_KEY", SECRET_KEY)
SILENCED_SYSTEM_CHECKS = ["django_ratelimit.W001"] + ([] if REDIS_URL else ["django_ratelimit.E003"])

# Celery: Redis as broker and result store; without REDIS_URL tasks run in-process (embedded default).
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = REDIS_URL or "cache+memory://"
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ACKS_LATE = True  # a worker killed mid-job leaves the message to be re-run (tasks are idempotent)
CELERY_TASK_REJECT_ON_WORKER_LOST = True
# With Redis, a message a killed worker had taken is delivered again once this has passed (kombu's default is an
# hour). It must outlast the longest job, or a slow job would be started twice (harmless: jobs are idempotent, but
# wasted): a district's yearly report takes ~10 s, the points settlement ~30 s.
CELERY_VISIBILITY_TIMEOUT = int(os.environ.get("CELERY_VISIBILITY_TIMEOUT", "900"))
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": CELERY_VISIBILITY_TIMEOUT,
    # Workers look for such messages every few seconds (kombu's default is about every 100 s).
    "unacked_restore_interval": max(1, min(10, CELERY_VISIBILITY_TIMEOUT // 3)),
    "unacked_restore_throttle": 1,
}
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Queuing from a web request must not hang when Redis is down: give up after about a second; the row stays queued
# and the report-exports-resume job picks it up once the broker is back (portal.jobs.enqueue).
CELERY_BROKER_CONNECTION_TIMEOUT = 1
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.5, "interval_max": 0.5}
# The schedule lives in code. Each entry names a job that `manage.py run_job NAME` can also run by hand.
CELERY_BEAT_SCHEDULE = {
    "sessions-clear": {
        "task": "portal.tasks.sessions_clear_task",
        "schedule": crontab(hour=3, minute=17),
    },
    "imports-sweep": {
        "task": "portal.tasks.imports_sweep_task",
        "schedule": crontab(minute=23),
    },
    "team-review": {
        "task": "services.tasks.team_review_propose_task",
        "schedule": crontab(day_of_month=1, month_of_year=12, hour=2, minute=0),
    },
    # Monthly, on the 1st — which includes 1 January, when the same settle books the new year's base (one job).
    "points-settle": {
        "task": "evaluations.tasks.points_settle_task",
        "schedule": crontab(day_of_month=1, hour=1, minute=30),
    },
    "review-rounds-open": {
        "task": "evaluations.tasks.review_rounds_open_task",
        "schedule": crontab(day_of_month=1, month_of_year="1,7", hour=2, minute=30),
    },
    "review-rounds-close": {
        "task": "evaluations.tasks.review_rounds_close_due_task",
        "schedule": crontab(hour=3, minute=40),
    },
    # DOMAIN §6, the rest. Reminder jobs run in the morning (they mail people), a few minutes apart; the night is
    # left to the heavy ones. Each may run again at any time: every reminder is sent once (a unique key).
    # Daily
    "demands-overdue-remind": {
        "task": "services.tasks.demands_overdue_remind_task",
        "schedule": crontab(hour=7, minute=30),
    },
    "follow-ups-overdue-remind": {
        "task": "evaluations.tasks.follow_ups_overdue_remind_task",
        "schedule": crontab(hour=7, minute=35),
    },
    # Monthly, on the 1st (after points-settle at 01:30)
    "pairing-gaps-remind": {
        "task": "services.tasks.pairing_gaps_remind_task",
        "schedule": crontab(day_of_month=1, hour=7, minute=45),
    },
    "monthly-briefing": {
        "task": "evaluations.tasks.monthly_briefing_send_task",
        "schedule": crontab(day_of_month=1, hour=8, minute=0),
    },
    # Monthly, on the 20th: the meetings still due this period (before it ends)
    "meetings-due-remind": {
        "task": "meetings.tasks.meetings_due_remind_task",
        "schedule": crontab(day_of_month=20, hour=8, minute=15),
    },
    # Every two months
    "mobile-reports-remind": {
        "task": "branches.tasks.mobile_reports_remind_task",
        "schedule": crontab(day_of_month=1, month_of_year="1,3,5,7,9,11", hour=8, minute=10),
    },
    # Quarterly, for the quarter just ended
    "pairing-inspection": {
        "task": "services.tasks.pairing_inspection_send_task",
        "schedule": crontab(day_of_month=1, month_of_year="1,4,7,10", hour=8, minute=20),
    },
    "red-stars-publish": {
        "task": "evaluations.tasks.red_stars_publish_task",
        "schedule": crontab(day_of_month=1, month_of_year="1,4,7,10", hour=8, minute=30),
    },
    # Yearly: December for the running year (team-review above), January for the year just ended
    "pledge-appraisal-remind": {
        "task": "services.tasks.pledge_appraisal_remind_task",
        "schedule": crontab(day_of_month=1, month_of_year=12, hour=8, minute=40),
    },
    "review-rounds-yearly-open": {
        "task": "evaluations.tasks.review_rounds_yearly_open_task",
        "schedule": crontab(day_of_month=1, month_of_year=12, hour=8, minute=50),
    },
    "assessment-remind": {
        "task": "evaluations.tasks.assessment_remind_task",
        "schedule": crontab(day_of_month=10, month_of_year=1, hour=9, minute=0),
    },
    # After the late settle of December (the first five days of January) and the yearly review rounds' close.
    "yearly-report": {
        "task": "reports.tasks.report_export_yearly_task",
        "schedule": crontab(day_of_month=15, month_of_year=1, hour=4, minute=0),
    },
    # Not a DOMAIN cadence: the holiday calendar from the calendar package (DOMAIN §8). Weekly, so a new
    # installation is filled within days and a release of the package with next year's arrangement (the State
    # Council publishes it each November or December) reaches the deadlines before the year starts.
    "calendar-fill": {
        "task": "branches.tasks.calendar_fill_task",
        "schedule": crontab(day_of_week=1, hour=2, minute=50),
    },
    # Not a DOMAIN cadence: builds the report exports whose message was lost while the broker was down.
    "report-exports-resume": {
        "task": "reports.tasks.report_exports_resume_task",
        "schedule": crontab(minute="*/10"),
    },
}
# What each job is for, shown by `run_job --list` (beat rejects unknown keys inside the schedule entries).
JOB_DESCRIPTIONS = {
    "sessions-clear": "每日清理过期会话",
    "imports-sweep": "每小时删除超过 24 小时未确认的导入文件",
    "team-review": "每年 12 月生成志愿服务队队伍梳理建议（吐故纳新）",
    "points-settle": "每月 1 日结算党员积分（1 月 1 日同时记入新年度基础分，并补结上一年度）",
    "review-rounds-open": "每年 1 月、7 月 1 日为各党支部开启半年相互评议打分",
    "review-rounds-close": "每日结束已过截止日期的民主评议并计算评议结果",
    "demands-overdue-remind": "每日提醒逾期未办结的群众需求（承办人，无账号时提醒支部书记）",
    "follow-ups-overdue-remind": "每日提醒逾期未办结的差评整改（支部书记）",
    "pairing-gaps-remind": "每月 1 日提醒上月未走访的结对帮扶党员",
    "monthly-briefing": "每月 1 日向各支部书记发送月度工作提示（逾期需求、未结整改、缺访结对、流动党员汇报）",
    "meetings-due-remind": "每月 20 日提醒支部书记本期尚未召开的组织生活（支委会、主题党日、党员大会、党课等）",
    "mobile-reports-remind": "每两个月提醒流动党员按期汇报，逾期的同时提醒支部书记",
    "pairing-inspection": "每季度向组织部和党委（党总支）书记发送上季度结对帮扶督查汇总",
    "red-stars-publish": "每季度发布上季度红星榜（通知支部书记和上榜党员）",
    "pledge-appraisal-remind": "每年 12 月 1 日提醒开展本年度承诺践诺评议",
    "review-rounds-yearly-open": "每年 12 月 1 日为各党支部开启年度民主评议并通知党员",
    "assessment-remind": "每年 1 月 10 日提醒上年度评星晋级（支部准备“六有”材料，上级党组织评定）",
    "yearly-report": "每年 1 月 15 日生成上年度全区年度报告",
    "calendar-fill": "每周一从节假日库补充今明两年的节假日和调休上班日（已有日期不改动），缺少临近年度时提醒组织部",
    "report-exports-resume": "每 10 分钟补做因消息队列中断而未开始的年度报告导出",
}

# /healthz and 系统状态 call a worker or beat stale (status "degraded") when its last sign of life is older than this
# (seconds): a worker writes a heartbeat every 15 s, beat's tick comes every minute (portal.health).
HEALTH_WORKER_STALE_SECONDS = int(os.environ.get("HEALTH_WORKER_STALE_SECONDS", "120"))
HEALTH_BEAT_STALE_SECONDS = int(os.environ.get("HEALTH_BEAT_STALE_SECONDS", "300"))

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
# The mail server, when EMAIL_BACKEND is django.core.mail.backends.smtp.EmailBackend.
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
# A job mailing reminders waits at most this long (seconds) for the mail server, per connection step.
EMAIL_TIMEOUT = float(os.environ.get("EMAIL_TIMEOUT", "10"))
# Text messages for reminders (portal.sms), for members who chose 短信 under 提醒方式: an HTTP gateway when
# SMS_GATEWAY_URL is set (JSON {phone, text}, bearer SMS_GATEWAY_TOKEN), else only logged (development).
SMS_GATEWAY_URL = os.environ.get("SMS_GATEWAY_URL", "")
SMS_GATEWAY_TOKEN = os.environ.get("SMS_GATEWAY_TOKEN", "")
SMS_BACKEND = os.environ.get(
    "SMS_BACKEND", "portal.sms.HttpGatewayBackend" if SMS_GATEWAY_URL else "portal.sms.ConsoleBackend"
)
SMS_TIMEOUT = float(os.environ.get("SMS_TIMEOUT", "5"))
SMS_FAILURE_PAUSE_SECONDS = int(os.environ.get("SMS_FAILURE_PAUSE_SECONDS", "60"))
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "portal@localhost")
# Reminder e-mails link back to the portal: its address as people reach it.
PORTAL_BASE_URL = os.environ.get("PORTAL_BASE_URL", "http://127.0.0.1:8000")

# Spreadsheet imports (portal/imports): a file uploaded on a page is refused before it is parsed when larger than
# this, or when its zip directory says it inflates to more (a zip bomb); a page takes at most IMPORT_MAX_ROWS rows.
# `manage.py import_xlsx` (a district's first load, run by IT staff) has the larger IMPORT_COMMAND_* bounds.
IMPORT_MAX_BYTES = int(os.environ.get("IMPORT_MAX_BYTES", str(5 * 1024 * 1024)))
IMPORT_MAX_UNPACKED_BYTES = int(os.environ.get("IMPORT_MAX_UNPACKED_BYTES", str(60 * 1024 * 1024)))
IMPORT_MAX_ROWS = int(os.environ.get("IMPORT_MAX_ROWS", "20000"))
IMPORT_COMMAND_MAX_BYTES = int(os.environ.get("IMPORT_COMMAND_MAX_BYTES", str(100 * 1024 * 1024)))
IMPORT_COMMAND_MAX_ROWS = int(os.environ.get("IMPORT_COMMAND_MAX_ROWS", "200000"))
# The importers, in the order a new installation loads them: kind → importer (portal names them, imports none).
IMPORTERS = {
    "organisations": "branches.importers.OrganisationImporter",
    "hosts": "branches.importers.HostImporter",
    "people": "branches.importers.PersonImporter",
    "team-members": "volunteers.importers.TeamMemberImporter",
    "activities": "services.importers.ActivityImporter",
}
# Visit photos (结对帮扶走访照片): each file at most this size; larger ones are refused before they are decoded.
VISIT_PHOTO_MAX_BYTES = int(os.environ.get("VISIT_PHOTO_MAX_BYTES", str(5 * 1024 * 1024)))
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
IMPORT_EXPORT_SKIP_ADMIN_ACTION_EXPORT_UI = False

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
# Content-Security-Policy (django-csp), in every environment so that the tests and the browser tests run under
# it. Everything comes from our own origin: no inline <script>, no inline style="" (pages use classes from
# static/css/portal.css; ECharts and Bootstrap set styles through the CSSOM, which CSP allows), no eval.
# img-src allows data: for the SVG icons Bootstrap's stylesheet embeds (select arrows, the navbar toggler); QR
# codes are inline SVG or served by us. The admin needs no exception (Django 5.2's admin has no inline scripts).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "object-src": [NONE],
        "base-uri": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    },
}

# Logs: one line per record on stderr, from web, worker and beat alike, each with its request id (or task id), user,
# path and, for the request line, status and duration (portal.logs). JSON objects unless LOG_FORMAT=text; with
# DEBUG (make run) plain text unless LOG_FORMAT=json. Timestamps are ISO 8601 in TIME_ZONE (+08:00).
LOG_FORMAT = os.environ.get("LOG_FORMAT", "text" if DEBUG else "json").strip().lower()
LOGGING = logging_config(json=LOG_FORMAT != "text", level=os.environ.get("LOG_LEVEL", "INFO"))
logging.captureWarnings(True)  # Python's warnings become log lines (py.warnings) rather than bare stderr text

# Error reporting to a self-hosted Sentry or GlitchTip: off unless SENTRY_DSN is set. No personal data is sent
# (send_default_pii=False); each event carries the request id the user sees on the error page.
SENTRY_DSN = os.environ.get("SENTRY_DSN", "")
SENTRY_ENVIRONMENT = os.environ.get("SENTRY_ENVIRONMENT", "production")
if SENTRY_DSN:
    sentry_init(dsn=SENTRY_DSN, environment=SENTRY_ENVIRONMENT)

# Without collectstatic (make run, tests) WhiteNoise serves straight from the finders.
WHITENOISE_USE_FINDERS = True

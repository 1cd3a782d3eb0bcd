"""The one settings module. Every deployment choice comes from an environment variable.

Parsing is strict (see ``lib.env``): a malformed value stops start-up with a message that
names the variable. Defaults give the embedded installation: SQLite under ``var/``, the
filesystem as the Celery broker, a file cache — no extra server needed.
"""

from __future__ import annotations

import secrets
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from celery.schedules import crontab
from csp.constants import NONCE, NONE, SELF, UNSAFE_INLINE
from django.core.exceptions import ImproperlyConfigured

from lib.env import Env, EnvError
from lib.workcal import parse_periods

BASE_DIR = Path(__file__).resolve().parent.parent
env = Env()


def local_url(host: str, port: int) -> str:
    """Where ``make run`` serves (HOST:PORT), as a browser on this machine reaches it: a
    wildcard bind address becomes 127.0.0.1, an IPv6 address gets its brackets."""
    if host in ("", "0.0.0.0", "::"):  # noqa: S104 - read from HOST, not bound here
        host = "127.0.0.1"
    elif ":" in host and not host.startswith("["):
        host = f"[{host}]"
    return f"http://{host}:{port}"


def tile_source(url: str) -> str | None:
    """The Content-Security-Policy source that lets the maps load ``MAP_TILE_URL``'s
    tiles: its scheme and host, with a ``{s}`` subdomain label widened to ``*``
    (``https://t{s}.tianditu.gov.cn/…`` → ``https://*.tianditu.gov.cn``). ``None`` for
    no tiles or tiles served by the site itself."""
    parts = urlsplit(url)
    if not parts.netloc:
        return None
    labels = parts.netloc.split(".")
    if "{" in labels[0]:
        labels[0] = "*"
    return f"{parts.scheme}://{'.'.join(labels)}"

try:
    DEBUG = env.bool("DEBUG", False)
    VAR_DIR = Path(env.str("VAR_DIR", str(BASE_DIR / "var")))

    # The embedded default (no DATABASE_URL) keeps one key per installation in
    # VAR_DIR/secret_key, made on first use, so `make run` and `manage.py …` in a checkout
    # need no configuration. A deployment with its own database must set SECRET_KEY.
    EMBEDDED = env.str("DATABASE_URL") is None
    SECRET_KEY = env.str("SECRET_KEY", required=not (DEBUG or EMBEDDED))
    if SECRET_KEY is None and EMBEDDED:
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        _key_file = VAR_DIR / "secret_key"
        if not _key_file.exists():
            _key_file.write_text(secrets.token_urlsafe(64))
            _key_file.chmod(0o600)
        SECRET_KEY = _key_file.read_text().strip()
    elif SECRET_KEY is None:  # DEBUG with a database of its own: a throw-away key
        SECRET_KEY = "dev-" + secrets.token_urlsafe(48)
    elif not DEBUG and len(SECRET_KEY) < 50:
        raise EnvError("SECRET_KEY", "must be at least 50 characters when DEBUG is off")

    ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"])
    CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", [])

    # HTTPS hardening is on whenever DEBUG is off, unless the operator says the site is
    # served over plain HTTP (the embedded default on 127.0.0.1 does).
    SECURE_HTTPS = env.bool("SECURE_HTTPS", not DEBUG)
    TRUST_X_FORWARDED_PROTO = env.bool("TRUST_X_FORWARDED_PROTO", False)
    HSTS_SECONDS = env.int("HSTS_SECONDS", 31536000, minimum=0)

    DATABASE_URL = env.str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'sanmanyi.sqlite3'}")
    DB_CONN_MAX_AGE = env.int("DB_CONN_MAX_AGE", 60, minimum=0)
    REDIS_URL = env.str("REDIS_URL")

    SESSION_IDLE_MINUTES = env.int("SESSION_IDLE_MINUTES", 120, minimum=5, maximum=24 * 60)
    LOGIN_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", 5, minimum=1, maximum=100)
    LOGIN_LOCKOUT_MINUTES = env.int("LOGIN_LOCKOUT_MINUTES", 15, minimum=1, maximum=24 * 60)

    SERVE_MEDIA = env.bool("SERVE_MEDIA", True)
    LOG_LEVEL = env.choice("LOG_LEVEL", "INFO", ("DEBUG", "INFO", "WARNING", "ERROR"))
    SITE_NAME = env.str("SITE_NAME", "宿迁市城市管理局 · 三满意服务平台")
    try:
        WORKING_PERIODS = parse_periods(env.str("WORKING_HOURS", "08:30-12:00,13:30-17:30"))
    except ValueError as error:
        raise EnvError("WORKING_HOURS", str(error)) from None
    INTAKE_UNIT_CODE = env.str("INTAKE_UNIT_CODE", "digital")
    # The committed time limit of a demand that arrives without a category (待分类), in
    # working days, until a receiver classifies it (then the category's own limit applies,
    # counted from receipt); and how many working hours before it the demand turns yellow.
    UNCATEGORISED_TIME_LIMIT_DAYS = env.int("UNCATEGORISED_TIME_LIMIT_DAYS", 5, minimum=1,
                                            maximum=60)
    UNCATEGORISED_WARNING_HOURS = env.int("UNCATEGORISED_WARNING_HOURS", 4, minimum=0,
                                          maximum=100)
    # `make run` (scripts/run.py) serves on HOST:PORT; links sent by SMS (evaluation) point
    # there unless the portal has a public address of its own.
    HOST = env.str("HOST", "127.0.0.1")
    PORT = env.int("PORT", 8000, minimum=1, maximum=65535)
    PUBLIC_BASE_URL = env.str("PUBLIC_BASE_URL", local_url(HOST, PORT)).rstrip("/")
    MAP_TILE_URL = env.str("MAP_TILE_URL", "")
    MAP_TILE_ATTRIBUTION = env.str("MAP_TILE_ATTRIBUTION", "")
    RATE_LIMITS = env.bool("RATE_LIMITS", True)
    KPI_CACHE_SECONDS = env.int("KPI_CACHE_SECONDS", 300, minimum=0, maximum=3600)
    # bulletins (通报, bulletins/, docs/supervision.md section 3): the 发文机关标志 and the
    # 文号's 机关代字 (default: the bureau unit's name, and its first character + 城管), the
    # 主送机关, the 印发机关 (default: the bureau's 办公室), and the satisfaction rate (in
    # percent) below which a unit is listed
    BULLETIN_ISSUER = env.str("BULLETIN_ISSUER", "")
    BULLETIN_NUMBER_PREFIX = env.str("BULLETIN_NUMBER_PREFIX", "")
    BULLETIN_RECIPIENTS = env.str("BULLETIN_RECIPIENTS", "局机关各处室，局属各单位，各区分局")
    BULLETIN_OFFICE = env.str("BULLETIN_OFFICE", "")
    BULLETIN_SATISFACTION_FLOOR = env.int("BULLETIN_SATISFACTION_FLOOR", 90, minimum=1,
                                          maximum=100)
    # the leaders' command dashboard (指挥大屏, console/command_views.py) fetches its figures
    # again this often (a wall left on all day)
    COMMAND_REFRESH_SECONDS = env.int("COMMAND_REFRESH_SECONDS", 60, minimum=10, maximum=3600)
    # file imports (imports/, docs/imports.md): rows written per transaction
    IMPORT_CHUNK_ROWS = env.int("IMPORT_CHUNK_ROWS", 2000, minimum=10, maximum=50_000)
    # hotspots (insights/hotspots.py, docs/hotspots.md)
    HOTSPOT_MIN_SIZE = env.int("HOTSPOT_MIN_SIZE", 3, minimum=2, maximum=1000)
    HOTSPOT_MAX_DEMANDS = env.int("HOTSPOT_MAX_DEMANDS", 20_000, minimum=100, maximum=500_000)
    HOTSPOT_RADIUS_METRES = env.int("HOTSPOT_RADIUS_METRES", 500, minimum=10, maximum=10_000)
    HOTSPOT_TEXT_SIMILARITY = env.int("HOTSPOT_TEXT_SIMILARITY_PERCENT", 20, minimum=1,
                                      maximum=100) / 100
    HOTSPOT_CACHE_SECONDS = env.int("HOTSPOT_CACHE_SECONDS", 600, minimum=0, maximum=86400)
    DEMO_DEMANDS = env.int("DEMO_DEMANDS", 360, minimum=0, maximum=100_000)
    # Duplicate detection (insights.duplicates, docs/duplicates.md): earlier demands within
    # the window from the same phone, or within the radius, whose text is similar enough
    # (character-bigram Jaccard, in percent; the same phone needs less text evidence).
    DUPLICATE_WINDOW_DAYS = env.int("DUPLICATE_WINDOW_DAYS", 30, minimum=1, maximum=365)
    DUPLICATE_RADIUS_M = env.int("DUPLICATE_RADIUS_M", 300, minimum=10, maximum=5000)
    DUPLICATE_MIN_SIMILARITY = env.int("DUPLICATE_MIN_SIMILARITY", 40, minimum=1, maximum=100)
    DUPLICATE_PHONE_MIN_SIMILARITY = env.int("DUPLICATE_PHONE_MIN_SIMILARITY", 25, minimum=1,
                                             maximum=100)
    # Routing suggestions (insights.routing, docs/routing.md): a model is trained on at
    # most the newest ROUTING_MAX_SAMPLES demands, refuses below ROUTING_MIN_SAMPLES, leaves
    # out units/categories with fewer than ROUTING_MIN_PER_CLASS; auto-dispatch at or above
    # ROUTING_AUTO_DISPATCH_CONFIDENCE (0–1; 0 = off).
    ROUTING_MIN_SAMPLES = env.int("ROUTING_MIN_SAMPLES", 50, minimum=2)
    ROUTING_MIN_PER_CLASS = env.int("ROUTING_MIN_PER_CLASS", 5, minimum=2)
    ROUTING_MAX_SAMPLES = env.int("ROUTING_MAX_SAMPLES", 200_000, minimum=100,
                                  maximum=5_000_000)
    ROUTING_CV_FOLDS = env.int("ROUTING_CV_FOLDS", 5, minimum=2, maximum=10)
    ROUTING_AUTO_DISPATCH_CONFIDENCE = env.float("ROUTING_AUTO_DISPATCH_CONFIDENCE", 0.0,
                                                 minimum=0.0, maximum=1.0)
    ROUTING_RETRAIN_HOUR = env.int("ROUTING_RETRAIN_HOUR", 2, minimum=0, maximum=23)
    NOTIFICATION_SENDERS = env.list("NOTIFICATION_SENDERS", [])
    SMS_GATEWAY = env.str("SMS_GATEWAY", "inbox.senders.SmsGateway")
    EMAIL_HOST = env.str("EMAIL_HOST", "localhost")
    EMAIL_PORT = env.int("EMAIL_PORT", 25, minimum=1, maximum=65535)
    DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", "sanmanyi@localhost")
except EnvError as error:
    raise ImproperlyConfigured(str(error)) from None


def _database(url: str) -> dict:
    try:
        config = dj_database_url.parse(url, conn_max_age=DB_CONN_MAX_AGE, conn_health_checks=True)
    except ValueError as error:
        raise ImproperlyConfigured(f"environment variable DATABASE_URL: {error}") from None
    engine = config["ENGINE"]
    if engine == "django.db.backends.sqlite3":
        Path(config["NAME"]).parent.mkdir(parents=True, exist_ok=True)
        config["CONN_MAX_AGE"] = 0
        config["OPTIONS"] = {
            # WAL lets the web server and the worker read while one of them writes.
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        }
    elif engine != "django.db.backends.postgresql":
        raise ImproperlyConfigured(
            "environment variable DATABASE_URL: only sqlite:// and postgres:// are supported; "
            f"got {url.split(':', 1)[0]!r}"
        )
    config["TEST"] = {"NAME": None}
    return config


DATABASES = {"default": _database(DATABASE_URL)}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "axes",
    "csp",
    # domains
    "org",
    "enterprises",
    "campaigns",
    "projects",
    "places",
    "activities",
    "catalog",
    "demands",
    "inbox",
    "appointments",
    "imports",
    "insights",
    "supervision",
    "assessment",
    "bulletins",
    # interfaces
    "ninja",
    "api",
    "open311",
    "portal",
    "console",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "sanmanyi.middleware.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # AxesMiddleware must come last: it turns a lock-out into the lock-out page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "sanmanyi.urls"
WSGI_APPLICATION = "sanmanyi.wsgi.application"

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
                "sanmanyi.context_processors.site",
                "console.context_processors.identity",
            ],
        },
    },
]

# --- authentication -------------------------------------------------------------------
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
     "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "console:login"
LOGIN_REDIRECT_URL = "console:home"
LOGOUT_REDIRECT_URL = "console:login"

# Lock-out: after LOGIN_FAILURE_LIMIT wrong passwords for one account from one address,
# that pair is refused for LOGIN_LOCKOUT_MINUTES (django-axes).
AXES_FAILURE_LIMIT = LOGIN_FAILURE_LIMIT
AXES_COOLOFF_TIME = LOGIN_LOCKOUT_MINUTES / 60  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_CALLABLE = "console.views.locked_out"
AXES_RESET_ON_SUCCESS = True
AXES_IPWARE_PROXY_COUNT = 1 if TRUST_X_FORWARDED_PROTO else 0
AXES_VERBOSE = False

# Idle expiry: every request renews the session, so it ends SESSION_IDLE_MINUTES after
# the last action; it also ends when the browser closes.
SESSION_COOKIE_AGE = SESSION_IDLE_MINUTES * 60
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_NAME = "sanmanyi_session"
CSRF_COOKIE_NAME = "sanmanyi_csrftoken"

# --- HTTPS ------------------------------------------------------------------------------
SESSION_COOKIE_SECURE = SECURE_HTTPS
CSRF_COOKIE_SECURE = SECURE_HTTPS
SECURE_SSL_REDIRECT = SECURE_HTTPS
SECURE_HSTS_SECONDS = HSTS_SECONDS if SECURE_HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HTTPS
SECURE_HSTS_PRELOAD = False
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if TRUST_X_FORWARDED_PROTO:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Content-Security-Policy (django-csp). Scripts: only the site's own files (and an inline
# script carrying the request's nonce, `nonce="{{ request.csp_nonce }}"`; there is none
# today) — no inline script, no inline event handler (onclick=…), no eval (htmx runs with
# allowEval off, see templates/base.html). Styles: the site's own style sheets, and no
# <style> element (htmx's indicator styles are in static/css/sanmanyi.css instead), but
# style *attributes* are allowed (style-src-attr): ECharts' tooltips and a few templates
# (a progress bar's width, an indent by depth) write them, and a style attribute cannot
# run code. Images: the site, data: URIs (Bootstrap's icons in CSS) and the map tiles.
_TILES = tile_source(MAP_TILE_URL)
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        "style-src-attr": [UNSAFE_INLINE],
        "img-src": [SELF, "data:", *([_TILES] if _TILES else [])],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}
# Permissions-Policy (sanmanyi/middleware.py): browser features no page uses are off, for
# the site and anything it might embed. The portal's map takes a click, it does not ask
# where the phone is (geolocation off; `(self)` the day a "locate me" button comes); a
# photo is chosen with <input type=file>, which needs no camera permission.
PERMISSIONS_POLICY = {
    "accelerometer": "()", "camera": "()", "display-capture": "()", "geolocation": "()",
    "gyroscope": "()", "magnetometer": "()", "microphone": "()", "midi": "()",
    "payment": "()", "usb": "()", "serial": "()", "fullscreen": "(self)",
}

SILENCED_SYSTEM_CHECKS = []
if SECURE_HTTPS and not SECURE_HSTS_PRELOAD:
    # Preloading into browsers is a one-way decision for the domain's owner, not a default.
    SILENCED_SYSTEM_CHECKS.append("security.W021")

# --- language and time ------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True
LOCALE_PATHS = [BASE_DIR / "locale"]

# --- files ------------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = VAR_DIR / "media"
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
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

# --- cache and background work ----------------------------------------------------------
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                          "LOCATION": REDIS_URL}}
    CELERY_BROKER_URL = REDIS_URL
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
else:
    # The embedded default: processes on one machine share a file cache, and Celery
    # passes messages through a folder (kombu's filesystem transport).
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
                          "LOCATION": str(VAR_DIR / "cache")}}
    _broker = VAR_DIR / "broker"
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker / "out"),
        "data_folder_out": str(_broker / "out"),
        "processed_folder": str(_broker / "processed"),
        "control_folder": str(_broker / "control"),
        "store_processed": False,
    }
CELERY_TIMEZONE = TIME_ZONE
# The project shell's own tasks (heartbeat, housekeeping): not an app, so not found by
# autodiscovery; a worker must register them itself.
CELERY_IMPORTS = ["sanmanyi.tasks"]
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
CELERY_BEAT_SCHEDULE = {
    "heartbeat": {"task": "sanmanyi.tasks.heartbeat", "schedule": 60.0},
    "housekeeping": {"task": "sanmanyi.tasks.housekeeping", "schedule": 6 * 3600.0},
    "sla-sweep": {"task": "demands.tasks.sweep", "schedule": 300.0},
    "projects-sweep": {"task": "projects.tasks.sweep", "schedule": 900.0},
    "supervision-sweep": {"task": "supervision.tasks.sweep", "schedule": 300.0},
    # nightly, when nobody dispatches: both routing models learn the day's history
    "routing-retrain": {"task": "insights.tasks.retrain_routing",
                        "schedule": crontab(hour=ROUTING_RETRAIN_HOUR, minute=30)},
    "import-resume": {"task": "imports.tasks.resume_stale", "schedule": 60.0},
    "kpi-rollups": {"task": "demands.tasks.refresh_rollups", "schedule": 60.0},
    "kpi-dashboards": {"task": "demands.tasks.refresh_dashboards",
                       "schedule": float(max(KPI_CACHE_SECONDS, 60))},
    "public-statistics": {"task": "portal.tasks.refresh_statistics",
                          "schedule": float(max(KPI_CACHE_SECONDS, 60))},
}
WORKER_STALE_AFTER_SECONDS = 180

# --- logging ----------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {"axes": {"level": "WARNING"}},
}

# --- demo city --------------------------------------------------------------------------
# Builders run in this order by `manage.py load_demo`; later issues append their own.
DEMO_BUILDERS = [
    "org.demo.build",
    "enterprises.demo.build",
    "campaigns.demo.build",
    "catalog.demo.build",
    "places.demo.build",
    "demands.demo.build",
    "projects.demo.build",
    "activities.demo.build",
    "supervision.demo.build",
    "assessment.demo.build",
    "bulletins.demo.build",
    "appointments.demo.build",
]

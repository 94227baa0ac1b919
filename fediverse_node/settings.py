"""Django settings: every value comes from an environment variable with an embedded default (12-factor)."""

import os
import secrets
import sys
from pathlib import Path

import dj_database_url
import xstatic.pkg.leaflet
import xstatic.pkg.leaflet_markercluster
from django.core.exceptions import ImproperlyConfigured

from fediverse_node import __version__
from fediverse_node.environment import env_flag, env_int
from fediverse_node.filemodes import data_dir_secure
from fediverse_node.site_address import SiteAddressError, host_of, site_address
from fediverse_node.vapid import vapid_private_pem, vapid_public_key

BASE_DIR = Path(__file__).resolve().parent.parent


# FEDINODE_DATA_DIR: SQLite database, media, the embedded broker and the generated secret key.
DATA_DIR = Path(os.environ.get("FEDINODE_DATA_DIR", "data")).resolve()
# Private from the first start: 0700, files 0600, and a umask of 077 for every process of the node (web, workers,
# commands), which all read these settings (fediverse_node/filemodes.py).
data_dir_secure(DATA_DIR)

# FEDINODE_INSECURE_HTTP=1: plain http and loopback/private peers allowed (tests and local demos only).
FEDINODE_INSECURE_HTTP = env_flag("FEDINODE_INSECURE_HTTP")
# FEDINODE_DOMAIN: host[:port] of every ActivityPub id this node mints; FEDINODE_SCHEME: https, unless http is asked
# for or the node is a local one with FEDINODE_INSECURE_HTTP (fediverse_node/site_address.py).
try:
    FEDINODE_SCHEME, FEDINODE_DOMAIN = site_address(
        domain=os.environ.get("FEDINODE_DOMAIN", "localhost:8000"),
        scheme=os.environ.get("FEDINODE_SCHEME", ""),
        insecure_http=FEDINODE_INSECURE_HTTP,
    )
except SiteAddressError as error:
    raise ImproperlyConfigured(str(error)) from None
FEDINODE_BASE_URL = f"{FEDINODE_SCHEME}://{FEDINODE_DOMAIN}"
FEDINODE_NAME = os.environ.get("FEDINODE_NAME", "Wir sind Parität")
FEDINODE_VERSION = __version__
# Inbox bodies above this many bytes are refused with 413.
FEDINODE_INBOX_MAX_BYTES = env_int("FEDINODE_INBOX_MAX_BYTES", 1024 * 1024, minimum=1)
# Accepted clock skew of signed requests, in seconds (Mastodon uses 12 hours back, 1 hour ahead).
FEDINODE_SIGNATURE_MAX_SKEW = env_int("FEDINODE_SIGNATURE_MAX_SKEW", 3600, minimum=1)
# Remote actors are refetched after this many seconds.
FEDINODE_ACTOR_REFRESH_SECONDS = env_int("FEDINODE_ACTOR_REFRESH_SECONDS", 24 * 3600, minimum=0)
# Delivery retries: first retry after this many seconds, doubling up to the give-up horizon.
FEDINODE_DELIVERY_FIRST_RETRY = env_int("FEDINODE_DELIVERY_FIRST_RETRY", 60, minimum=1)
# How long a worker holds the deliveries it claimed; those of a worker that died are retried after it.
FEDINODE_DELIVERY_LEASE_SECONDS = env_int("FEDINODE_DELIVERY_LEASE_SECONDS", 300, minimum=1)
# How long a worker holds the inbox items it claimed; those of a worker that died are run again after it.
FEDINODE_INBOX_LEASE_SECONDS = env_int("FEDINODE_INBOX_LEASE_SECONDS", 300, minimum=1)
# Inbox batches one worker process runs at once (inbox/tasks.py, _Lanes); its other threads stay free for deliveries.
FEDINODE_INBOX_LANES = env_int("FEDINODE_INBOX_LANES", 2, minimum=1)
# Received activities in an end state are deleted by beat (inbox/retention.py) this many days after they arrived:
# processed and ignored ones after FEDINODE_INBOX_KEEP_DAYS, failed ones after FEDINODE_INBOX_KEEP_FAILED_DAYS (left
# for the operator to look at); never one still `received`. An item's unique activity_id is also the replay guard (a
# second copy is not stored), and two weeks outlast every copy that can still come: a request sent again as it was is
# refused once its Date (or signature `created`) is FEDINODE_SIGNATURE_MAX_SKEW old (fediverse_node/protocol/
# signatures.py); a peer's own retries end within days (Mastodon: 16 retries, about 2-3 days; this node:
# FEDINODE_DELIVERY_GIVE_UP_AFTER). A copy that came later still would be taken once: Like, Announce, Flag and votes
# look up what they would make, a Follow or Join is answered with an Accept again, Undo and Delete find nothing left;
# only a Create or Update of a post already held is applied again (an edit without a change).
FEDINODE_INBOX_KEEP_DAYS = env_int("FEDINODE_INBOX_KEEP_DAYS", 14, minimum=1)
FEDINODE_INBOX_KEEP_FAILED_DAYS = env_int("FEDINODE_INBOX_KEEP_FAILED_DAYS", 30, minimum=1)
# Sent and given-up deliveries are deleted by beat (outbox/retention.py) this many days after they were made, never a
# pending one; then the activities (OutgoingActivity) as old that no delivery points at. By created_at: a given-up
# row has no sent_at, and a row leaves `pending` within FEDINODE_DELIVERY_GIVE_UP_AFTER and one last back-off (about
# 6 days with the defaults), so each is still kept more than a week after its outcome; and one activity's deliveries
# go together.
FEDINODE_DELIVERY_KEEP_DAYS = env_int("FEDINODE_DELIVERY_KEEP_DAYS", 14, minimum=1)
# A local poll's changed counts go out as one Update this many seconds after the first new vote (Mastodon: minutes).
FEDINODE_POLL_UPDATE_DELAY = env_int("FEDINODE_POLL_UPDATE_DELAY", 60, minimum=0)
FEDINODE_DELIVERY_GIVE_UP_AFTER = env_int("FEDINODE_DELIVERY_GIVE_UP_AFTER", 4 * 24 * 3600, minimum=0)


def _secret_key() -> str:
    """SECRET_KEY from the environment, else one generated once into the data directory."""
    if os.environ.get("SECRET_KEY"):
        return os.environ["SECRET_KEY"]
    path = DATA_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = env_flag("DEBUG")
_domain_host = host_of(FEDINODE_DOMAIN)
ALLOWED_HOSTS = [_domain_host, "localhost", "127.0.0.1", "[::1]", "testserver"] + [
    h for h in os.environ.get("FEDINODE_ALLOWED_HOSTS", "").split(",") if h
]
if FEDINODE_INSECURE_HTTP:
    # Test and demo nodes listen on any loopback address (127.0.0.x).
    ALLOWED_HOSTS.append("*")
CSRF_TRUSTED_ORIGINS = [FEDINODE_BASE_URL]
if FEDINODE_SCHEME == "https":
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Served over TLS (FEDINODE_SCHEME=https, the production default): cookies only over TLS, and browsers told to keep
# to https (HSTS, sent by Django's SecurityMiddleware on secure requests only). FEDINODE_HSTS_SECONDS=0 turns it off.
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = LANGUAGE_COOKIE_SECURE = FEDINODE_SCHEME == "https"
SESSION_COOKIE_HTTPONLY = CSRF_COOKIE_HTTPONLY = True  # no script of ours reads them
SESSION_COOKIE_SAMESITE = CSRF_COOKIE_SAMESITE = LANGUAGE_COOKIE_SAMESITE = "Lax"
SECURE_HSTS_SECONDS = env_int("FEDINODE_HSTS_SECONDS", 365 * 24 * 3600, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_flag("FEDINODE_HSTS_INCLUDE_SUBDOMAINS")
CSRF_FAILURE_VIEW = "fediverse_node.errors.csrf_failure"  # Django's own page has inline styles our CSP blocks

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "oauth2_provider",
    "fediverse_node.apps.FediverseNodeConfig",
    "actors",
    "posts",
    "inbox",
    "outbox",
    "clientapi",
    "community",
    "mapview",
    "operations",
    "streaming.apps.StreamingConfig",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "fediverse_node.security_headers.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "fediverse_node.compression.PublicGZipMiddleware",  # public pages only (BREACH: see the module)
    "fediverse_node.ratelimit.RateLimitMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "inbox.authorized_fetch.AuthorizedFetchMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "fediverse_node.urls"
WSGI_APPLICATION = "fediverse_node.wsgi.application"
APPEND_SLASH = False

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
                "django.template.context_processors.i18n",
                "fediverse_node.context.site",
            ],
            # `safe_url` in every template without a {% load %}: any URL from another server goes through it.
            "builtins": ["fediverse_node.templatetags.links"],
        },
    },
]

# DATABASE_URL: postgres://… for scale-out; the embedded default is SQLite (WAL) in the data directory.
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{DATA_DIR / 'db.sqlite3'}"), conn_max_age=600
    )
}
# A kept connection is checked before a request or task reuses it: after a database restart or fail-over the first
# request of each process would otherwise fail with a 500 (tests/federation/test_database_restart.py).
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # the same check, without a round trip while the connection is quiet (fediverse_node/postgresql/base.py)
    DATABASES["default"]["ENGINE"] = "fediverse_node.postgresql"
    if env_flag("FEDINODE_DATABASE_PREPARED", default=True):
        # Values bound by the server, and a statement run five times on a connection is prepared there: PostgreSQL
        # then plans it once, not on every request (the home timeline: 500 -> 640 requests/s, docs/benchmarks.md).
        # Off (0) behind a connection pooler that does not keep prepared statements (PgBouncer before 1.21, or
        # without max_prepared_statements in transaction pooling).
        DATABASES["default"].setdefault("OPTIONS", {}).update(server_side_binding=True, prepare_threshold=5)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Keep connections: opening one runs the PRAGMAs below, which costs more than most requests.
    DATABASES["default"]["CONN_MAX_AGE"] = 600
    DATABASES["default"]["ENGINE"] = "fediverse_node.sqlite"  # SQLite with a write lock that wakes writers at once
    DATABASES["default"]["OPTIONS"] = {
        # IMMEDIATE takes the write lock at BEGIN, so concurrent writers wait instead of failing mid-transaction.
        "transaction_mode": "IMMEDIATE",
        "timeout": 30,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=30000;",
    }
    DATABASES["default"].setdefault("TEST", {})["NAME"] = str(DATA_DIR / "test_db.sqlite3")
    # Received activities in a file of their own, so accepting never waits for processing (inbox/spool.py).
    DATABASES["inbox"] = {
        **DATABASES["default"],
        "NAME": str(DATA_DIR / "inbox.sqlite3"),
        "TEST": {"NAME": str(DATA_DIR / "test_inbox.sqlite3")},
    }
    DATABASE_ROUTERS = ["inbox.spool.InboxSpoolRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Several nodes (or tests) may share one Redis: FEDINODE_REDIS_PREFIX keeps their cache keys and broker queues apart.
REDIS_PREFIX = os.environ.get("FEDINODE_REDIS_PREFIX", "")
CACHES = {
    "default": (
        {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": os.environ["REDIS_URL"],
            "KEY_PREFIX": REDIS_PREFIX,
        }
        if os.environ.get("REDIS_URL")
        # rendered API fragments live here: room for a few thousand posts and accounts per process
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "OPTIONS": {"MAX_ENTRIES": 20000}}
    )
}

# The streaming API's event bus: Redis pub/sub across machines when REDIS_URL is set, else a file in the data dir.
STREAMING_REDIS_URL = os.environ.get("REDIS_URL", "")
# FEDINODE_STREAMING_URL: where clients open streams (Mastodon's `urls.streaming_api`). By default the node's own
# address: the proxy in front routes /api/v1/streaming to the streaming process (Caddyfile).
FEDINODE_STREAMING_URL = os.environ.get("FEDINODE_STREAMING_URL", "")

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
]
LOGIN_URL = "/auth/login/"

LANGUAGE_CODE = "de"
LANGUAGES = [("de", "Deutsch"), ("en", "English")]
TIME_ZONE = "Europe/Berlin"
USE_I18N = True
USE_TZ = True
LOCALE_PATHS = [BASE_DIR / "community" / "locale"]
# Dates as each language writes them ("4. Dezember 2026" / "4 December 2026"); templates use date:"DATE_FORMAT".
FORMAT_MODULE_PATH = ["fediverse_node.formats"]
# A form sent with a missing or stale CSRF token gets a page that says what to do, in the site's design.
CSRF_FAILURE_VIEW = "fediverse_node.errors.csrf_failure"

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)  # whitenoise warns on every request without it
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("FEDINODE_MEDIA_DIR", str(DATA_DIR / "media")))
WHITENOISE_USE_FINDERS = True
# Hashed names and pre-compressed copies (fediverse_node/staticstorage.py): browsers keep static files for a year.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "fediverse_node.staticstorage.StaticStorage"},
}
# Leaflet and its cluster plugin come from their xstatic packages (PyPI) and are served as our own static files
STATICFILES_DIRS = [
    ("leaflet", xstatic.pkg.leaflet.BASE_DIR),
    ("leaflet-markercluster", xstatic.pkg.leaflet_markercluster.BASE_DIR),
]
# The member map's base layer: a tile URL ({z}/{x}/{y}) and its attribution; empty = the offline outline map
FEDINODE_MAP_TILES = os.environ.get("FEDINODE_MAP_TILES", "")
FEDINODE_MAP_ATTRIBUTION = os.environ.get("FEDINODE_MAP_ATTRIBUTION", "")
# FEDINODE_GEOCODER_URL: a Nominatim server (e.g. "https://nominatim.openstreetmap.org") asked for an address the
# offline geocoder cannot place; each address is asked once and cached. Empty = offline only, no request leaves.
FEDINODE_GEOCODER_URL = os.environ.get("FEDINODE_GEOCODER_URL", "").rstrip("/")
# Members' website feeds (community/services/member_feeds.py): at most this many posts per feed in 24 hours, and how
# often each feed is asked (seconds; a failing feed is asked less often, doubling up to a week)
FEDINODE_MEMBER_FEED_DAILY_LIMIT = env_int("FEDINODE_MEMBER_FEED_DAILY_LIMIT", 5, minimum=0)
FEDINODE_MEMBER_FEED_POLL_SECONDS = env_int("FEDINODE_MEMBER_FEED_POLL_SECONDS", 1800, minimum=1)
WHITENOISE_AUTOREFRESH = DEBUG
DATA_UPLOAD_MAX_MEMORY_SIZE = 16 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 16 * 1024 * 1024
# Django chmods what its storages write to 0644 by default; media and collected static files live in the private
# data directory and are served by the node itself
FILE_UPLOAD_PERMISSIONS = 0o600
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o700

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", f"noreply@{_domain_host}")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 587, minimum=1, maximum=65535)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_flag("EMAIL_USE_TLS", default=EMAIL_PORT == 587)

# Celery: the embedded default uses kombu's filesystem transport in the data directory (no server needed);
# CELERY_BROKER_URL=redis://… or amqp://… for scale-out.
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "filesystem://")
if CELERY_BROKER_URL.startswith("filesystem://"):
    _broker_dir = DATA_DIR / "broker"
    for _sub in ("queue", "processed", "control"):
        (_broker_dir / _sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "queue"),
        "data_folder_out": str(_broker_dir / "queue"),
        "processed_folder": str(_broker_dir / "processed"),
        # the fan-out exchange tables (remote control); kombu writes them to ./control otherwise
        "control_folder": str(_broker_dir / "control"),
        "store_processed": False,
        "polling_interval": 0.05,
    }
elif CELERY_BROKER_URL.startswith(("redis://", "rediss://")) and REDIS_PREFIX:
    CELERY_BROKER_TRANSPORT_OPTIONS = {"global_keyprefix": f"{REDIS_PREFIX}:"}
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Celery's Django fixup closes every database connection before and after each task unless this is set; it then
# closes only every 2 x this many tasks. Connections are kept instead, as the web keeps them (CONN_MAX_AGE), and
# checked around each task as Django checks them around a request (fediverse_node/celery.py).
CELERY_DB_REUSE_MAX = sys.maxsize
CELERY_TASK_ALWAYS_EAGER = env_flag("CELERY_TASK_ALWAYS_EAGER")
CELERY_TASK_ROUTES = {
    # Of the patterns the first that matches wins: the sweeps and expiries first, or "inbox.tasks.*" and
    # "outbox.tasks.*" took them, and a sweep waited behind the backlog it is there to look after.
    "*.tasks.housekeeping_*": {"queue": "housekeeping"},
    "inbox.tasks.*": {"queue": "inbox"},
    "outbox.tasks.*": {"queue": "deliveries"},
}
CELERY_BEAT_SCHEDULE = {
    "sweep-inbox": {"task": "inbox.tasks.housekeeping_sweep_inbox", "schedule": 5.0},
    "sweep-deliveries": {"task": "outbox.tasks.housekeeping_sweep_deliveries", "schedule": 5.0},
    "sweep-polls": {"task": "posts.tasks.housekeeping_sweep_polls", "schedule": 5.0},
    # member website feeds due for a poll are claimed here and polled by tasks of their own (community/tasks.py);
    # every 30 s, or as often as a feed is asked if that is shorter (a node set to ask each feed every few seconds)
    "member-feeds": {
        "task": "community.tasks.housekeeping_member_feeds", "schedule": float(min(30, FEDINODE_MEMBER_FEED_POLL_SECONDS)),
    },
    # received activities and deliveries past their keep period (FEDINODE_INBOX_KEEP_DAYS, …), a few seconds a run
    "expire-inbox": {"task": "inbox.tasks.housekeeping_expire_inbox", "schedule": 120.0},
    "expire-deliveries": {"task": "outbox.tasks.housekeeping_expire_deliveries", "schedule": 120.0},
}
# The sweeps only need to run every few seconds: an in-memory schedule, no file to persist (or for two beats to race
# on after a crash).
CELERY_BEAT_SCHEDULER = "celery.beat:Scheduler"

# OAuth 2 for Mastodon clients (django-oauth-toolkit, bent to Mastodon's ways in clientapi/oauth/).
# FEDINODE_OAUTH_PASSWORD_GRANT=0 turns off the password grant (the toot CLI's `login_cli` needs it).
FEDINODE_OAUTH_PASSWORD_GRANT = env_flag("FEDINODE_OAUTH_PASSWORD_GRANT", True)
# Mastodon's tokens do not expire and most apps never refresh them; ten years unless set (seconds).
FEDINODE_OAUTH_TOKEN_SECONDS = env_int("FEDINODE_OAUTH_TOKEN_SECONDS", 10 * 365 * 24 * 3600, minimum=60)
OAUTH2_PROVIDER = {
    # Mastodon's scopes, read from clientapi when OAuth first needs them: the settings import no app
    "SCOPES_BACKEND_CLASS": "clientapi.oauth.scopes_backend.MastodonScopes",
    "DEFAULT_SCOPES": ["read"],
    "ACCESS_TOKEN_EXPIRE_SECONDS": FEDINODE_OAUTH_TOKEN_SECONDS,
    "AUTHORIZATION_CODE_EXPIRE_SECONDS": 600,
    "PKCE_REQUIRED": False,
    "ALLOWED_REDIRECT_URI_SCHEMES": ["http", "https"],
    "OAUTH2_VALIDATOR_CLASS": "clientapi.oauth.validator.MastodonValidator",
    "OAUTH2_BACKEND_CLASS": "clientapi.oauth.core.MastodonOAuthLibCore",
    "ROTATE_REFRESH_TOKEN": True,
}
# Named explicitly: migrations of models that point at DOT's tables resolve them through these settings.
OAUTH2_PROVIDER_APPLICATION_MODEL = "oauth2_provider.Application"
OAUTH2_PROVIDER_ACCESS_TOKEN_MODEL = "oauth2_provider.AccessToken"
OAUTH2_PROVIDER_REFRESH_TOKEN_MODEL = "oauth2_provider.RefreshToken"
OAUTH2_PROVIDER_GRANT_MODEL = "oauth2_provider.Grant"
OAUTH2_PROVIDER_ID_TOKEN_MODEL = "oauth2_provider.IDToken"
AUTHENTICATION_BACKENDS = ["fediverse_node.auth.UsernameOrEmailBackend"]
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/"
# Web Push (clientapi/push*.py): FEDINODE_VAPID_PRIVATE_KEY (PEM or raw base64url; share it between machines), else
# a key generated once into the data directory (fediverse_node/vapid.py). Apps read the public key from the app and
# instance entities.
try:
    FEDINODE_VAPID_PRIVATE_KEY_PEM = vapid_private_pem(
        environment_value=os.environ.get("FEDINODE_VAPID_PRIVATE_KEY", ""), data_dir=DATA_DIR
    )
    FEDINODE_VAPID_PUBLIC_KEY = vapid_public_key(FEDINODE_VAPID_PRIVATE_KEY_PEM)
except ValueError as error:
    raise ImproperlyConfigured(f"FEDINODE_VAPID_PRIVATE_KEY: {error}") from None
FEDINODE_DESCRIPTION = os.environ.get(
    "FEDINODE_DESCRIPTION", "Member organisations of the association show their practice on the Fediverse."
)
FEDINODE_CONTACT_EMAIL = os.environ.get("FEDINODE_CONTACT_EMAIL", f"kontakt@{_domain_host}")
# Uploaded images: refused above this size, scaled down to fit this many pixels per side.
FEDINODE_MEDIA_MAX_BYTES = env_int("FEDINODE_MEDIA_MAX_BYTES", 16 * 1024 * 1024, minimum=1)
FEDINODE_MEDIA_MAX_SIDE = env_int("FEDINODE_MEDIA_MAX_SIDE", 1920, minimum=16)
# Remote avatars, header images and attachments reach visitors through our media proxy (community/mediaproxy.py),
# re-encoded and cached on disk under FEDINODE_MEDIA_CACHE_DIR; the least recently used are evicted above this size.
FEDINODE_MEDIA_CACHE_DIR = Path(os.environ.get("FEDINODE_MEDIA_CACHE_DIR", str(DATA_DIR / "media-cache")))
FEDINODE_MEDIA_CACHE_MAX_BYTES = env_int("FEDINODE_MEDIA_CACHE_MAX_BYTES", 1024 * 1024 * 1024, minimum=0)
# Anonymous pages of the website are served from a copy this many seconds old at most (community/cache.py).
# Rate limits (fediverse_node/ratelimit.py); 0 turns them off. Behind a proxy, trust its X-Forwarded-For.
# FEDINODE_DOCUMENT_CACHE_SECONDS: how long each process serves WebFinger, actor documents and public posts (as
# ActivityStreams) from rendered bytes (actors/fastpath.py, posts/fastpath.py); a changed profile, an edited or a
# deleted post reaches peers that fetch it that much later. 0: render every time.
FEDINODE_DOCUMENT_CACHE_SECONDS = env_int("FEDINODE_DOCUMENT_CACHE_SECONDS", 10, minimum=0)
# FEDINODE_AUTHORIZED_FETCH=1 ("secure mode"): ActivityStreams GETs of actors, posts and collections must be signed
# by a server that is not blocked (inbox/authorized_fetch.py); the website stays public.
FEDINODE_AUTHORIZED_FETCH = env_flag("FEDINODE_AUTHORIZED_FETCH")
FEDINODE_RATE_LIMITS = env_flag("FEDINODE_RATE_LIMITS", default=True)
# FEDINODE_TRUSTED_PROXIES=N: the node runs behind N reverse proxies (the shipped docker-compose: 1, Caddy); the
# client's address is the X-Forwarded-For hop the farthest of them appended. 0 (default): REMOTE_ADDR.
# FEDINODE_TRUST_FORWARDED_FOR=1, the older switch, means one proxy.
FEDINODE_TRUSTED_PROXIES = int(
    os.environ.get("FEDINODE_TRUSTED_PROXIES", "1" if env_flag("FEDINODE_TRUST_FORWARDED_FOR") else "0")
)
FEDINODE_PAGE_CACHE_SECONDS = env_int("FEDINODE_PAGE_CACHE_SECONDS", 15, minimum=0)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}

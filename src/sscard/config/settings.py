"""Settings for every environment, read from the process environment.

The embedded default (no variables set) runs on SQLite and the filesystem under ``var/`` so that a
fresh machine needs no server.  ``DATABASE_URL`` switches to PostgreSQL for scale and for the
concurrency tests.  Secrets have development defaults that refuse to start when ``DEBUG`` is off.
"""

import os
from pathlib import Path

import dj_database_url
from csp import constants as csp

from sscard.config import security
from sscard.core import logs

BASE_DIR = Path(__file__).resolve().parents[3]
VAR_DIR = Path(os.environ.get("SSCARD_VAR_DIR", BASE_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


DEBUG = env_bool("SSCARD_DEBUG", True)
_DEV_SECRET = "dev-only-secret-key-change-me-in-production-0123456789"
SECRET_KEY = os.environ.get("SSCARD_SECRET_KEY", _DEV_SECRET)
# Keys for personal data: AES-256-GCM for values, HMAC-SHA256 for lookup hashes, pepper for PIN hashes.
# Development defaults are fixed so demo data stays readable across restarts; production must set them.
FIELD_ENCRYPTION_KEY = os.environ.get("SSCARD_FIELD_KEY", "ZGV2LW9ubHktZmllbGQta2V5LTMyLWJ5dGVzLWxvbmc=")
LOOKUP_HASH_KEY = os.environ.get("SSCARD_LOOKUP_KEY", "dev-only-lookup-hash-key")
PIN_PEPPER = os.environ.get("SSCARD_PIN_PEPPER", "dev-only-pin-pepper")
# 电子社保卡 codes (cards.ecard): the HMAC key they are signed with (required in production) and their life.
ECARD_KEY = os.environ.get("SSCARD_ECARD_KEY", "dev-only-ecard-code-key")
ECARD_CODE_TTL_SECONDS = int(os.environ.get("SSCARD_ECARD_CODE_TTL_SECONDS", "60"))
# Field key ring (sscard.core.crypto.keyring; every ciphertext names its key, `rotate_keys` moves them all to
# the active one): SSCARD_FIELD_KEYS = "kid:base64,kid2:base64" and SSCARD_FIELD_ACTIVE_KEY = the active kid;
# SSCARD_FIELD_KEY is the single-key form, its id SSCARD_FIELD_KEY_ID (old "v1:" values were sealed with it).
FIELD_KEYS = os.environ.get("SSCARD_FIELD_KEYS", "")
FIELD_ACTIVE_KEY = os.environ.get("SSCARD_FIELD_ACTIVE_KEY", "")
FIELD_KEY_ID = os.environ.get("SSCARD_FIELD_KEY_ID", "k0")
if FIELD_KEYS and "SSCARD_FIELD_KEY" not in os.environ:
    FIELD_ENCRYPTION_KEY = ""  # a key ring replaces the single key (and its public development default)
# The audit log's tree heads are signed with an Ed25519 key the database never holds (sscard.audit.signing):
# the base64 of a 32-byte seed.  Verifiers need only the public key (SSCARD_AUDIT_VERIFY_KEY, derived when
# unset).  The development seed is public, so development heads prove nothing.
# Production (SSCARD_DEBUG=0) has no development seed to fall back on: a node without the key cannot sign.
AUDIT_SIGNING_KEY = os.environ.get("SSCARD_AUDIT_SIGNING_KEY",
                                   "ZGV2LW9ubHktYXVkaXQtc2lnbmluZy1rZXktMzJieXQ=" if DEBUG else "")
AUDIT_VERIFY_KEY = os.environ.get("SSCARD_AUDIT_VERIFY_KEY", "")
# Signed tree heads are also appended to this file (one JSON object a line), a copy outside the database
# for `verify_audit_log --heads`; ship it to a witness (another host, WORM storage).  Empty: not written.
AUDIT_HEADS_FILE = os.environ.get("SSCARD_AUDIT_HEADS_FILE", "")
# PostgreSQL roles (docs/OPERATIONS.md, "Database roles"): the application's role, from which the audit
# migration revokes UPDATE, DELETE and TRUNCATE on the append-only audit tables (`db_roles_sql` prints the
# whole grant script).  Empty: only PUBLIC's are revoked.
SSCARD_DB_APP_ROLE = os.environ.get("SSCARD_DB_APP_ROLE", "")

# --- Production hardening (issue #11, deploy): secrets, hosts, HTTPS, headers, CSP, API docs ----------------
# SSCARD_DEBUG=0 refuses to start unless every secret is set (none a development value) and the hosts are
# named; one message lists everything missing (sscard.config.security).
if not DEBUG:
    security.refuse_to_start(security.production_problems(os.environ))
ALLOWED_HOSTS = [h.strip() for h in os.environ.get("SSCARD_ALLOWED_HOSTS", "*" if DEBUG else "").split(",")
                 if h.strip()]
# HTTPS: HSTS for a year (with subdomains and the preload directive), plain HTTP redirected to HTTPS, and
# cookies only over HTTPS; all on in production.  Behind a proxy that terminates TLS, set
# SSCARD_PROXY_SSL_HEADER to the header it sets (e.g. X-Forwarded-Proto, value "https"), so that Django
# knows the request was secure (the proxy must strip that header from clients).
SECURE_HSTS_SECONDS = env_int("SSCARD_HSTS_SECONDS", 0 if DEBUG else 365 * 24 * 3600)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SSCARD_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("SSCARD_HSTS_PRELOAD", True)
SECURE_SSL_REDIRECT = env_bool("SSCARD_SSL_REDIRECT", not DEBUG)
# /healthz and /readyz answer a load balancer's plain-HTTP probe on the node itself.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
if os.environ.get("SSCARD_PROXY_SSL_HEADER"):
    SECURE_PROXY_SSL_HEADER = ("HTTP_" + os.environ["SSCARD_PROXY_SSL_HEADER"].upper().replace("-", "_"),
                               "https")
_secure_cookies = env_bool("SSCARD_SECURE_COOKIES", not DEBUG)
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = LANGUAGE_COOKIE_SECURE = _secure_cookies
# A proxy on another origin than the host: SSCARD_CSRF_TRUSTED_ORIGINS=https://card.example.gov.cn,...
if os.environ.get("SSCARD_CSRF_TRUSTED_ORIGINS"):
    CSRF_TRUSTED_ORIGINS = os.environ["SSCARD_CSRF_TRUSTED_ORIGINS"].split(",")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Content-Security-Policy (django-csp), in every environment so that development and the browser tests
# meet it too: the pages run no inline script and no inline style attribute (docs/ARCHITECTURE.md);
# images may be data:/blob: URLs (camera captures, the signature pad, Swagger UI's icons).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [csp.SELF],
        "script-src": [csp.SELF],
        "style-src": [csp.SELF],
        "img-src": [csp.SELF, "data:", "blob:"],
        "media-src": [csp.SELF, "blob:"],
        "font-src": [csp.SELF],
        "connect-src": [csp.SELF],
        "object-src": [csp.NONE],
        "base-uri": [csp.SELF],
        "form-action": [csp.SELF],
        "frame-ancestors": [csp.NONE],
    },
}
# The API docs (/api/v1/docs) and schema (/api/v1/openapi.json): public in development, behind sign-in
# (a bearer token or a staff session) in production unless SSCARD_API_DOCS_PUBLIC=1 (sscard.api.docs_access).
SSCARD_API_DOCS_PUBLIC = env_bool("SSCARD_API_DOCS_PUBLIC", DEBUG)
# --- end of production hardening ---------------------------------------------------------------------------

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "ninja",  # serves the API docs page's assets locally (no CDN)
    "django_htmx",  # htmx for the pages (its static copy of htmx 2) and request.htmx
    "django_tasks",
    "django_tasks_db",
    "csp",  # django-csp: the Content-Security-Policy header
    "axes",  # sign-in lockout and throttling (sscard.staff.lockout)
    # in the order of the layers (docs/ARCHITECTURE.md): lowest first
    "sscard.core",
    "sscard.audit",
    "sscard.policy",
    "sscard.staff",
    "sscard.people",
    "sscard.workdays",
    "sscard.fees",
    "sscard.hardware",
    "sscard.archive",
    "sscard.cards",
    "sscard.notify",  # the SMS outbox: below desk, batches and production, which enqueue
    "sscard.desk",
    "sscard.employers",
    "sscard.batches",
    "sscard.production",
    "sscard.api",
    "sscard.web",
    "sscard.demo",
    "sscard.retention",  # retention schedules and the purge (interface layer: it reads many apps)
    "sscard.ops",  # backup and restore (interface layer)
]

MIDDLEWARE = [
    "sscard.core.middleware.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",  # Content-Security-Policy (CONTENT_SECURITY_POLICY)
    "sscard.core.middleware.NoStoreMiddleware",  # Cache-Control: no-store on all but static files
    "django.contrib.sessions.middleware.SessionMiddleware",
    "sscard.web.languages.ChosenLanguageMiddleware",  # zh-hans unless the user chose English (the cookie)
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "sscard.core.idempotency.IdempotencyMiddleware",
    "sscard.core.unavailable.DatabaseUnavailableMiddleware",  # 503 while the database is away
    "django.contrib.messages.middleware.MessageMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "sscard.config.urls"
WSGI_APPLICATION = "sscard.config.wsgi.application"

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
                "sscard.web.context.page",
            ],
        },
    },
]

_default_db = f"sqlite:///{VAR_DIR / 'sscard.sqlite3'}"
DATABASES = {"default": dj_database_url.parse(os.environ.get("DATABASE_URL", _default_db), conn_max_age=60)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers run beside the single writer; IMMEDIATE makes write transactions take the
    # write lock up front instead of failing with "database is locked" half-way through.
    # SQLite has one writer for the whole file (PostgreSQL locks rows): a write transaction holds every
    # other writer, so the embedded default keeps them short (``SQLITE_WRITE_CHUNKS`` below) and the
    # busy timeout well above the longest (``SSCARD_SQLITE_TIMEOUT``, seconds).  busy_timeout is set in
    # the connection too, so a statement outside a transaction (autocommit) waits as long.
    _sqlite_timeout = env_int("SSCARD_SQLITE_TIMEOUT", 30)
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": _sqlite_timeout,
        "init_command": (f"PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
                         f"PRAGMA busy_timeout={_sqlite_timeout * 1000};"),
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    # Rows per write transaction on SQLite (the defaults are sized for PostgreSQL): the due sweeps, the
    # batch validation's chunks and the audit sequencer's.  Applied after their own settings below.
    SQLITE_WRITE_CHUNKS = {"SSCARD_SWEEP_CHUNK": 500, "SSCARD_BATCH_CHUNK_ROWS": 200,
                           "SSCARD_AUDIT_SEQUENCE_CHUNK": 2000}
# A PostgreSQL streaming replica for reads that can be a few seconds behind (dashboards, audit search,
# reports): code opts in with `sscard.core.replica.use_replica()`; everything else reads the primary.
if os.environ.get("SSCARD_REPLICA_URL"):
    DATABASES["replica"] = dj_database_url.parse(os.environ["SSCARD_REPLICA_URL"], conn_max_age=60)
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
DATABASE_ROUTERS = ["sscard.core.replica.ReplicaRouter"]
# Recovery (issue #11, deploy): a kept connection the database dropped (a restart, a failover) is checked
# before a request uses it and replaced, so the processes need no restart; connecting gives up after
# SSCARD_DB_CONNECT_TIMEOUT seconds instead of hanging a worker (config/tests/test_pg_restart.py).
for _alias in DATABASES.values():
    _alias["CONN_HEALTH_CHECKS"] = True
    if _alias["ENGINE"] == "django.db.backends.postgresql":
        _alias.setdefault("OPTIONS", {})["connect_timeout"] = env_int("SSCARD_DB_CONNECT_TIMEOUT", 5)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- sign-in: lockout, API tokens, staff passwords (sscard.staff.lockout / tokens / passwords) ---------------
# django-axes counts failed sign-ins of every path (staff API and pages, the admin, the citizen app): an
# account is locked after SSCARD_SIGNIN_FAILURE_LIMIT failures within the cool-off, an address after
# SSCARD_SIGNIN_ADDRESS_FAILURE_LIMIT (higher: an outlet or a mobile carrier puts many people behind one
# address).  The lock lifts SSCARD_SIGNIN_COOLOFF_MINUTES after the last failure.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # first: refuses a locked account before any password check
    "django.contrib.auth.backends.ModelBackend",
]
AXES_HANDLER = "sscard.staff.lockout.SignInAttemptHandler"
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_FAILURE_LIMIT = env_int("SSCARD_SIGNIN_FAILURE_LIMIT", 5)
SSCARD_SIGNIN_ADDRESS_FAILURE_LIMIT = env_int("SSCARD_SIGNIN_ADDRESS_FAILURE_LIMIT", 50)
AXES_COOLOFF_TIME = env_int("SSCARD_SIGNIN_COOLOFF_MINUTES", 30) / 60  # hours
AXES_RESET_ON_SUCCESS = False  # the services reset the account's own count only (sscard.staff.lockout)
AXES_DISABLE_ACCESS_LOG = True  # sign-ins are in the audit log already
AXES_VERBOSE = False  # no start-up banner on every manage.py command
# Axes' middleware only swaps a locked sign-in's answer for its own page; the services answer a lock
# themselves (429 SIGN_IN_LOCKED on the API and the sign-in page), so it is left out, and its check with it.
SILENCED_SYSTEM_CHECKS = ["axes.W002"]
# Behind a reverse proxy: the number of proxies that append to X-Forwarded-For (0: REMOTE_ADDR is the client).
if env_int("SSCARD_TRUSTED_PROXY_COUNT", 0):
    AXES_IPWARE_PROXY_COUNT = env_int("SSCARD_TRUSTED_PROXY_COUNT", 0)
    AXES_IPWARE_META_PRECEDENCE_ORDER = ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"]
# API bearer tokens: staff and app tokens end after SSCARD_TOKEN_IDLE_MINUTES without a request and
# SSCARD_TOKEN_LIFETIME_HOURS after sign-in at the latest; kiosk tokens after SSCARD_KIOSK_TOKEN_DAYS.
SSCARD_TOKEN_IDLE_MINUTES = env_int("SSCARD_TOKEN_IDLE_MINUTES", 30)
SSCARD_TOKEN_LIFETIME_HOURS = env_int("SSCARD_TOKEN_LIFETIME_HOURS", 12)
SSCARD_KIOSK_TOKEN_DAYS = env_int("SSCARD_KIOSK_TOKEN_DAYS", 90)
# The kiosk pages' customer session (web.kiosk_access): ended after SSCARD_KIOSK_IDLE_SECONDS without a touch;
# the countdown banner shows the last SSCARD_KIOSK_IDLE_WARNING_SECONDS (at least 20 s, WCAG 2.2.1).
SSCARD_KIOSK_IDLE_SECONDS = env_int("SSCARD_KIOSK_IDLE_SECONDS", 90)
SSCARD_KIOSK_IDLE_WARNING_SECONDS = env_int("SSCARD_KIOSK_IDLE_WARNING_SECONDS", 30)
# Staff passwords (等保 2.0 level 3: length, complexity, not common, not like the account).
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
     "OPTIONS": {"min_length": env_int("SSCARD_PASSWORD_MIN_LENGTH", 10)}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "sscard.staff.passwords.CharacterClassValidator", "OPTIONS": {"min_classes": 3}},
]
# --- end sign-in -------------------------------------------------------------------------------------------

# Staff pages sign in with a Django session that ends after SSCARD_SESSION_IDLE_SECONDS without a
# request (saved on every request, so the clock restarts each time); the page warns a minute before.
LOGIN_URL = "/sign-in/"
SESSION_COOKIE_AGE = env_int("SSCARD_SESSION_IDLE_SECONDS", 30 * 60)
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
# Review: opening an app application claims it for the reviewer for this long (others are refused).
SSCARD_REVIEW_CLAIM_MINUTES = env_int("SSCARD_REVIEW_CLAIM_MINUTES", 30)
# 12333 hotline: a verified caller is kept in the operator's session for this long (or until 结束通话).
SSCARD_HOTLINE_CALLER_MINUTES = env_int("SSCARD_HOTLINE_CALLER_MINUTES", 10)
# The access log (who looked at whose cards, sscard.audit.access): each row is committed durably (the WAL
# flushed) before the answer leaves.  Off: PostgreSQL's asynchronous commit for that row only, which
# saves the flush wait (~5 ms on a busy virtual disk) and may lose the last rows (at most 3 x
# wal_writer_delay) if the database server itself crashes; never corrupts.  See docs/OPERATIONS.md.
SSCARD_ACCESS_LOG_SYNC_COMMIT = env_bool("SSCARD_ACCESS_LOG_SYNC_COMMIT", True)

# The pages are Simplified Chinese; English when the user picks it with the header's switcher (Django's
# set_language: a cookie that outlives the session).  The browser's Accept-Language is not consulted (a
# shared office workstation's browser language is nobody's choice).  The pages' catalogue is the web
# app's own locale folder (src/sscard/web/locale, shipped as package data), found as an app's; its msgids
# are the Chinese texts (docs/ARCHITECTURE.md).
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
MEDIA_ROOT = Path(os.environ.get("SSCARD_MEDIA_ROOT", VAR_DIR / "media"))
# Evidence images, PDFs and batch files: the filesystem by default; with several nodes an S3-compatible
# object store (django-storages; `pip install ".[s3]"`): SSCARD_S3_BUCKET names the bucket, and
# SSCARD_S3_ENDPOINT_URL the server when it is not AWS (MinIO, Ceph, a cloud's S3 API); credentials come
# from boto3's usual sources (AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY, an instance role).  Objects are
# private: nothing is served by URL, every read goes through the application (and its access checks).
if os.environ.get("SSCARD_S3_BUCKET"):
    _default_storage = {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": {
        "bucket_name": os.environ["SSCARD_S3_BUCKET"],
        "endpoint_url": os.environ.get("SSCARD_S3_ENDPOINT_URL") or None,
        "region_name": os.environ.get("SSCARD_S3_REGION", "cn-southwest-1"),
        "default_acl": "private",
        "file_overwrite": False,
        "querystring_auth": True,
        "location": os.environ.get("SSCARD_S3_PREFIX", ""),
    }}
else:
    _default_storage = {"BACKEND": os.environ.get("SSCARD_STORAGE_BACKEND",
                                                  "django.core.files.storage.FileSystemStorage")}
# Files at rest: every file of the default storage is sealed with AES-256-GCM under the field key ring
# (sscard.core.storage.EncryptedStorage wraps the backend above, the filesystem or S3).  Plain files stored
# before it still read while SSCARD_STORAGE_READ_PLAIN is on; set it off once `rotate_keys` has run.
_default_storage = {"BACKEND": "sscard.core.storage.EncryptedStorage",
                    "OPTIONS": {"backend": _default_storage["BACKEND"], "options": _default_storage.get("OPTIONS", {})}}
SSCARD_STORAGE_READ_PLAIN = env_bool("SSCARD_STORAGE_READ_PLAIN", True)
STORAGES = {
    "default": _default_storage,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

# Central production: the folders shared with the service bank and the card vendor (outbox / inbox), and
# whether the simulated bank and card vendor answer (demo and tests; never in production).
SSCARD_EXCHANGE_DIR = Path(os.environ.get("SSCARD_EXCHANGE_DIR", VAR_DIR / "exchange"))
SSCARD_SIMULATED_PARTNERS_ENABLED = env_bool("SSCARD_SIMULATE_PARTNERS", False)
# Processes that check the rows and scans of a large batch (default: cores - 1; see batches.checking).
if os.environ.get("SSCARD_BATCH_CHECK_WORKERS"):
    SSCARD_BATCH_CHECK_WORKERS = env_int("SSCARD_BATCH_CHECK_WORKERS", 1)
# Whether a batch photo's face is checked too (~7 ms of one core a photo; the window, kiosk and app always
# check it; see archive.photo and batches.scans).
SSCARD_BATCH_PHOTO_FACES = env_bool("SSCARD_BATCH_PHOTO_FACES", True)
# Rows per transaction of the due sweeps (96-hour activation, temporary-loss lapse): each chunk is one
# guarded UPDATE, one insert of the state changes and one of the audit events (see cards.bulk).
SSCARD_SWEEP_CHUNK = env_int("SSCARD_SWEEP_CHUNK", 10_000)
# The embedded default's shorter write transactions (see DATABASES), unless set in the environment.
for _name, _rows in globals().get("SQLITE_WRITE_CHUNKS", {}).items():
    globals()[_name] = env_int(_name, _rows)

# Retention (sscard.retention.schedules; docs/OPERATIONS.md "Retention"): days each kind of personal data
# is kept, overriding the defaults with SSCARD_RETENTION_<KIND>_DAYS (e.g. SSCARD_RETENTION_ACCESS_LOG_DAYS);
# an unknown kind fails `manage.py check`.  Audit events are never deleted by the application; those older
# than SSCARD_AUDIT_MIN_RETENTION_DAYS (legal minimum, >= 180) are reported for the DBA's archival.
SSCARD_RETENTION = {k[len("SSCARD_RETENTION_"):-len("_DAYS")].lower(): int(v) for k, v in os.environ.items()
                    if k.startswith("SSCARD_RETENTION_") and k.endswith("_DAYS")}
SSCARD_AUDIT_MIN_RETENTION_DAYS = env_int("SSCARD_AUDIT_MIN_RETENTION_DAYS", 180)
SSCARD_RETENTION_CHUNK = env_int("SSCARD_RETENTION_CHUNK", 1000)  # rows per purge transaction

# Largest request body: a window submission carries a few base64 images.
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("SSCARD_MAX_BODY_BYTES", 12 * 1024 * 1024)
# Uploaded files (an employer batch's sheet and scans zip) are spooled to temporary files, never held in
# memory, and hashed on the way in (batches.uploads).
FILE_UPLOAD_HANDLERS = ["sscard.batches.uploads.HashingUploadHandler"]

# Notifications (sscard.notify): the SMS gateway the relay (manage.py notify_relay --loop) sends through, a
# dotted path to a class with send(phone=, text=, client_msg_id=) that deduplicates by client message id;
# the simulated one records deliveries in the database (demo and tests; never in production).  A claimed
# message whose outcome was not recorded within the lease is sent again with the same id.
SSCARD_SMS_GATEWAY = os.environ.get("SSCARD_SMS_GATEWAY", "sscard.notify.gateways.SimulatedGateway")
SSCARD_NOTIFY_LEASE_SECONDS = env_int("SSCARD_NOTIFY_LEASE_SECONDS", 120)
SSCARD_NOTIFY_MAX_ATTEMPTS = env_int("SSCARD_NOTIFY_MAX_ATTEMPTS", 8)

# Hardware drivers: dotted paths; the simulated ones serve the demo and the tests.
SSCARD_HARDWARE = {
    "id_reader": os.environ.get("SSCARD_ID_READER", "sscard.hardware.simulated.SimulatedIdReader"),
    "card_terminal": os.environ.get("SSCARD_CARD_TERMINAL", "sscard.hardware.simulated.SimulatedCardTerminal"),
    "issuance_printer": os.environ.get(
        "SSCARD_ISSUANCE_PRINTER", "sscard.hardware.simulated.SimulatedIssuancePrinter"
    ),
}

# Logs (issue #11, deploy): one JSON object a line in production (UTC time with its offset, level, logger,
# message, request id; control characters escaped, ID-number and mobile-shaped digits redacted), plain text
# for the developer console; SSCARD_LOG_FORMAT=json|plain overrides (sscard.core.logs).
LOGGING = logs.logging_config(fmt=os.environ.get("SSCARD_LOG_FORMAT", "plain" if DEBUG else "json"),
                              level=os.environ.get("SSCARD_LOG_LEVEL", "INFO"))

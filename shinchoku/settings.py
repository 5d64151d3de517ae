"""Django settings for Shinchoku, read from the environment.

``SHINCHOKU_ENV`` is ``production`` unless told otherwise, so a server started
without configuration refuses to run instead of running insecurely. ``make run``
and the test settings set it to ``development``.
"""

from __future__ import annotations

import re
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from shinchoku.env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent

SHINCHOKU_ENV = env_str("SHINCHOKU_ENV", "production")
if SHINCHOKU_ENV not in {"development", "production"}:
    raise ImproperlyConfigured(f"SHINCHOKU_ENV={SHINCHOKU_ENV!r}: use 'development' or 'production'.")
DEVELOPMENT = SHINCHOKU_ENV == "development"

DEBUG = env_bool("DJANGO_DEBUG", default=False)
if DEBUG and not DEVELOPMENT:
    raise ImproperlyConfigured("DJANGO_DEBUG is only allowed with SHINCHOKU_ENV=development.")

if DEVELOPMENT:
    # A fixed key is fine on a developer's machine; it never signs anything real.
    SECRET_KEY = env_str("DJANGO_SECRET_KEY", "development-only-insecure-key")
else:
    SECRET_KEY = env_str("DJANGO_SECRET_KEY")
    # A key typed by hand ("x" * 50, a word repeated) is guessable: ask for a generated one.
    if len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 16:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY must be at least 50 characters with at least 16 different ones; generate "
            "one with: python3 -c 'import secrets; print(secrets.token_urlsafe(48))'"
        )

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", ["127.0.0.1", "localhost"] if DEVELOPMENT else [])
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    # The built-in widget templates, found by the TemplatesSetting form renderer below.
    "django.forms",
    "shinchoku.core",
    "shinchoku.organizations",
    "shinchoku.plans",
    "shinchoku.goals",
    "shinchoku.progress",
    "shinchoku.imports",
    "shinchoku.web",
    "shinchoku.demo",
    "shinchoku.evaluation",
    "shinchoku.publishing",
    "shinchoku.portal",
    "shinchoku.reports",
    "shinchoku.accounts",
    "shinchoku.workflow",
    "shinchoku.policies",
    "shinchoku.hearings",
    # The REST API (docs/api.md): DRF, its OpenAPI document and the documentation's static files.
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "shinchoku.api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "shinchoku.core.security.ContentSecurityPolicyMiddleware",
    "shinchoku.core.security.RequestSizeLimitMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # Before anything reads the database: may this request read from a replica (core.db_routing)?
    "shinchoku.core.db_routing.ReadReplicaMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # A temporary password is changed before anything else (shinchoku.accounts.passwords).
    "shinchoku.accounts.passwords.PasswordChangeRequiredMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "shinchoku.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "shinchoku" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "shinchoku.workflow.context_processors.my_work",
            ],
        },
    },
]

# Forms render through our templates: shinchoku/templates/django/forms/ (the DADS field with
# its 「必須」 mark, help text and errors, and the error summary at the top of a form).
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"

WSGI_APPLICATION = "shinchoku.wsgi.application"

# SQLite is the embedded default so that a checkout runs at once;
# PostgreSQL is chosen with DATABASE_URL=postgres://user:pass@host:port/name.
_default_db = f"sqlite:///{BASE_DIR / 'var' / 'db.sqlite3'}"
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", _default_db),
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 0),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Many readers, one writer at a time, waiting instead of failing with "database is locked".
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"timeout": 20, "transaction_mode": "IMMEDIATE", "init_command": "PRAGMA journal_mode=WAL;"}
    )

# Read replicas (docs/adr/0009-read-replicas.md): PostgreSQL hot standbys streaming from the
# primary, comma-separated URLs. Only citizens' GET and HEAD of the portal read from them
# (shinchoku.core.db_routing); writes, the staff workspace and every command use "default".
# Unset or empty: no replica, everything on "default".
_replica_urls = env_list("DATABASE_REPLICA_URLS", [])
if _replica_urls and DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
    raise ImproperlyConfigured(
        "DATABASE_REPLICA_URLS needs a PostgreSQL DATABASE_URL (replicas are hot standbys)."
    )
SHINCHOKU_READ_REPLICAS: list[str] = []
for _number, _url in enumerate(_replica_urls, start=1):
    _replica = dj_database_url.parse(_url, conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 0))
    if _replica["ENGINE"] != "django.db.backends.postgresql":
        raise ImproperlyConfigured(f"DATABASE_REPLICA_URLS: replica {_number} is not a postgres:// URL.")
    # A replica that does not answer costs a request this long before it reads from the primary
    # (unless the URL sets ?connect_timeout=).
    _replica.setdefault("OPTIONS", {}).setdefault("connect_timeout", 2)
    # A kept connection is checked before a request uses it, so a replica that went away is
    # passed over instead of failing the page (core.db_routing).
    _replica["CONN_HEALTH_CHECKS"] = True
    # The test suite has no replica: an alias reads the test database through "default".
    _replica["TEST"] = {"MIRROR": "default"}
    DATABASES[f"replica_{_number}"] = _replica
    SHINCHOKU_READ_REPLICAS.append(f"replica_{_number}")
DATABASE_ROUTERS = ["shinchoku.core.db_routing.ReadReplicaRouter"]
# After a request that may have written (a POST: publishing), its client reads from the primary
# for this long (a signed cookie), so staff see what they just published; 0 turns this off.
DATABASE_REPLICA_PIN_SECONDS = env_int("DATABASE_REPLICA_PIN_SECONDS", 5, minimum=0)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "my_work"
LOGOUT_REDIRECT_URL = "home"

LANGUAGE_CODE = "ja"
LANGUAGES = [("ja", _("Japanese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "shinchoku" / "locale"]
TIME_ZONE = "Asia/Tokyo"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
# Where `collectstatic` puts the files whitenoise serves in production.
STATIC_ROOT = Path(env_str("DJANGO_STATIC_ROOT", str(BASE_DIR / "var" / "static")))
STATICFILES_DIRS = [BASE_DIR / "shinchoku" / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Published files (publishing.Artefact): public data, rendered once at publishing, readable by
    # the web server that serves them (deploy/nginx), unlike the private uploads in MEDIA_ROOT.
    "artefacts": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {
            "location": env_str("SHINCHOKU_ARTEFACT_ROOT", str(BASE_DIR / "var" / "artefacts")),
            "file_permissions_mode": 0o644,
            "directory_permissions_mode": 0o755,
        },
    },
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEVELOPMENT
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# In development whitenoise serves straight from the apps' static folders (no collectstatic).
WHITENOISE_USE_FINDERS = DEVELOPMENT
WHITENOISE_AUTOREFRESH = DEVELOPMENT

# Private files (README "Backup and restore"): uploads, the SQLite database and backups are the
# server user's alone. No process-wide umask: collected static files stay readable by a web server.
MEDIA_ROOT = Path(env_str("DJANGO_MEDIA_ROOT", str(BASE_DIR / "var" / "media")))
FILE_UPLOAD_PERMISSIONS = 0o600
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o700
# Published files are sent by nginx when set (deploy/nginx: an internal location over
# SHINCHOKU_ARTEFACT_ROOT, e.g. "/_artefacts/"): the app answers a download with
# X-Accel-Redirect only, and a page with its bytes for nginx's cache (portal.serving).
SHINCHOKU_ARTEFACT_ACCEL_PREFIX = env_str("SHINCHOKU_ARTEFACT_ACCEL_PREFIX", "")
# How long a public answer (a citizen's published page) may be answered again from a cache
# without asking Django: the app's own (core.shared_cache) and nginx's (X-Accel-Expires). A
# revision published in another process shows after at most this long; 0 turns both off.
SHINCHOKU_SHARED_CACHE_SECONDS = env_int("SHINCHOKU_SHARED_CACHE_SECONDS", 5)
# Where `manage.py backup` writes when not given -o.
BACKUP_DIR = Path(env_str("SHINCHOKU_BACKUP_DIR", str(BASE_DIR / "var" / "backups")))
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    from shinchoku.core.backup import private_database_directory

    # Its directory is created 0700 (0711 around STATIC_ROOT), the checkout's var/ tightened alike;
    # the files become 0600 when a connection opens them (shinchoku.core.apps).
    private_database_directory(
        DATABASES["default"]["NAME"], checkout_var=BASE_DIR / "var", static_root=STATIC_ROOT
    )

# Uploads (shinchoku.core.upload_limits): a request body larger than an upload plus its
# form is refused before it is read (shinchoku.core.security.RequestSizeLimitMiddleware);
# each reader stops at these bounds with a message naming the bound; an import is parsed
# once, in a worker process with CPU-time and memory limits (shinchoku.imports.worker).
SHINCHOKU_UPLOAD_MAX_MB = env_int("SHINCHOKU_UPLOAD_MAX_MB", 20, minimum=1)
SHINCHOKU_IMPORT_MAX_TEXT_MB = env_int("SHINCHOKU_IMPORT_MAX_TEXT_MB", 4, minimum=1)
SHINCHOKU_IMPORT_MAX_LINES = env_int("SHINCHOKU_IMPORT_MAX_LINES", 50_000, minimum=100)
SHINCHOKU_IMPORT_MAX_PAGES = env_int("SHINCHOKU_IMPORT_MAX_PAGES", 300, minimum=1)
SHINCHOKU_IMPORT_MAX_PAGE_CHARS = env_int("SHINCHOKU_IMPORT_MAX_PAGE_CHARS", 20_000, minimum=1000)
SHINCHOKU_IMPORT_MAX_ROWS = env_int("SHINCHOKU_IMPORT_MAX_ROWS", 20_000, minimum=100)
SHINCHOKU_IMPORT_MAX_COLUMNS = env_int("SHINCHOKU_IMPORT_MAX_COLUMNS", 100, minimum=10)
SHINCHOKU_IMPORT_MAX_CELLS = env_int("SHINCHOKU_IMPORT_MAX_CELLS", 300_000, minimum=1000)
SHINCHOKU_IMPORT_MAX_SHEETS = env_int("SHINCHOKU_IMPORT_MAX_SHEETS", 50, minimum=1)
SHINCHOKU_IMPORT_MAX_ZIP_ENTRIES = env_int("SHINCHOKU_IMPORT_MAX_ZIP_ENTRIES", 1000, minimum=10)
SHINCHOKU_IMPORT_MAX_UNPACKED_MB = env_int("SHINCHOKU_IMPORT_MAX_UNPACKED_MB", 100, minimum=1)
SHINCHOKU_IMPORT_CPU_SECONDS = env_int("SHINCHOKU_IMPORT_CPU_SECONDS", 20, minimum=1)
SHINCHOKU_IMPORT_MEMORY_MB = env_int("SHINCHOKU_IMPORT_MEMORY_MB", 1024, minimum=256)
# Uploaded files are kept this long, then purged by `manage.py purge_uploads` (what was
# read from them stays); uploads waiting for confirmation may hold at most this much.
SHINCHOKU_UPLOAD_RETENTION_DAYS = env_int("SHINCHOKU_UPLOAD_RETENTION_DAYS", 90, minimum=1)
SHINCHOKU_UPLOAD_QUOTA_MB = env_int("SHINCHOKU_UPLOAD_QUOTA_MB", 200, minimum=1)
DATA_UPLOAD_MAX_MEMORY_SIZE = SHINCHOKU_UPLOAD_MAX_MB * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = SHINCHOKU_UPLOAD_MAX_MB * 1024 * 1024

# Log-in throttle (shinchoku.accounts.throttle, docs/adr/0005-login-lockout.md): a username
# gets this many attempts freely, then each one makes the next wait LOGIN_FAILURE_DELAY_SECONDS,
# doubled every time, at most LOGIN_LOCKOUT_SECONDS; a quiet window forgives. An address with
# LOGIN_FAILURE_LIMIT_PER_IP failures in the window only loses the free attempts: a right
# password still logs in (a whole city hall often reaches us through one proxy).
LOGIN_FAILURE_WINDOW_SECONDS = env_int("LOGIN_FAILURE_WINDOW_SECONDS", 15 * 60, minimum=1)
LOGIN_FAILURE_DELAY_SECONDS = env_int("LOGIN_FAILURE_DELAY_SECONDS", 60, minimum=1)
LOGIN_LOCKOUT_SECONDS = env_int("LOGIN_LOCKOUT_SECONDS", 15 * 60, minimum=1)
LOGIN_FAILURE_LIMIT_PER_USERNAME = env_int("LOGIN_FAILURE_LIMIT_PER_USERNAME", 5, minimum=1)
LOGIN_FAILURE_LIMIT_PER_IP = env_int("LOGIN_FAILURE_LIMIT_PER_IP", 20, minimum=1)
# Reverse proxies in front of the app that append to X-Forwarded-For (0: use REMOTE_ADDR).
LOGIN_TRUSTED_PROXY_COUNT = env_int("LOGIN_TRUSTED_PROXY_COUNT", 0, minimum=0)


# The REST API (shinchoku.api, docs/api.md): personal access tokens, JSON only, errors in one
# shape, pages of 50, and rate limits per client address (no token) and per token, counted in
# each process's cache. A rate is "<requests>/<second|minute|hour|day>".
def _api_rate(name: str, default: str) -> str:
    rate = env_str(name, default)
    if not re.fullmatch(r"[1-9][0-9]*/(second|minute|hour|day)", rate):
        raise ImproperlyConfigured(
            f"{name}={rate!r}: write a rate as 60/minute (second, minute, hour or day)."
        )
    return rate


REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["shinchoku.api.authentication.TokenAuthentication"],
    # Nothing is public unless its view says so (the published data's views do).
    "DEFAULT_PERMISSION_CLASSES": [
        "rest_framework.permissions.IsAuthenticated",
        "shinchoku.api.permissions.TokenScope",
    ],
    "DEFAULT_THROTTLE_CLASSES": [
        "shinchoku.api.throttles.AnonymousRateThrottle",
        "shinchoku.api.throttles.TokenRateThrottle",
        "shinchoku.api.throttles.TokenWriteRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anonymous": _api_rate("SHINCHOKU_API_RATE_ANONYMOUS", "120/minute"),
        "token": _api_rate("SHINCHOKU_API_RATE_TOKEN", "600/minute"),
        "token_write": _api_rate("SHINCHOKU_API_RATE_WRITE", "120/minute"),
    },
    # The client's address as the log-in throttle reads it (never a client-chosen X-Forwarded-For).
    "NUM_PROXIES": LOGIN_TRUSTED_PROXY_COUNT,
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    # OPTIONS describes nothing (405): the OpenAPI document is the description.
    "DEFAULT_METADATA_CLASS": None,
    "DEFAULT_PAGINATION_CLASS": "shinchoku.api.pagination.Pagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "shinchoku.api.exceptions.exception_handler",
    "DEFAULT_SCHEMA_CLASS": "shinchoku.api.schema.AutoSchema",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Shinchoku API（進捗）",
    "DESCRIPTION": (
        "公表された報告書・目標・指標・取り組み・施策評価を読み、検索する公開 API と、個人用アクセストークンで"
        "作成中の目標宣言を読み、照会の実績・予定・実績値・施策評価シートを書き、承認の手続をする職員用 API。"
        "/ Public, read-only endpoints for everything published (with search), and staff endpoints (a personal "
        "access token) to read drafts, write entries, figures and 施策評価 sheets, and take approval steps. "
        "See docs/api.md."
    ),
    # 1.1.0: steps, 施策評価 sheets, search and published 施策 added (additions only: docs/api.md).
    "VERSION": "1.1.0",
    "TAGS": [
        {
            "name": "公開データ / public data",
            "description": "公表された版だけを読む（トークン不要）/ published revisions only, no token",
        },
        {
            "name": "職員（トークン）/ staff (token)",
            "description": "トークンの利用者として読み書きする / as the token's user",
        },
    ],
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    # What the URL converters accept: a client generating paths from the document gets real ones.
    "PATH_CONVERTER_OVERRIDES": {
        "slug": {"type": "string", "pattern": "^[-a-zA-Z0-9_]+$"},
        "int": {"type": "integer", "minimum": 0},
    },
    "ENUM_NAME_OVERRIDES": {
        "PublicationKindEnum": "shinchoku.publishing.models.Publication.Kind",
        "EntryKindEnum": "shinchoku.progress.models.ProgressEntry.Kind",
    },
    # Swagger UI and Redoc from our own static files (drf-spectacular-sidecar): no CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # A token typed into 「Authorize」 is not kept in the browser: city halls share PCs.
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "persistAuthorization": False},
}

# Collection rounds: "before deadline" reminders start this many days before the deadline.
ROUND_REMINDER_DAYS_BEFORE = env_int("ROUND_REMINDER_DAYS_BEFORE", 3, minimum=0)
# Who answers questions about the site, in the footer of every page (line breaks kept); empty:
# "the planning section of <the municipality of the page>".
SHINCHOKU_CONTACT = env_str("SHINCHOKU_CONTACT", "")
# The address staff reach Shinchoku at, for the links in e-mails (no trailing slash).
SITE_URL = env_str("SHINCHOKU_SITE_URL", "http://127.0.0.1:8000").rstrip("/")

SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 8 * 60 * 60)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# Browsers that reached the site over HTTPS keep to HTTPS (sent on HTTPS responses only).
SECURE_HSTS_SECONDS = env_int("DJANGO_HSTS_SECONDS", 0 if DEVELOPMENT else 31536000, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DJANGO_HSTS_INCLUDE_SUBDOMAINS", default=False)
# The Content-Security-Policy (shinchoku.core.security); report-only to try it on a new proxy.
CSP_REPORT_ONLY = env_bool("SHINCHOKU_CSP_REPORT_ONLY", default=False)
if not DEVELOPMENT:
    SESSION_COOKIE_SECURE = env_bool("DJANGO_SECURE_COOKIES", default=True)
    CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", default=False)
    # Behind nginx that terminates TLS (deploy/nginx): it always sets X-Forwarded-Proto, so the
    # header can be trusted there; never set this where clients reach gunicorn directly.
    if env_bool("DJANGO_TRUST_X_FORWARDED_PROTO", default=False):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Mail must never hang a request: the SMTP server has this many seconds to answer.
EMAIL_TIMEOUT = env_int("DJANGO_EMAIL_TIMEOUT", 10, minimum=1)
EMAIL_BACKEND = env_str(
    "DJANGO_EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEVELOPMENT
    else "django.core.mail.backends.smtp.EmailBackend",
)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("DJANGO_LOG_LEVEL", "INFO")},
}

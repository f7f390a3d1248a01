"""Settings for the portal.

Everything that differs between a laptop and production is read from the environment through
django-environ. With no environment at all the project runs on the embedded default: a SQLite
file, Celery in eager mode, local-memory cache and e-mail printed to the console.
"""

from pathlib import Path

import environ
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=True)


def secret(name: str, default: str = "") -> str:
    """A secret from the variable ``name``, or read from the file ``<name>_FILE`` names (a
    Docker or systemd secret, kept outside the repository). Never a value in this file."""
    path = env.str(f"{name}_FILE", default="")
    if path:
        try:
            value = Path(path).read_text(encoding="utf-8").strip()
        except OSError as error:
            raise ImproperlyConfigured(f"{name}_FILE cannot be read: {error}") from error
        if not value:
            raise ImproperlyConfigured(f"{name}_FILE names an empty file.")
        return value
    return env.str(name, default=default)


# The one secret-looking value in the repository: a clearly marked key for development only,
# used with DEBUG on and refused (by its absence) when DEBUG is off.
_DEV_SECRET_KEY = "insecure-local-development-key-do-not-use-in-production"  # noqa: S105
SECRET_KEY = secret("SECRET_KEY", default=_DEV_SECRET_KEY if DEBUG else "")
if not SECRET_KEY or (not DEBUG and SECRET_KEY == _DEV_SECRET_KEY):
    raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")

LOCAL_HOSTS = ["127.0.0.1", "localhost", "[::1]"]
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=LOCAL_HOSTS)
if DEBUG and set(ALLOWED_HOSTS) - set(LOCAL_HOSTS):
    # Serving real host names with debug pages and the development key would be an accident.
    raise ImproperlyConfigured("ALLOWED_HOSTS names public hosts: set DEBUG=false.")
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

# Application definition ---------------------------------------------------------------------

DJANGO_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
]
THIRD_PARTY_APPS = [
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.contrib.routable_page",
    "wagtail.sites",
    "portal.accounts.apps.AccountsUsersAppConfig",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "django_filters",
    "allauth",
    "allauth.account",
    "allauth.mfa",
]
# WeChat sign-in (微信登录, allauth's "weixin" provider) exists only when the portal's WeChat
# website application is configured (its id and secret from open.weixin.qq.com): without them
# not one table, address or button of allauth's social accounts is there. Turning it on later
# needs `manage.py migrate` once (allauth's socialaccount tables). See "Accounts" below.
WECHAT_APP_ID = env.str("WECHAT_APP_ID", default="")
WECHAT_APP_SECRET = secret("WECHAT_APP_SECRET")
WECHAT_SIGN_IN = bool(WECHAT_APP_ID and WECHAT_APP_SECRET)
if WECHAT_SIGN_IN:
    THIRD_PARTY_APPS += ["allauth.socialaccount", "allauth.socialaccount.providers.weixin"]
LOCAL_APPS = [
    "portal.accounts",
    "portal",
    "cms",
    "courses",
    "certification",
]
INSTALLED_APPS = DJANGO_APPS + THIRD_PARTY_APPS + LOCAL_APPS

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "courses.middleware.LessonBeatMiddleware",  # beats with a page token answered here
    "portal.security.ContentSecurityPolicyMiddleware",
    "portal.security.NulBytesRefusedMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "portal.middleware.ChineseFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "portal.accounts.middleware.MFARequiredMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "portal" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wagtail.contrib.settings.context_processors.settings",
                "portal.notifications.context.unread_notifications",
            ],
        },
    },
]

# Data -----------------------------------------------------------------------------------------

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'portal.sqlite3'}"),
}
if "DATABASE_URL" not in env:
    VAR_DIR.mkdir(exist_ok=True)
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The embedded default: take the write lock when a transaction begins and wait for it,
    # rather than fail with "database is locked" when two requests write at once.
    options = DATABASES["default"].setdefault("OPTIONS", {})
    options.setdefault("timeout", 20)
    options.setdefault("transaction_mode", "IMMEDIATE")
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

_cache_url = env.str("CACHE_URL", default="") or env.str("REDIS_URL", default="")
CACHES = {
    "default": env.cache_url_config(_cache_url)
    if _cache_url
    else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "portal"}
}
if CACHES["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache":
    CACHES["default"]["BACKEND"] = "portal.cache.RedisCache"  # one client per pool, not per call

# Background work ------------------------------------------------------------------------------

# Without a broker, tasks run in-process as they are queued (the embedded default).
CELERY_TASK_ALWAYS_EAGER = not env.str("CELERY_BROKER_URL", default="")
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="") or "memory://"
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_BACKEND = env.str("CELERY_RESULT_BACKEND", default="") or None
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_DEFAULT_QUEUE = env.str("CELERY_TASK_DEFAULT_QUEUE", default="portal")
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Sending e-mail can go to a queue of its own, consumed by workers that do only that
# (docs/deploy.md). Unset: every task goes to the default queue.
CELERY_MAIL_QUEUE = env.str("CELERY_MAIL_QUEUE", default="")
CELERY_TASK_ROUTES = (
    {"portal.accounts.tasks.outgoing_mail_send*": {"queue": CELERY_MAIL_QUEUE}}
    if CELERY_MAIL_QUEUE
    else {}
)
CELERY_TIMEZONE = "Asia/Shanghai"
CELERY_BEAT_SCHEDULE = {
    "resend-stale-mail": {
        "task": "portal.accounts.tasks.outgoing_mail_resend_stale",
        "schedule": 300.0,
    },
    "submit-overdue-exam-attempts": {
        "task": "courses.tasks.exam_attempts_submit_overdue",
        "schedule": 60.0,
    },
    "finish-stale-certificates": {
        "task": "certification.tasks.certificates_pending_sweep",
        "schedule": 300.0,
    },
    "resume-stalled-bulk-issues": {
        "task": "certification.tasks.bulk_issue_resume_stalled_task",
        "schedule": 300.0,
    },
    "refresh-dashboard": {
        "task": "portal.dashboard.tasks.dashboard_refresh_task",
        "schedule": 600.0,
    },
    "renew-status-lists": {
        "task": "certification.tasks.status_lists_renew_task",
        "schedule": 3600.0,
    },
    "remind-classes-tomorrow": {
        "task": "portal.notifications.tasks.class_reminders_task",
        "schedule": crontab(hour=18, minute=0),
    },
    "expire-certificates-nightly": {
        "task": "certification.tasks.certificates_expire_task",
        "schedule": crontab(hour=1, minute=30),
    },
    "remind-talent-evaluation-in-january": {
        "task": "certification.tasks.filing_evaluation_remind_task",
        "schedule": crontab(hour=9, minute=0, day_of_month="10-31", month_of_year=1),
    },
    "checkpoint-audit-chain-daily": {
        "task": "certification.tasks.audit_checkpoint_task",
        "schedule": crontab(hour=0, minute=5),
    },
    "sweep-report-jobs": {
        "task": "portal.reports.tasks.report_jobs_sweep_task",
        "schedule": 300.0,
    },
    "flush-lesson-beats": {
        "task": "courses.tasks.lesson_beats_flush",
        "schedule": 5.0,
        "options": {"expires": 5.0},
    },
}
# After an exam's deadline, answers are still accepted this long (a slow network).
PORTAL_EXAM_GRACE_SECONDS = 30

# Online lessons: the share of a lesson's hours that must be spent active on its page (a lesson
# may set its own), and how often the page reports that it is open and in front (seconds).
# Each report counts the time since the previous one, at most PORTAL_LESSON_BEAT_CAP_SECONDS,
# and only if that one came at most PORTAL_LESSON_BEAT_RECENT_SECONDS before.
PORTAL_LESSON_MIN_ACTIVE_SHARE = env.float("PORTAL_LESSON_MIN_ACTIVE_SHARE", default=0.5)
PORTAL_LESSON_HEARTBEAT_SECONDS = 30
PORTAL_LESSON_BEAT_CAP_SECONDS = 40
PORTAL_LESSON_BEAT_RECENT_SECONDS = 75
# With Redis, beats are counted there and written to the database in batches (courses/beats.py).
PORTAL_LESSON_BEATS_REDIS_URL = env.str("REDIS_URL", default="")

# E-mail ---------------------------------------------------------------------------------------

vars().update(env.email_url("EMAIL_URL", default="consolemail://"))
DEFAULT_FROM_EMAIL = env.str(
    "DEFAULT_FROM_EMAIL", default="技术转移人才培训平台 <noreply@portal.local>"
)
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Accounts -------------------------------------------------------------------------------------

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "my_learning"

ACCOUNT_ADAPTER = "portal.accounts.adapter.AccountAdapter"
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_SIGNUP_FORM_CLASS = "portal.accounts.forms.SignupProfileForm"
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = False
ACCOUNT_CHANGE_EMAIL = True
ACCOUNT_UNIQUE_EMAIL = True
# A person signing up with an e-mail that is already registered is told so plainly; the
# training programme's sign-up is not a place where account existence is a secret.
ACCOUNT_PREVENT_ENUMERATION = False
ACCOUNT_EMAIL_SUBJECT_PREFIX = ""
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "http" if DEBUG else "https"
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "技术转移人才培训平台"
# A code from the 30-second step just before or after the server's is accepted too, as
# RFC 6238 suggests: a phone a few seconds off, or a code typed as it changes, still works.
# Each code is still accepted only once (allauth remembers used codes).
MFA_TOTP_TOLERANCE = 1
# Requests allowed per window ("amount/period/per", period in s, m, h or d; per ip, key or
# user), set here explicitly rather than left to allauth's defaults. A refused request gets
# the portal's 429 page (portal.views.too_many_requests). Wrong passwords and wrong two-factor
# codes both count as "login_failed". See docs/security.md.
ACCOUNT_RATE_LIMITS = {
    "login": "30/m/ip",
    "login_failed": "10/m/ip,5/5m/key",
    "signup": "10/m/ip",
    "reset_password": "20/m/ip,5/m/key",
    "reset_password_from_key": "20/m/ip",
    "confirm_email": "1/3m/key",
    "change_password": "5/m/user",
    "manage_email": "10/m/user",
    "reauthenticate": "10/m/user",
}
# How many reverse proxies stand in front of the portal: the client's address is then read
# from X-Forwarded-For (the proxy's own address would otherwise put every client in one
# bucket). 0 means REMOTE_ADDR, the right value without a proxy.
ALLAUTH_TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)

# Every staff role signs in with a second factor before it reaches any page but the sign-in
# and authenticator pages (portal.accounts.middleware), and keeps its last authenticator.
PORTAL_MFA_REQUIRED_ROLES = ["Faculty", "Base editor", "Certifier", "Administrator"]
MFA_ADAPTER = "portal.accounts.adapter.MFAAdapter"

# WeChat sign-in (only when WECHAT_SIGN_IN, above). WeChat gives an openid and no e-mail
# address, so a WeChat account joins a portal account only when its holder proves the account
# is theirs: signed in (password and, if they have one, the second factor) when they connect
# it, or a new sign-up whose address is confirmed. Never by an address someone types.
# See portal/accounts/social.py and docs/security.md.
SOCIALACCOUNT_ADAPTER = "portal.accounts.social.SocialAccountAdapter"
SOCIALACCOUNT_PROVIDERS = {
    "weixin": {
        "APPS": [{"client_id": WECHAT_APP_ID, "secret": WECHAT_APP_SECRET}]
        if WECHAT_SIGN_IN
        else [],
        "SCOPE": ["snsapi_login"],
    }
}
SOCIALACCOUNT_AUTO_SIGNUP = False
SOCIALACCOUNT_EMAIL_AUTHENTICATION = False
SOCIALACCOUNT_EMAIL_AUTHENTICATION_AUTO_CONNECT = False
SOCIALACCOUNT_LOGIN_ON_GET = False
SOCIALACCOUNT_STORE_TOKENS = False

# Profile photos: the largest file and the most pixels we accept.
PORTAL_PHOTO_MAX_BYTES = 2 * 1024 * 1024
PORTAL_PHOTO_MAX_PIXELS = 24_000_000

# Real-name details (portal/accounts/identity.py): the identity numbers are encrypted, and
# hashed for matching, under keys derived from this secret, apart from SECRET_KEY and from the
# signing keys' secret. Only with DEBUG on is there a development value; with DEBUG off a
# missing one or that value is an error (portal/accounts/checks.py, accounts.E001).
_DEV_IDENTITY_KEY = "insecure-identity-key-for-development-only"
PORTAL_IDENTITY_KEY = secret("PORTAL_IDENTITY_KEY") or (_DEV_IDENTITY_KEY if DEBUG else "")

# Text messages (portal/accounts/sms.py): "portal.accounts.sms.ConsoleBackend" prints them;
# "portal.accounts.sms.HttpBackend" posts JSON to SMS_HTTP_URL with SMS_HTTP_TOKEN.
SMS_BACKEND = env.str("SMS_BACKEND", default="portal.accounts.sms.ConsoleBackend")
SMS_HTTP_URL = env.str("SMS_HTTP_URL", default="")
SMS_HTTP_TOKEN = secret("SMS_HTTP_TOKEN")
SMS_HTTP_TIMEOUT = env.float("SMS_HTTP_TIMEOUT", default=10.0)

# Certification ---------------------------------------------------------------------------------

# Where the public reaches the portal: printed in QR codes and signed into credentials.
PORTAL_BASE_URL = env.str("PORTAL_BASE_URL", default="http://127.0.0.1:8000")
# Who runs this portal, as the privacy notice names them (个人信息处理者) and how to reach the
# person answering for personal information; the notice says plainly when they are not set.
PORTAL_OPERATOR_NAME = env.str("PORTAL_OPERATOR_NAME", default="")
PORTAL_PRIVACY_CONTACT = env.str("PORTAL_PRIVACY_CONTACT", default="")
# {body} the numbering body's code, {level} the level's letter, {year}, {sequence}.
PORTAL_CERTIFICATE_NUMBER_FORMAT = env.str(
    "PORTAL_CERTIFICATE_NUMBER_FORMAT", default="{body}-{level}-{year}-{sequence:06d}"
)
# Encrypts the bodies' private signing keys in the database. Keep it outside the repository
# (the environment or a secrets file); without it the stored keys cannot sign. Only with DEBUG
# on does it fall back to SECRET_KEY; with DEBUG off, a missing one or a development value is
# an error (certification.checks, certification.E002).
PORTAL_SIGNING_KEY_SECRET = secret("PORTAL_SIGNING_KEY_SECRET") or (SECRET_KEY if DEBUG else "")
PORTAL_DEVELOPMENT_SECRETS = [_DEV_SECRET_KEY, _DEV_IDENTITY_KEY]
PORTAL_EVIDENCE_MAX_BYTES = env.int("PORTAL_EVIDENCE_MAX_BYTES", default=5 * 1024 * 1024)
# Public verification and API requests allowed per client address per minute.
PORTAL_VERIFY_RATE_PER_MINUTE = env.int("PORTAL_VERIFY_RATE_PER_MINUTE", default=60)
# "Check a holder" (a name or ID number against a certificate) per certificate per hour, from
# all addresses together, so that guessing is slow (certification/verification/holder_match.py).
PORTAL_HOLDER_CHECKS_PER_CERTIFICATE_PER_HOUR = env.int(
    "PORTAL_HOLDER_CHECKS_PER_CERTIFICATE_PER_HOUR", default=10
)
# A signed revocation (status) list is believed for this many hours after signing; beat signs
# it again once fewer than PORTAL_STATUS_LIST_RENEW_HOURS are left (certification/credentials/
# status.py), so a copy kept from before a revocation stops being accepted within a day or two.
PORTAL_STATUS_LIST_VALID_HOURS = env.int("PORTAL_STATUS_LIST_VALID_HOURS", default=48)
PORTAL_STATUS_LIST_RENEW_HOURS = env.int("PORTAL_STATUS_LIST_RENEW_HOURS", default=24)

# A CJK TrueType font for PDFs and generated pictures; found among the usual places if unset.
PORTAL_CJK_FONT = env.str("PORTAL_CJK_FONT", default="")

# Internationalisation -------------------------------------------------------------------------

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True
WAGTAILADMIN_PERMITTED_LANGUAGES = LANGUAGES

# Static and media -----------------------------------------------------------------------------

STATIC_URL = "/static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=str(VAR_DIR / "static"))
if DEBUG:
    # WhiteNoise warns about a missing STATIC_ROOT; in development files come from the finders.
    Path(STATIC_ROOT).mkdir(parents=True, exist_ok=True)
    WHITENOISE_USE_FINDERS = True
# Two storages. "default" (MEDIA_ROOT, /media/) holds only what anyone may see: the CMS's
# pictures. "private" (PRIVATE_MEDIA_ROOT) holds certificates, photos, evidence and reports
# under unguessable names; no URL serves it, the portal's views check who asks and stream them.
MEDIA_URL = "/media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=str(VAR_DIR / "media"))
PRIVATE_MEDIA_ROOT = env.path("PRIVATE_MEDIA_ROOT", default=str(VAR_DIR / "private"))
if Path(PRIVATE_MEDIA_ROOT).resolve().is_relative_to(Path(MEDIA_ROOT).resolve()) or Path(
    MEDIA_ROOT
).resolve().is_relative_to(Path(PRIVATE_MEDIA_ROOT).resolve()):
    raise ImproperlyConfigured("PRIVATE_MEDIA_ROOT and MEDIA_ROOT must be separate folders.")
# The portal serves /media/ itself (portal.media: the CMS's pictures only, cached) unless a web
# server in front does it: then set SERVE_MEDIA=false.
SERVE_MEDIA = env.bool("SERVE_MEDIA", default=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "private": {"BACKEND": "portal.accounts.storage.PrivateFileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
# MEDIA_STORAGE=s3 keeps media (certificate PDFs, photos, evidence, reports) in an
# S3-compatible bucket through django-storages; credentials come from boto3's usual sources
# (AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY in the environment, or an instance role).
MEDIA_STORAGE = env.str("MEDIA_STORAGE", default="filesystem")
if MEDIA_STORAGE == "s3":
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env.str("AWS_STORAGE_BUCKET_NAME"),
            "endpoint_url": env.str("AWS_S3_ENDPOINT_URL", default="") or None,
            "region_name": env.str("AWS_S3_REGION_NAME", default="") or None,
            "location": env.str("AWS_LOCATION", default=""),
            # Like the file system: a name in use gets a new one, never overwritten.
            "file_overwrite": False,
            # Private objects; the portal's views check who asks, then stream the file.
            "default_acl": None,
            "querystring_auth": True,
            "querystring_expire": 300,
            "signature_version": env.str("AWS_S3_SIGNATURE_VERSION", default="s3v4"),
        },
    }
    # Private files in the same (private) bucket under their own prefix; the portal streams
    # them after its checks and never hands out their object URLs.
    STORAGES["private"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            **STORAGES["default"]["OPTIONS"],
            "location": "/".join(
                part for part in (env.str("AWS_LOCATION", default=""), "private") if part
            ),
        },
    }
    SERVE_MEDIA = False
elif MEDIA_STORAGE != "filesystem":
    raise ImproperlyConfigured("MEDIA_STORAGE must be 'filesystem' or 's3'.")
DATA_UPLOAD_MAX_NUMBER_FIELDS = 10_000
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# Wagtail --------------------------------------------------------------------------------------

WAGTAIL_SITE_NAME = "技术转移人才培训平台"
WAGTAILADMIN_BASE_URL = env.str("WAGTAILADMIN_BASE_URL", default="http://127.0.0.1:8000")
WAGTAILSEARCH_BACKENDS = {
    "default": {
        "BACKEND": "portal.search_backend",
        "SEARCH_CONFIG": "simple",
    }
}
# Each document's bytes must match its extension (cms.uploads.document_check), checked by
# the form below in the single and the multiple uploader alike.
WAGTAILDOCS_EXTENSIONS = ["pdf", "docx", "pptx", "xlsx", "odt", "txt", "zip", "mp4"]
WAGTAILDOCS_DOCUMENT_FORM_BASE = "cms.forms_documents.PortalDocumentForm"
# Wagtail checks each picture's bytes against its extension; no SVG (it can carry scripts).
WAGTAILIMAGES_EXTENSIONS = ["gif", "jpg", "jpeg", "png", "webp"]
WAGTAILDOCS_MAX_UPLOAD_SIZE = 50 * 1024 * 1024
WAGTAILIMAGES_MAX_UPLOAD_SIZE = 10 * 1024 * 1024
WAGTAILIMAGES_MAX_IMAGE_PIXELS = 64_000_000
WAGTAIL_I18N_ENABLED = False
# No avatars from other hosts: Wagtail would otherwise fetch them from Gravatar.
WAGTAIL_GRAVATAR_PROVIDER_URL = None
WAGTAIL_PASSWORD_RESET_ENABLED = False
WAGTAILADMIN_LOGIN_URL = "wagtailadmin_login"  # portal.accounts.admin_entry
# E-mail and password are managed through allauth, which verifies a new address.
WAGTAIL_EMAIL_MANAGEMENT_ENABLED = False
WAGTAIL_PASSWORD_MANAGEMENT_ENABLED = False

# Security -------------------------------------------------------------------------------------

CSRF_FAILURE_VIEW = "portal.views.csrf_failure"
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"  # Wagtail's preview views opt back in to SAMEORIGIN.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# Sent by portal.security.ContentSecurityPolicyMiddleware; "{nonce}" becomes a fresh value for
# each response, which the site's own inline scripts carry (nonce="{{ request.csp_nonce }}").
# The Wagtail admin (PORTAL_CSP_ADMIN, under /admin/) runs inline scripts of its own and gets
# the parts that do not restrict them.
PORTAL_CSP = (
    "default-src 'self'; script-src 'self' 'nonce-{nonce}'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self'; "
    "media-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "
    "frame-ancestors 'none'"
)
PORTAL_CSP_ADMIN = "object-src 'none'; base-uri 'self'; frame-ancestors 'self'"
if WECHAT_SIGN_IN:
    # The WeChat button posts to the portal, which sends the browser on to WeChat's QR page;
    # browsers apply form-action to that redirect too.
    PORTAL_CSP = PORTAL_CSP.replace(
        "form-action 'self'", "form-action 'self' https://open.weixin.qq.com"
    )
if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    # Only for serving plain http on this machine (`make serve`): never off behind TLS.
    SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=True)
    CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=True)
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="WARNING")},
}

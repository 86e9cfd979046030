"""Settings shared by every environment.

Everything that varies between machines comes from environment variables (read once,
here, through ``env``). The defaults are the embedded ones: SQLite, an SQLite-backed
Celery broker, a local-memory cache and the 7digital sandbox, so a fresh checkout runs
with no server installed. ``production.py`` replaces the development defaults and
refuses to start with unsafe ones.

https://docs.djangoproject.com/en/5.2/ref/settings/
https://django-environ.readthedocs.io/en/latest/
"""

from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()

# Used by local and test settings when SECRET_KEY is not set; production refuses it.
DEVELOPMENT_SECRET_KEY = "django-insecure-development-only-never-use-in-production"
SECRET_KEY = env("SECRET_KEY", default=DEVELOPMENT_SECRET_KEY)
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=[])
# The partner's brand: the name in every page's header and title, and in every email.
SHOP_NAME = env("SHOP_NAME", default="Music storefront")

# --- 7digital --------------------------------------------------------------------
# Outside production every host defaults to the sandbox, so moving
# SEVENDIGITAL_SANDBOX_URL moves the whole site. The URLs are bases without "/1.2":
# the client appends the API version where an endpoint needs it.
SEVENDIGITAL_SANDBOX_URL = env("SEVENDIGITAL_SANDBOX_URL", default="http://127.0.0.1:8001")
SEVENDIGITAL_API_URL = env("SEVENDIGITAL_API_URL", default=SEVENDIGITAL_SANDBOX_URL)
SEVENDIGITAL_PREVIEWS_URL = env("SEVENDIGITAL_PREVIEWS_URL", default=SEVENDIGITAL_SANDBOX_URL)
SEVENDIGITAL_MEDIA_URL = env("SEVENDIGITAL_MEDIA_URL", default=SEVENDIGITAL_SANDBOX_URL)
SEVENDIGITAL_STREAM_URL = env("SEVENDIGITAL_STREAM_URL", default=SEVENDIGITAL_SANDBOX_URL)
SEVENDIGITAL_FEEDS_URL = env("SEVENDIGITAL_FEEDS_URL", default=SEVENDIGITAL_SANDBOX_URL)
SEVENDIGITAL_CONSUMER_KEY = env("SEVENDIGITAL_CONSUMER_KEY", default="sandbox-key")
SEVENDIGITAL_CONSUMER_SECRET = env("SEVENDIGITAL_CONSUMER_SECRET", default="sandbox-secret")
SEVENDIGITAL_COUNTRY = env("SEVENDIGITAL_COUNTRY", default="GB")
SEVENDIGITAL_SHOP_ID = env.int("SEVENDIGITAL_SHOP_ID", default=None)
SEVENDIGITAL_TIMEOUT = env.float("SEVENDIGITAL_TIMEOUT", default=10.0)
SEVENDIGITAL_MAX_RETRIES = env.int("SEVENDIGITAL_MAX_RETRIES", default=2)
# How long the catalogue keeps the last good copy of each read, to serve (marked stale)
# while 7digital fails; fresh data follows 7digital's Cache-Control instead.
CATALOGUE_STALE_SECONDS = env.int("CATALOGUE_STALE_SECONDS", default=7 * 24 * 60 * 60)
# How long a rendered part of a catalogue page that is the same for every visitor (a
# release's header, buy panel and track list, per country) is reused by `{% cache %}`:
# a change 7digital makes reaches the page at most this long after it reaches the
# selectors. 0 renders every time (the default with DEBUG on, so template edits show).
CATALOGUE_FRAGMENT_SECONDS = env.int("CATALOGUE_FRAGMENT_SECONDS", default=300)
# How long a whole catalogue page rendered for visitors (no session) is served to other
# visitors of the same country (store/catalogue/page_cache.py). 0 renders every time.
CATALOGUE_PAGE_SECONDS = env.int("CATALOGUE_PAGE_SECONDS", default=120)
# The proxy counts the clips it serves in memory and writes the counts this often (see
# store/player/tally.py); 0 writes each count as it happens.
PREVIEW_TALLY_FLUSH_SECONDS = env.float("PREVIEW_TALLY_FLUSH_SECONDS", default=5.0)
# A preview play is reported to 7digital only for a clip the proxy served this browser
# (store/player/limits.py): a clip can be played for this long after it was served;
# a listener (browser session) and an address (everyone behind it: an office, a
# household) may start this many plays a minute; a stop may report this many seconds
# beyond those elapsed since its start (the player counts from before its request).
PREVIEW_CLIP_GRANT_SECONDS = env.int("PREVIEW_CLIP_GRANT_SECONDS", default=3600)
PREVIEW_PLAYS_PER_LISTENER_PER_MINUTE = env.int("PREVIEW_PLAYS_PER_LISTENER_PER_MINUTE", default=30)
PREVIEW_PLAYS_PER_ADDRESS_PER_MINUTE = env.int("PREVIEW_PLAYS_PER_ADDRESS_PER_MINUTE", default=120)
PREVIEW_STOP_SLACK_SECONDS = env.int("PREVIEW_STOP_SLACK_SECONDS", default=3)
# Whole tracks (/stream/): a customer may start this many streams a minute, all their
# browsers together (a seek is not a start). A listener starts one every few minutes;
# a scraper or a runaway player far more.
STREAM_STARTS_PER_USER_PER_MINUTE = env.int("STREAM_STARTS_PER_USER_PER_MINUTE", default=20)
# Radio (/radio/<tag>/, store/player/radio.py): skips a listener may make in an hour,
# across stations. Non-interactive radio licences allow few; 6 is the usual figure.
RADIO_SKIPS_PER_HOUR = env.int("RADIO_SKIPS_PER_HOUR", default=6)
# A customer's playlist is deleted at 7digital (irreversibly) this long after they ask,
# so that they may undo it (store/playlists/deletions.py).
PLAYLIST_UNDO_SECONDS = env.int("PLAYLIST_UNDO_SECONDS", default=10)
# Visitors' radio tracks started from one address (an IPv6 /64) a minute, all their
# sessions together: a session costs nothing to make, an address does. Generous, for
# the many listeners behind one network's address.
RADIO_STARTS_PER_ADDRESS_PER_MINUTE = env.int("RADIO_STARTS_PER_ADDRESS_PER_MINUTE", default=60)
# The tags whose new releases the home page shows (7digital tag ids, in order):
# CATALOGUE_FEATURED_TAGS=rock,pop,electronic
CATALOGUE_FEATURED_TAGS = env.list("CATALOGUE_FEATURED_TAGS", default=["rock", "pop", "electronic"])

# The sandbox emulates 7digital with its own database; production never mounts it.
SANDBOX_ENABLED = env.bool("SANDBOX_ENABLED", default=True)
# Consumer key/secret pairs the sandbox accepts, besides the storefront's own pair:
# SANDBOX_CONSUMERS=key1=secret1,key2=secret2
SANDBOX_CONSUMERS = {
    **env.dict("SANDBOX_CONSUMERS", default={}),
    SEVENDIGITAL_CONSUMER_KEY: SEVENDIGITAL_CONSUMER_SECRET,
}
# 3-legged access tokens it accepts: token -> (token secret, the user it stands for).
SANDBOX_ACCESS_TOKENS: dict[str, tuple[str, str]] = {}
# The address clients sign against when the sandbox sits behind a proxy.
SANDBOX_PUBLIC_URL = env("SANDBOX_PUBLIC_URL", default=SEVENDIGITAL_SANDBOX_URL)
# Where the sandbox's image URLs point: 7digital's CDN, as the real API's do. The sandbox
# answers the CDN's paths itself (sandbox/artwork.py); local settings point here at it.
SANDBOX_ARTWORK_URL = env(
    "SANDBOX_ARTWORK_URL", default="http://artwork-cdn.7static.com/static/img"
)
# When set, every /_sandbox/ control call must send it in X-Sandbox-Token.
SANDBOX_CONTROL_TOKEN = env("SANDBOX_CONTROL_TOKEN", default="")
SANDBOX_OAUTH_TIMESTAMP_WINDOW = env.int("SANDBOX_OAUTH_TIMESTAMP_WINDOW", default=600)
SANDBOX_RATE_LIMIT = env.int("SANDBOX_RATE_LIMIT", default=100_000)
SANDBOX_SEED_TRACKS = env.int("SANDBOX_SEED_TRACKS", default=100_000)
SANDBOX_AUDIO_CACHE = env.path("SANDBOX_AUDIO_CACHE", default=BASE_DIR / ".sandbox-audio")
# MassiveMusic API 2026.05, /logging/preview: "Acceptable usage is 5 POST requests per second with batches of up to 500 logs per request"  # noqa: E501
SANDBOX_LOG_RATE_LIMIT = env.int("SANDBOX_LOG_RATE_LIMIT", default=5)  # per key; 0: unlimited
SANDBOX_PREVIEW_LOG_MAX = env.int("SANDBOX_PREVIEW_LOG_MAX", default=500)
# stream/subscription with clientId (reference lines 4631, 4651): a device superseded by
# another is refused (3201) for this long after its current track ends. The reference says
# only "a short time period"; why a minute: docs/sandbox-streaming.md.
SANDBOX_STREAM_BLOCK_SECONDS = env.int("SANDBOX_STREAM_BLOCK_SECONDS", default=60)
# Enabled offline devices per partner user (the reference states no limit; docs/sandbox-offline.md)
SANDBOX_OFFLINE_DEVICE_LIMIT = env.int("SANDBOX_OFFLINE_DEVICE_LIMIT", default=5)

# --- Applications ----------------------------------------------------------------
DJANGO_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",  # allauth's list of sessions uses it
]
THIRD_PARTY_APPS = [
    "django_htmx",
    # SimpleAppConfig leaves TEMPLATES alone: the partials loader is wired in below.
    "template_partials.apps.SimpleAppConfig",
    "django_celery_beat",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.usersessions",
]
LOCAL_APPS = [
    "accounts",
    "store.catalogue",
    "store.playlogs",
    "store.player",
    "store.basket",
    "store.checkout",
    "store.subscriptions",
    "store.locker",
    "store.playlists",
]
SANDBOX_APPS = ["sandbox"]

INSTALLED_APPS = DJANGO_APPS + THIRD_PARTY_APPS + LOCAL_APPS
if SANDBOX_ENABLED:
    INSTALLED_APPS += SANDBOX_APPS

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "integrations.http.RefuseNulBytesMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Before any middleware that reads or writes the body: it sees the finished page.
    "integrations.compression.CompressPagesMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "store.catalogue.middleware.CountryMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    # A visitor's stored page, served without the middleware below (page_cache.py).
    "store.catalogue.page_cache.VisitorPagesMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "accounts.middleware.StaffSecondFactorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "store.catalogue.middleware.CatalogueErrorMiddleware",
    # Last: after the country, CSRF and htmx, it may answer a visitor without the view.
    "store.catalogue.page_cache.PageCacheMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

# --- Templates -------------------------------------------------------------------
# https://github.com/carltongibson/django-template-partials#advanced-configuration
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "config.context_processors.shop",
                "store.catalogue.context_processors.catalogue",
                "store.basket.context_processors.basket",
                # Last: the token's placeholder in a page to be stored (page_cache.py).
                "store.catalogue.page_cache.page_holes",
            ],
            "loaders": [
                (
                    "template_partials.loader.Loader",
                    [
                        (
                            "django.template.loaders.cached.Loader",
                            [
                                "django.template.loaders.filesystem.Loader",
                                "django.template.loaders.app_directories.Loader",
                            ],
                        )
                    ],
                )
            ],
        },
    }
]

# --- Databases -------------------------------------------------------------------
# https://django-environ.readthedocs.io/en/latest/types.html#environ-env-db-url
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
# SQLite (the embedded default) is shared by the web server, Celery's worker and beat:
# transactions take the write lock when they begin (IMMEDIATE), so two processes never
# both read and then fail to write ("database is locked"), and the outbox's claims are
# atomic; WAL lets readers go on while one process writes. (An atomic block that calls
# 7digital holds the lock while it waits: on SQLite, other writers wait up to `timeout`.)
# https://docs.djangoproject.com/en/5.2/ref/databases/#sqlite-transaction-behavior
SQLITE_OPTIONS = {
    "transaction_mode": "IMMEDIATE",
    "timeout": 20,
    "init_command": "PRAGMA journal_mode=WAL;",  # synchronous stays FULL: plays survive
}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=0)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASE_ROUTERS = []
if SANDBOX_ENABLED:
    DATABASES["sandbox"] = env.db(
        "SANDBOX_DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'sandbox.sqlite3'}"
    )
    DATABASE_ROUTERS += ["sandbox.routers.SandboxRouter"]
for database in DATABASES.values():
    if database["ENGINE"] == "django.db.backends.sqlite3":
        database.setdefault("OPTIONS", {}).update(SQLITE_OPTIONS)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Authentication --------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "account_profile"

# --- Accounts: django-allauth ------------------------------------------------------
# https://docs.allauth.org/en/latest/account/configuration.html
ACCOUNT_ADAPTER = "accounts.adapters.AccountAdapter"
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_CONFIRM_EMAIL_ON_GET = False  # a link scanner must not confirm for the customer
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_LOGIN_BY_CODE_ENABLED = True
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_SESSION_REMEMBER = None  # the customer chooses ("Remember me")
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
# allauth's default rate limits (login failures, sign-ups, codes, resets) stay on;
# ACCOUNT_RATE_LIMITS is not overridden. They need a cache shared by every process,
# which production's Redis is.
ACCOUNT_EMAIL_SUBJECT_PREFIX = env("ACCOUNT_EMAIL_SUBJECT_PREFIX", default=f"[{SHOP_NAME}] ")
# https://docs.allauth.org/en/latest/mfa/configuration.html
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = env("MFA_TOTP_ISSUER", default="Music storefront")
# Sessions are recorded at sign-in; tracking each request's address would write to the
# database on every page a signed-in customer views.
USERSESSIONS_TRACK_ACTIVITY = False

# --- Email -------------------------------------------------------------------------
# Console by default; EMAIL_URL (smtp+tls://user:password@host:587) sends real mail.
# https://django-environ.readthedocs.io/en/latest/types.html#environ-env-email-url
if env("EMAIL_URL", default=""):
    vars().update(env.email_url("EMAIL_URL"))
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default=f"{SHOP_NAME} <shop@localhost>")

# --- Internationalisation --------------------------------------------------------
LANGUAGE_CODE = "en-gb"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# --- Static and media files ------------------------------------------------------
# https://whitenoise.readthedocs.io/en/stable/django.html
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Files browsers and crawlers ask for at the site's root (favicon.ico, robots.txt).
WHITENOISE_ROOT = BASE_DIR / "public"
MEDIA_URL = "media/"
MEDIA_ROOT = BASE_DIR / "media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# --- Cache -----------------------------------------------------------------------
# https://docs.djangoproject.com/en/5.2/topics/cache/#redis
REDIS_URL = env("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            # Django's, with one bounded pool per process rather than a connection per
            # thread (integrations/cache.py): a stream holds a thread for a whole track.
            "BACKEND": "integrations.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {
                "pool_class": "redis.BlockingConnectionPool",
                "max_connections": env.int("REDIS_POOL_SIZE", default=32),
                "timeout": env.int("REDIS_POOL_TIMEOUT", default=10),
            },
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Celery ----------------------------------------------------------------------
# https://docs.celeryq.dev/en/stable/userguide/configuration.html
# Without a broker server, messages go through an SQLite file via kombu's SQLAlchemy
# transport, so `make run` needs nothing installed. CELERY_BROKER_URL (RabbitMQ, say)
# wins over REDIS_URL, which wins over the embedded broker.
EMBEDDED_BROKER_URL = f"sqla+sqlite:///{BASE_DIR / 'celery-broker.sqlite3'}"
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default=REDIS_URL or EMBEDDED_BROKER_URL)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Tasks record their outcome in the database through services, so Celery keeps no
# results unless a backend is configured.
CELERY_RESULT_BACKEND = env("CELERY_RESULT_BACKEND", default=None)
# A task is acknowledged once it has run, and redelivered if its worker dies, so a
# crash mid-task cannot lose work meant for 7digital. Tasks must be idempotent.
# The queue workers take from and tasks go to: a second site (or a benchmark) sharing
# the broker names its own.
CELERY_TASK_DEFAULT_QUEUE = env("CELERY_TASK_DEFAULT_QUEUE", default="celery")
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
# Health checks (docker-compose.yml, an orchestrator's probes) ask each process over the
# broker: `celery -A config inspect ping -d celery@$HOSTNAME` for a worker and
# `-d celerybeat@$HOSTNAME` for beat, which answers only while its scheduler ticks
# (Celery 5.7's beat remote control). The embedded SQLite broker cannot broadcast.
# https://docs.celeryq.dev/en/stable/userguide/configuration.html#beat-enable-remote-control
CELERY_BEAT_ENABLE_REMOTE_CONTROL = not CELERY_BROKER_URL.startswith("sqla+")
PLAYLOG_SWEEP_SECONDS = env.float("PLAYLOG_SWEEP_SECONDS", default=30.0)
# Synced into django-celery-beat's tables when beat starts; staff may change them there.
CELERY_BEAT_SCHEDULE = {
    "accounts-partner-users-sweep": {
        "task": "accounts.tasks.partner_users_sweep",
        "schedule": 300.0,
    },
    "checkout-order-lines-sweep": {
        "task": "store.checkout.tasks.order_lines_sweep",
        "schedule": 300.0,
    },
    "checkout-order-payments-sweep": {
        "task": "store.checkout.tasks.order_payments_sweep",
        "schedule": 300.0,
    },
    # Plays left behind by a crash or an outage; new plays are queued as they are due.
    "playlogs-sweep": {
        "task": "store.playlogs.tasks.playlogs_sweep",
        "schedule": PLAYLOG_SWEEP_SECONDS,
        "options": {"expires": PLAYLOG_SWEEP_SECONDS},
    },
    # Subscription changes for 7digital left behind (outage, a worker that died), the
    # monthly window of yearly plans and long trials, and a check for drift.
    "subscriptions-sync-sweep": {
        "task": "store.subscriptions.tasks.subscription_syncs_sweep",
        "schedule": 60.0,
        "options": {"expires": 60.0},
    },
    "subscriptions-refunds-sweep": {
        "task": "store.subscriptions.tasks.subscription_refunds_sweep",
        "schedule": 300.0,
        "options": {"expires": 300.0},
    },
    "subscriptions-roll": {
        "task": "store.subscriptions.tasks.subscriptions_roll",
        "schedule": 24 * 3600.0,
    },
    "subscriptions-reconcile": {
        "task": "store.subscriptions.tasks.subscriptions_reconcile",
        "schedule": 24 * 3600.0,
    },
    # Customers' playlist deletions whose task was lost (store/playlists/deletions.py).
    "playlists-deletions-sweep": {
        "task": "store.playlists.tasks.playlist_deletions_sweep",
        "schedule": 60.0,
        "options": {"expires": 60.0},
    },
    "playlists-imports-sweep": {
        "task": "store.playlists.tasks.playlist_imports_sweep",
        "schedule": 60.0,
        "options": {"expires": 60.0},
    },
    # The test billing gateway renews and expires on the clock; this brings its news in
    # (it touches test-gateway subscriptions only).
    "subscriptions-test-cycle": {
        "task": "store.subscriptions.tasks.subscriptions_test_cycle",
        "schedule": 300.0,
        "options": {"expires": 300.0},
    },
}
CELERY_TIMEZONE = "UTC"

# --- Checkout -----------------------------------------------------------------------
# "test" (the built-in test gateway: card numbers choose the outcome) or "stripe".
PAYMENT_GATEWAY = env("PAYMENT_GATEWAY", default="test")
# Stripe Checkout (PAYMENT_GATEWAY=stripe): the secret API key, the signing secret of the
# webhook endpoint /checkout/stripe/webhook/ (Dashboard → Developers → Webhooks), an
# optional API base (stripe-mock), and how long a customer has on Stripe's page (≥ 30).
STRIPE_SECRET_KEY = env("STRIPE_SECRET_KEY", default="")
STRIPE_WEBHOOK_SECRET = env("STRIPE_WEBHOOK_SECRET", default="")
STRIPE_API_BASE = env("STRIPE_API_BASE", default="")
STRIPE_CHECKOUT_EXPIRES_MINUTES = env.int("STRIPE_CHECKOUT_EXPIRES_MINUTES", default=30)
# An order still awaiting payment this long after it was placed is settled by a beat
# task: the gateway is asked (Stripe), or the payment was cut off and the basket returns.
ORDER_PAYMENT_ABANDONED_MINUTES = env.int(
    "ORDER_PAYMENT_ABANDONED_MINUTES", default=STRIPE_CHECKOUT_EXPIRES_MINUTES + 15
)
# The shop's public address, for links in emails sent outside a request (receipts).
SITE_URL = env("SITE_URL", default="http://localhost:8000")
# How long one user/deliveritem attempt may run before another worker may take over
# (longer than SEVENDIGITAL_TIMEOUT), and how quiet a paid line must be for the sweep.
ORDER_DELIVERY_LEASE_SECONDS = env.int("ORDER_DELIVERY_LEASE_SECONDS", default=60)
ORDER_SWEEP_AFTER_SECONDS = env.int("ORDER_SWEEP_AFTER_SECONDS", default=120)

# --- Subscriptions -------------------------------------------------------------------
# Each change is written to the database and sent to 7digital's user/unlimitedStreaming
# by Celery (store/subscriptions/services/sync.py). One attempt may run this long before
# the sweep may resend it (longer than SEVENDIGITAL_TIMEOUT, POST and GET).
SUBSCRIPTION_SYNC_LEASE_SECONDS = env.int("SUBSCRIPTION_SYNC_LEASE_SECONDS", default=90)
# After a failure that may pass, a change waits base * 2^(attempts - 1) seconds, at most
# the cap, with jitter; the minute's sweep sends it when due.
SUBSCRIPTION_SYNC_RETRY_BASE_SECONDS = env.float(
    "SUBSCRIPTION_SYNC_RETRY_BASE_SECONDS", default=5.0
)
SUBSCRIPTION_SYNC_RETRY_MAX_SECONDS = env.float(
    "SUBSCRIPTION_SYNC_RETRY_MAX_SECONDS", default=900.0
)
# Who bills subscriptions: "test" (the built-in gateway: no money moves, renewals on the
# clock) or "stripe" (Stripe Billing, with STRIPE_SECRET_KEY). Default: PAYMENT_GATEWAY.
BILLING_GATEWAY = env("BILLING_GATEWAY", default=PAYMENT_GATEWAY)
# The signing secret of Stripe's webhook endpoint /subscribe/stripe/webhook/ (its own
# endpoint in the Dashboard, with the customer.subscription.* and invoice.* events).
STRIPE_BILLING_WEBHOOK_SECRET = env("STRIPE_BILLING_WEBHOOK_SECRET", default="")
# The daily reconciliation asks 7digital about every subscription changed in the last two
# days and this many others, chosen at random.
SUBSCRIPTIONS_RECONCILE_SAMPLE = env.int("SUBSCRIPTIONS_RECONCILE_SAMPLE", default=200)

# --- Play logs ---------------------------------------------------------------------
# Every play is written to the database, then shipped to 7digital's preview/log,
# catalogue/log and user/subscription/log by Celery (store/playlogs/outbox/).
# All the shop's senders together keep under 7digital's pace for log requests per
# consumer key (the 2026.05 document: 5 POST requests per second).
PLAYLOG_REQUESTS_PER_SECOND = env.float("PLAYLOG_REQUESTS_PER_SECOND", default=5.0)
# A preview is reported once the player has not reported it for this long (it may be
# paused and resumed), or when it played to the end, or this long after it started
# without any report (the page went away without telling).
PLAYLOG_PREVIEW_SETTLE_SECONDS = env.int("PLAYLOG_PREVIEW_SETTLE_SECONDS", default=5)
PLAYLOG_PREVIEW_OPEN_SECONDS = env.int("PLAYLOG_PREVIEW_OPEN_SECONDS", default=120)
# After a failed send, rows wait base * 2^(failures - 1) seconds with jitter, at most
# the cap, before they are sent again.
PLAYLOG_RETRY_BASE_SECONDS = env.float("PLAYLOG_RETRY_BASE_SECONDS", default=2.0)
PLAYLOG_RETRY_MAX_SECONDS = env.float("PLAYLOG_RETRY_MAX_SECONDS", default=600.0)
# A sender's claim on rows lasts this long (far longer than one send, which is bounded
# by SEVENDIGITAL_TIMEOUT); a sender that died leaves its rows due again after it.
PLAYLOG_CLAIM_SECONDS = env.int("PLAYLOG_CLAIM_SECONDS", default=120)
# One shipping task sends for at most this long, then queues its successor.
PLAYLOG_SHIP_SECONDS = env.int("PLAYLOG_SHIP_SECONDS", default=60)

"""Settings for a deployed site.

Importing this module raises ImproperlyConfigured, so the process refuses to start, when
DEBUG is on, when SECRET_KEY is missing or is the development key, when ALLOWED_HOSTS,
REDIS_URL, the 7digital credentials, the Stripe keys or an https SITE_URL are missing,
when the test payment gateway is chosen, or when the sandbox would be mounted.

https://docs.djangoproject.com/en/5.2/howto/deployment/checklist/
"""

from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import (
    DATABASES,
    DEVELOPMENT_SECRET_KEY,
    DJANGO_APPS,
    LOCAL_APPS,
    SANDBOX_APPS,
    STORAGES,
    THIRD_PARTY_APPS,
    env,
)

LOOPBACK_HOSTS = {"localhost", "127.0.0.1", "::1"}  # trying the image locally, over http


def _required(name):
    value = env(name, default="")
    if not value:
        raise ImproperlyConfigured(f"Production settings need the {name} environment variable.")
    return value


DEBUG = env.bool("DEBUG", default=False)
if DEBUG:
    raise ImproperlyConfigured("Production settings refuse to start with DEBUG on.")

SECRET_KEY = _required("SECRET_KEY")
if SECRET_KEY == DEVELOPMENT_SECRET_KEY:
    raise ImproperlyConfigured(
        "Production settings refuse to start with the development SECRET_KEY."
    )

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=[])
if not ALLOWED_HOSTS:
    raise ImproperlyConfigured("Production settings need the ALLOWED_HOSTS environment variable.")
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

# A cache every process shares: allauth's rate limits, and the record of which preview
# clips a browser was served (a play is reported only for one), span gunicorn's workers.
# A per-process cache would refuse the plays of clips another worker served.
_required("REDIS_URL")

# --- 7digital --------------------------------------------------------------------
# The real hosts, as bases without "/1.2"; each can still be overridden.
SEVENDIGITAL_CONSUMER_KEY = _required("SEVENDIGITAL_CONSUMER_KEY")
SEVENDIGITAL_CONSUMER_SECRET = _required("SEVENDIGITAL_CONSUMER_SECRET")
SEVENDIGITAL_API_URL = env("SEVENDIGITAL_API_URL", default="https://api.7digital.com")
SEVENDIGITAL_PREVIEWS_URL = env(
    "SEVENDIGITAL_PREVIEWS_URL", default="https://previews.7digital.com"
)
SEVENDIGITAL_MEDIA_URL = env("SEVENDIGITAL_MEDIA_URL", default="https://media.geo.7digital.com")
SEVENDIGITAL_STREAM_URL = env("SEVENDIGITAL_STREAM_URL", default="https://stream.svc.7digital.net")
SEVENDIGITAL_FEEDS_URL = env("SEVENDIGITAL_FEEDS_URL", default="https://feeds.api.7digital.com")

# --- No sandbox ------------------------------------------------------------------
# The sandbox accepts any credentials and serves invented data: a site that mounted
# it would sell nothing real. base.py mounts it by default; here it is off by default
# and refused when asked for (see the end of this file).
SANDBOX_ENABLED = env.bool("SANDBOX_ENABLED", default=False)
INSTALLED_APPS = DJANGO_APPS + THIRD_PARTY_APPS + LOCAL_APPS
DATABASES = {"default": DATABASES["default"]}
DATABASE_ROUTERS = []

# --- Database connections ----------------------------------------------------------
# gunicorn serves each request in a thread of its own, and a listener's stream holds its
# thread for the whole track (gunicorn.conf.py), so the web workers run hundreds of
# threads. A persistent connection per thread (CONN_MAX_AGE) would open one for every
# thread that has served a request, past PostgreSQL's limit (100 by default). Instead
# each process keeps a pool (psycopg_pool, Django's "pool" option): a request borrows a
# connection and gives it back when it ends; a stream gives it back as soon as its bytes
# start (integrations/proxy.py), so listeners hold none. A request finding all
# DATABASE_POOL_SIZE in use waits up to DATABASE_POOL_TIMEOUT seconds for one.
# Size it so that (web workers + Celery processes + beat) x size stays under the
# server's max_connections. DATABASE_POOL_SIZE=0 turns pooling off and brings back
# CONN_MAX_AGE's persistent connections (for a server-side pooler such as PgBouncer).
# https://docs.djangoproject.com/en/5.2/ref/databases/#connection-pool
DATABASE_POOL_SIZE = env.int("DATABASE_POOL_SIZE", default=16)
if DATABASE_POOL_SIZE > 0 and DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"]["CONN_MAX_AGE"] = 0  # the pool keeps them; Django requires 0
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": 1,
        "max_size": DATABASE_POOL_SIZE,
        "timeout": env.float("DATABASE_POOL_TIMEOUT", default=10.0),
    }
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)

# --- HTTPS -----------------------------------------------------------------------
# TLS ends at the proxy in front of gunicorn, which says so in X-Forwarded-Proto.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
# Load balancers probe over plain HTTP.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
# Start low and raise to a year (31536000) once HTTPS is known to work everywhere:
# browsers remember HSTS for this long.
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
# Preloading is close to irreversible (browsers ship the list): opt in only with a
# year-long max-age and every subdomain on HTTPS.
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=False)
# check --deploy warns (W021) whenever preload is off; off is the deliberate default.
SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD else ["security.W021"]

# Links in account emails (verification, password reset) use https.
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https"
# The proxies in front of gunicorn append to X-Forwarded-For: allauth takes the client's
# address from it, counting this many from the right, for its rate limits per address.
# Without it, every visitor would share the proxy's address, and its limits.
ALLAUTH_TRUSTED_PROXY_COUNT = env.int("ALLAUTH_TRUSTED_PROXY_COUNT", default=1)

# --- Static files ----------------------------------------------------------------
# Hashed, compressed files made by collectstatic at build time, served by WhiteNoise.
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# --- Logging ---------------------------------------------------------------------
# To stdout, where the container runtime collects it.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(process)d %(message)s"},
    },
    "handlers": {
        "stdout": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stdout",
            "formatter": "plain",
        },
    },
    "root": {"handlers": ["stdout"], "level": env("LOG_LEVEL", default="INFO")},
}

# The test gateway takes any test card as payment: never in production. Stripe Checkout
# needs its keys, and the shop's public https address for the customer's way back.
PAYMENT_GATEWAY = env("PAYMENT_GATEWAY", default="stripe")
if PAYMENT_GATEWAY == "test":
    raise ImproperlyConfigured(
        "Production settings refuse the test payment gateway: set PAYMENT_GATEWAY=stripe."
    )
if PAYMENT_GATEWAY == "stripe":
    STRIPE_SECRET_KEY = _required("STRIPE_SECRET_KEY")
    STRIPE_WEBHOOK_SECRET = _required("STRIPE_WEBHOOK_SECRET")
# Subscriptions bill through Stripe Billing too unless told otherwise; never the test one.
BILLING_GATEWAY = env("BILLING_GATEWAY", default=PAYMENT_GATEWAY)
if BILLING_GATEWAY == "test":
    raise ImproperlyConfigured(
        "Production settings refuse the test billing gateway: set BILLING_GATEWAY=stripe."
    )
if BILLING_GATEWAY == "stripe":
    STRIPE_SECRET_KEY = _required("STRIPE_SECRET_KEY")
    STRIPE_BILLING_WEBHOOK_SECRET = _required("STRIPE_BILLING_WEBHOOK_SECRET")
SITE_URL = _required("SITE_URL")
if not SITE_URL.startswith("https://") and urlsplit(SITE_URL).hostname not in LOOPBACK_HOSTS:
    raise ImproperlyConfigured("Production settings need SITE_URL to be an https:// address.")

# Last, so that nothing above can bring the sandbox back.
if SANDBOX_ENABLED or set(SANDBOX_APPS) & set(INSTALLED_APPS) or "sandbox" in DATABASES:
    raise ImproperlyConfigured(
        "Production settings refuse to start with the 7digital sandbox mounted: "
        "unset SANDBOX_ENABLED."
    )

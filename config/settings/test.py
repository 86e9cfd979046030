"""Settings for the test suite: fast, isolated, and needing no server.

DATABASE_URL and SANDBOX_DATABASE_URL still apply, so the suite also runs against
PostgreSQL; pytest-django creates a test database per alias.
"""

from .base import *  # noqa: F403

DEBUG = False
ALLOWED_HOSTS = ["testserver", "localhost", "127.0.0.1"]

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Serve static files from their source folders, as in development: no collectstatic.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True

# Tasks are sent, not run; kombu's in-memory transport accepts them without a broker.
CELERY_BROKER_URL = "memory://"
CELERY_RESULT_BACKEND = None

# Each proxied preview's tally is written at once, in the test's own transaction: a
# flush from a timer thread would write outside it (tests/store/playlogs test batching).
PREVIEW_TALLY_FLUSH_SECONDS = 0

# The sandbox's play-log rate limit would throttle every suite that logs plays; its own
# tests set one (override_settings or the control API's /_sandbox/limits).
SANDBOX_LOG_RATE_LIMIT = 0

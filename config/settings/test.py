"""Settings for the test suite: fast, isolated, and needing no server.

The suite must pass on any machine, whatever the developer has exported: a partner
developer with real `SEVENDIGITAL_*` credentials in their shell or `.env`, a
`CELERY_BROKER_URL`, an `EMAIL_URL`, `STRIPE_*` keys. So these settings read only the
variables in `ENVIRONMENT_READ` below, and every other setting is what `base.py`
makes of an empty environment, or what this file pins. DATABASE_URL and
SANDBOX_DATABASE_URL still apply, so the suite also runs against PostgreSQL;
pytest-django creates a test database per alias. Tests that need Redis find it
themselves (tests/prerequisites.py); the cache and the broker here never use it.
"""

import os

import environ

# django-environ reads `Env.ENVIRON` (os.environ by default): base.py, imported next,
# sees only these variables. https://django-environ.readthedocs.io/en/latest/
ENVIRONMENT_READ = ("DATABASE_URL", "SANDBOX_DATABASE_URL")
environ.Env.ENVIRON = {name: os.environ[name] for name in ENVIRONMENT_READ if name in os.environ}

from .base import *  # noqa: E402, F403

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
# flush from a timer thread would write outside it (tests/store/player test batching).
PREVIEW_TALLY_FLUSH_SECONDS = 0

# The sandbox's play-log rate limit would throttle every suite that logs plays; its own
# tests set one (override_settings or the control API's /_sandbox/limits).
SANDBOX_LOG_RATE_LIMIT = 0

"""Settings for the image's build step, `collectstatic`: production's own settings, so
the same apps' files go through the same storage (hashed names, compressed copies),
with placeholders for the run-time values production requires and collectstatic never
uses. The real values come when the container runs; nothing here reaches it, since the
image runs `config.settings.production`.

tests/config/test_settings.py imports this module with an empty environment: a variable
production starts to require fails there, not in the image build.
"""

import os

import environ

BUILD_PLACEHOLDERS = {
    "SECRET_KEY": "collectstatic-at-build-time-only-never-served-0123456789",
    "ALLOWED_HOSTS": "build.invalid",
    "SEVENDIGITAL_CONSUMER_KEY": "build",
    "SEVENDIGITAL_CONSUMER_SECRET": "build",
    "STRIPE_SECRET_KEY": "sk_test_build",
    "STRIPE_WEBHOOK_SECRET": "whsec_build",
    "STRIPE_BILLING_WEBHOOK_SECRET": "whsec_billing_build",
    "SITE_URL": "https://build.invalid",
    "REDIS_URL": "redis://build.invalid:6379/0",
}
# django-environ reads `Env.ENVIRON`; production.py, imported next, sees the
# placeholders wherever the build's environment has no value of its own.
environ.Env.ENVIRON = {**BUILD_PLACEHOLDERS, **os.environ}

from .production import *  # noqa: E402, F403

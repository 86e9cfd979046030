"""Settings for a developer's machine: `make run`."""

from .base import *  # noqa: F403
from .base import SANDBOX_PUBLIC_URL, env

DEBUG = env.bool("DEBUG", default=True)
CATALOGUE_FRAGMENT_SECONDS = env.int("CATALOGUE_FRAGMENT_SECONDS", default=0 if DEBUG else 300)
CATALOGUE_PAGE_SECONDS = env.int("CATALOGUE_PAGE_SECONDS", default=0 if DEBUG else 120)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])


# Offline, covers and pictures come from the sandbox instead of 7digital's CDN.
SANDBOX_ARTWORK_URL = env("SANDBOX_ARTWORK_URL", default=f"{SANDBOX_PUBLIC_URL}/static/img")

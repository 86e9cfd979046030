"""Settings are read once, at import: to see what an environment does to them, these
helpers import them in a fresh interpreter whose environment the test controls."""

import json
import os
import subprocess
import sys
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[2]

# What a production deployment must provide, and no more.
PRODUCTION_ENV = {
    "SECRET_KEY": "a-production-secret-key-that-is-long-and-random-enough-0123456789",
    "ALLOWED_HOSTS": "shop.example.com",
    "SEVENDIGITAL_CONSUMER_KEY": "partner-key",
    "SEVENDIGITAL_CONSUMER_SECRET": "partner-secret",
    "SITE_URL": "https://shop.example.com",
    "STRIPE_SECRET_KEY": "sk_live_key",
    "STRIPE_WEBHOOK_SECRET": "whsec_secret",
    "STRIPE_BILLING_WEBHOOK_SECRET": "whsec_billing_secret",
    "REDIS_URL": "redis://cache.shop.example:6379/0",
}


def fresh_environment(variables):
    """PATH and HOME plus `variables`: none of the caller's own settings leak in."""
    inherited = {name: os.environ[name] for name in ("PATH", "HOME") if name in os.environ}
    return {**inherited, **variables}


def run_python(code, env, timeout=60):
    return subprocess.run(  # noqa: S603 - this interpreter, code written by the tests
        [sys.executable, "-c", code],
        cwd=BASE_DIR,
        env=fresh_environment(env),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def run_json(code, env):
    """Run `code`, which prints one JSON document, and return what it printed."""
    result = run_python(code, env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def import_settings(module, names, env=None):
    """Import a settings module with the given environment; return the named settings."""
    code = (
        "import importlib, json\n"
        f"settings = importlib.import_module({module!r})\n"
        f"print(json.dumps({{n: getattr(settings, n) for n in {list(names)!r}}}, default=str))"
    )
    return run_json(code, env or {})


def production_refusal(env):
    """Import production settings with `env`, which must fail; return the error line."""
    result = run_python("import config.settings.production", env)
    assert result.returncode != 0, "production settings started"
    last_line = result.stderr.strip().splitlines()[-1]
    assert last_line.startswith("django.core.exceptions.ImproperlyConfigured: "), result.stderr
    return last_line.removeprefix("django.core.exceptions.ImproperlyConfigured: ")

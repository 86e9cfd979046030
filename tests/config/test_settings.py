import pytest

from tests.config.fresh_process import (
    BASE_DIR,
    PRODUCTION_ENV,
    import_settings,
    production_refusal,
    run_json,
)
from tests.prerequisites import require_redis

SEVENDIGITAL_URLS = [
    "SEVENDIGITAL_API_URL",
    "SEVENDIGITAL_PREVIEWS_URL",
    "SEVENDIGITAL_MEDIA_URL",
    "SEVENDIGITAL_STREAM_URL",
    "SEVENDIGITAL_FEEDS_URL",
]


def engines(databases):
    return {alias: database["ENGINE"] for alias, database in databases.items()}


# --- Production refuses to start with unsafe settings -----------------------------


def test_production_refuses_the_test_payment_gateway():
    error = production_refusal({**PRODUCTION_ENV, "PAYMENT_GATEWAY": "test"})

    assert error == (
        "Production settings refuse the test payment gateway: set PAYMENT_GATEWAY=stripe."
    )


def test_production_refuses_the_test_billing_gateway():
    error = production_refusal({**PRODUCTION_ENV, "BILLING_GATEWAY": "test"})

    assert error == (
        "Production settings refuse the test billing gateway: set BILLING_GATEWAY=stripe."
    )


def test_production_refuses_a_public_site_url_without_https():
    error = production_refusal({**PRODUCTION_ENV, "SITE_URL": "http://shop.example.com"})

    assert error == "Production settings need SITE_URL to be an https:// address."


def test_production_tried_locally_may_use_http_on_localhost():
    settings = import_settings(
        "config.settings.production",
        ["SITE_URL", "PAYMENT_GATEWAY"],
        {**PRODUCTION_ENV, "SITE_URL": "http://localhost:8000"},
    )

    assert settings == {"SITE_URL": "http://localhost:8000", "PAYMENT_GATEWAY": "stripe"}


def test_production_refuses_to_start_with_debug_on():
    error = production_refusal({**PRODUCTION_ENV, "DEBUG": "true"})

    assert error == "Production settings refuse to start with DEBUG on."


def test_production_refuses_to_start_without_a_secret_key():
    env = {name: value for name, value in PRODUCTION_ENV.items() if name != "SECRET_KEY"}

    error = production_refusal(env)

    assert error == "Production settings need the SECRET_KEY environment variable."


def test_production_refuses_to_start_with_the_development_secret_key():
    development_key = import_settings("config.settings.base", ["DEVELOPMENT_SECRET_KEY"])[
        "DEVELOPMENT_SECRET_KEY"
    ]

    error = production_refusal({**PRODUCTION_ENV, "SECRET_KEY": development_key})

    assert error == "Production settings refuse to start with the development SECRET_KEY."


def test_production_refuses_to_start_with_the_sandbox_mounted():
    error = production_refusal({**PRODUCTION_ENV, "SANDBOX_ENABLED": "true"})

    assert error.startswith("Production settings refuse to start with the 7digital sandbox")


@pytest.mark.parametrize(
    "missing",
    [
        "SEVENDIGITAL_CONSUMER_KEY",
        "SEVENDIGITAL_CONSUMER_SECRET",
        "ALLOWED_HOSTS",
        "REDIS_URL",
        "STRIPE_SECRET_KEY",
        "STRIPE_WEBHOOK_SECRET",
        "STRIPE_BILLING_WEBHOOK_SECRET",
        "SITE_URL",
    ],
)
def test_production_refuses_to_start_without_a_required_variable(missing):
    env = {name: value for name, value in PRODUCTION_ENV.items() if name != missing}

    error = production_refusal(env)

    assert error == f"Production settings need the {missing} environment variable."


def test_production_starts_with_a_proper_environment_and_talks_to_the_real_hosts():
    settings = import_settings(
        "config.settings.production",
        [
            "DEBUG",
            "INSTALLED_APPS",
            "DATABASES",
            "DATABASE_ROUTERS",
            "STORAGES",
            "SESSION_COOKIE_SECURE",
            "CSRF_COOKIE_SECURE",
            "SECURE_HSTS_SECONDS",
            "SECURE_PROXY_SSL_HEADER",
            "SEVENDIGITAL_CONSUMER_KEY",
            *SEVENDIGITAL_URLS,
        ],
        PRODUCTION_ENV,
    )

    assert settings["DEBUG"] is False
    assert "sandbox" not in settings["INSTALLED_APPS"]
    assert list(settings["DATABASES"]) == ["default"]
    assert settings["DATABASE_ROUTERS"] == []
    assert settings["STORAGES"]["staticfiles"]["BACKEND"] == (
        "whitenoise.storage.CompressedManifestStaticFilesStorage"
    )
    assert settings["SESSION_COOKIE_SECURE"] is True
    assert settings["CSRF_COOKIE_SECURE"] is True
    assert settings["SECURE_HSTS_SECONDS"] > 0
    assert settings["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    assert settings["SEVENDIGITAL_CONSUMER_KEY"] == "partner-key"
    assert [settings[name] for name in SEVENDIGITAL_URLS] == [
        "https://api.7digital.com",
        "https://previews.7digital.com",
        "https://media.geo.7digital.com",
        "https://stream.svc.7digital.net",
        "https://feeds.api.7digital.com",
    ]


def test_production_settings_pass_the_deployment_checks():
    result = run_json(
        "import io, json\n"
        "import django\n"
        "from django.core.management import call_command\n"
        "django.setup()\n"
        "out = io.StringIO()\n"
        "call_command('check', deploy=True, fail_level='WARNING', stdout=out, stderr=out)\n"
        "print(json.dumps(out.getvalue()))",
        {**PRODUCTION_ENV, "DJANGO_SETTINGS_MODULE": "config.settings.production"},
    )

    assert "no issues" in result


# --- The embedded defaults need no server ----------------------------------------


def test_local_defaults_need_no_server_and_point_at_the_sandbox():
    settings = import_settings(
        "config.settings.local",
        [
            "DEBUG",
            "INSTALLED_APPS",
            "DATABASES",
            "DATABASE_ROUTERS",
            "CACHES",
            "CELERY_BROKER_URL",
            "CELERY_RESULT_BACKEND",
            "SEVENDIGITAL_CONSUMER_KEY",
            "SEVENDIGITAL_CONSUMER_SECRET",
            "SEVENDIGITAL_COUNTRY",
            "SEVENDIGITAL_SHOP_ID",
            "SEVENDIGITAL_TIMEOUT",
            "SEVENDIGITAL_MAX_RETRIES",
            *SEVENDIGITAL_URLS,
        ],
    )

    assert settings["DEBUG"] is True
    assert "sandbox" in settings["INSTALLED_APPS"]
    assert engines(settings["DATABASES"]) == {
        "default": "django.db.backends.sqlite3",
        "sandbox": "django.db.backends.sqlite3",
    }
    assert settings["DATABASES"]["default"]["NAME"] == str(BASE_DIR / "db.sqlite3")
    assert settings["DATABASES"]["sandbox"]["NAME"] == str(BASE_DIR / "sandbox.sqlite3")
    assert settings["DATABASE_ROUTERS"] == ["sandbox.routers.SandboxRouter"]
    assert settings["CACHES"]["default"]["BACKEND"] == (
        "django.core.cache.backends.locmem.LocMemCache"
    )
    assert settings["CELERY_BROKER_URL"] == f"sqla+sqlite:///{BASE_DIR / 'celery-broker.sqlite3'}"
    assert settings["CELERY_RESULT_BACKEND"] is None
    assert settings["SEVENDIGITAL_CONSUMER_KEY"] == "sandbox-key"
    assert settings["SEVENDIGITAL_CONSUMER_SECRET"] == "sandbox-secret"
    assert settings["SEVENDIGITAL_COUNTRY"] == "GB"
    assert settings["SEVENDIGITAL_SHOP_ID"] is None
    assert settings["SEVENDIGITAL_TIMEOUT"] == 10.0
    assert settings["SEVENDIGITAL_MAX_RETRIES"] == 2
    assert {settings[name] for name in SEVENDIGITAL_URLS} == {"http://127.0.0.1:8001"}


# --- Environment variables switch to servers -------------------------------------


def test_database_url_switches_the_store_to_postgresql():
    settings = import_settings(
        "config.settings.local",
        ["DATABASES"],
        {
            "DATABASE_URL": "postgres://shop:pw@db.example.com:5432/storefront",
            "SANDBOX_DATABASE_URL": "postgres://shop:pw@db.example.com:5432/storefront_sandbox",
            "CONN_MAX_AGE": "30",
        },
    )

    default, sandbox = settings["DATABASES"]["default"], settings["DATABASES"]["sandbox"]
    assert default["ENGINE"] == "django.db.backends.postgresql"
    assert (default["HOST"], default["PORT"], default["NAME"]) == (
        "db.example.com",
        5432,
        "storefront",
    )
    assert default["CONN_MAX_AGE"] == 30
    assert default["ATOMIC_REQUESTS"] is False
    assert sandbox["ENGINE"] == "django.db.backends.postgresql"
    assert sandbox["NAME"] == "storefront_sandbox"


def test_redis_url_switches_the_cache_and_the_broker_to_redis():
    settings = import_settings(
        "config.settings.local",
        ["CACHES", "CELERY_BROKER_URL"],
        {"REDIS_URL": "redis://cache.example.com:6379/1"},
    )

    assert settings["CACHES"]["default"]["BACKEND"] == "integrations.cache.RedisCache"
    assert settings["CACHES"]["default"]["LOCATION"] == "redis://cache.example.com:6379/1"
    assert settings["CELERY_BROKER_URL"] == "redis://cache.example.com:6379/1"


def test_celery_broker_url_wins_over_redis_url():
    settings = import_settings(
        "config.settings.local",
        ["CACHES", "CELERY_BROKER_URL"],
        {
            "REDIS_URL": "redis://cache.example.com:6379/1",
            "CELERY_BROKER_URL": "amqp://guest:guest@mq.example.com:5672//",
        },
    )

    assert settings["CELERY_BROKER_URL"] == "amqp://guest:guest@mq.example.com:5672//"
    assert settings["CACHES"]["default"]["LOCATION"] == "redis://cache.example.com:6379/1"


def test_sandbox_url_moves_every_7digital_host():
    settings = import_settings(
        "config.settings.local",
        SEVENDIGITAL_URLS,
        {"SEVENDIGITAL_SANDBOX_URL": "http://127.0.0.1:9123"},
    )

    assert {settings[name] for name in SEVENDIGITAL_URLS} == {"http://127.0.0.1:9123"}


def test_each_7digital_host_can_still_be_set_on_its_own():
    settings = import_settings(
        "config.settings.local",
        SEVENDIGITAL_URLS,
        {
            "SEVENDIGITAL_SANDBOX_URL": "http://127.0.0.1:9123",
            "SEVENDIGITAL_STREAM_URL": "https://stream.example.com",
        },
    )

    assert settings.pop("SEVENDIGITAL_STREAM_URL") == "https://stream.example.com"
    assert set(settings.values()) == {"http://127.0.0.1:9123"}


def test_sandbox_disabled_unmounts_its_app_and_its_database():
    settings = import_settings(
        "config.settings.local",
        ["INSTALLED_APPS", "DATABASES", "DATABASE_ROUTERS"],
        {"SANDBOX_ENABLED": "false"},
    )

    assert "sandbox" not in settings["INSTALLED_APPS"]
    assert list(settings["DATABASES"]) == ["default"]
    assert settings["DATABASE_ROUTERS"] == []


def test_redis_cache_stores_and_returns_values():
    redis_url = require_redis()
    value = run_json(
        "import json, uuid\n"
        "import django\n"
        "django.setup()\n"
        "from django.core.cache import caches\n"
        "cache = caches['default']\n"
        "key = f'settings-test-{uuid.uuid4()}'\n"
        "cache.set(key, {'answer': 42}, timeout=30)\n"
        "value = cache.get(key)\n"
        "cache.delete(key)\n"
        "print(json.dumps([type(cache).__name__, value]))",
        {"DJANGO_SETTINGS_MODULE": "config.settings.local", "REDIS_URL": redis_url},
    )

    assert value == ["RedisCache", {"answer": 42}]


# What a partner developer may well have exported: real credentials and hosts, their
# own broker, mail server and Stripe keys.
A_DEVELOPERS_ENVIRONMENT = {
    "SEVENDIGITAL_CONSUMER_KEY": "real-partner-key",
    "SEVENDIGITAL_CONSUMER_SECRET": "real-partner-secret",
    "SEVENDIGITAL_SANDBOX_URL": "http://127.0.0.1:9",
    "SEVENDIGITAL_API_URL": "https://api.7digital.com",
    "SEVENDIGITAL_PREVIEWS_URL": "https://previews.7digital.com",
    "SEVENDIGITAL_COUNTRY": "US",
    "SEVENDIGITAL_SHOP_ID": "1234",
    "SEVENDIGITAL_MAX_RETRIES": "9",
    "REDIS_URL": "redis://127.0.0.1:9/0",
    "CELERY_BROKER_URL": "amqp://guest:guest@127.0.0.1:9//",
    "EMAIL_URL": "smtp+tls://user:password@127.0.0.1:9",
    "STRIPE_SECRET_KEY": "sk_live_real",
    "STRIPE_WEBHOOK_SECRET": "whsec_real",
    "STRIPE_API_BASE": "http://127.0.0.1:9",
    "PAYMENT_GATEWAY": "stripe",
    "BILLING_GATEWAY": "stripe",
    "STRIPE_BILLING_WEBHOOK_SECRET": "whsec_billing_real",
    "SANDBOX_CONTROL_TOKEN": "a-token",
    "SANDBOX_ENABLED": "false",
    "DEBUG": "true",
}
PINNED = [
    "SEVENDIGITAL_CONSUMER_KEY",
    "SEVENDIGITAL_CONSUMER_SECRET",
    "SEVENDIGITAL_API_URL",
    "SEVENDIGITAL_PREVIEWS_URL",
    "SEVENDIGITAL_COUNTRY",
    "SEVENDIGITAL_SHOP_ID",
    "SEVENDIGITAL_MAX_RETRIES",
    "CACHES",
    "CELERY_BROKER_URL",
    "EMAIL_BACKEND",
    "STRIPE_SECRET_KEY",
    "STRIPE_WEBHOOK_SECRET",
    "STRIPE_API_BASE",
    "PAYMENT_GATEWAY",
    "BILLING_GATEWAY",
    "STRIPE_BILLING_WEBHOOK_SECRET",
    "SANDBOX_CONTROL_TOKEN",
    "SANDBOX_ENABLED",
    "DEBUG",
    "INSTALLED_APPS",
]


def test_test_settings_ignore_what_the_developer_exported():
    clean = import_settings("config.settings.test", PINNED)
    exported = import_settings("config.settings.test", PINNED, A_DEVELOPERS_ENVIRONMENT)

    assert exported == clean
    assert clean["SEVENDIGITAL_CONSUMER_KEY"] == "sandbox-key"
    assert clean["CELERY_BROKER_URL"] == "memory://"


def test_test_settings_still_follow_database_url():
    settings = import_settings(
        "config.settings.test",
        ["DATABASES"],
        {
            "DATABASE_URL": "postgres://shop:pw@db.example.com:5432/storefront",
            "SANDBOX_DATABASE_URL": "postgres://shop:pw@db.example.com:5432/sandbox",
        },
    )

    assert settings["DATABASES"]["default"]["HOST"] == "db.example.com"
    assert settings["DATABASES"]["sandbox"]["NAME"] == "sandbox"


def test_the_image_build_collects_static_files_with_productions_settings_and_no_secrets():
    build = import_settings("config.settings.build", ["INSTALLED_APPS", "STORAGES"])
    production = import_settings(
        "config.settings.production", ["INSTALLED_APPS", "STORAGES"], PRODUCTION_ENV
    )

    assert build == production
    assert build["STORAGES"]["staticfiles"]["BACKEND"] == (
        "whitenoise.storage.CompressedManifestStaticFilesStorage"
    )


def test_production_shares_a_pool_of_postgresql_connections_among_its_threads():
    settings = import_settings(
        "config.settings.production",
        ["DATABASES"],
        {**PRODUCTION_ENV, "DATABASE_URL": "postgres://shop:pw@db.example.com:5432/storefront"},
    )

    default = settings["DATABASES"]["default"]
    assert default["CONN_MAX_AGE"] == 0  # the pool keeps connections, not each thread
    assert default["OPTIONS"]["pool"] == {"min_size": 1, "max_size": 16, "timeout": 10.0}


def test_production_pool_size_and_wait_come_from_the_environment():
    settings = import_settings(
        "config.settings.production",
        ["DATABASES"],
        {
            **PRODUCTION_ENV,
            "DATABASE_URL": "postgres://shop:pw@db.example.com:5432/storefront",
            "DATABASE_POOL_SIZE": "40",
            "DATABASE_POOL_TIMEOUT": "2.5",
        },
    )

    assert settings["DATABASES"]["default"]["OPTIONS"]["pool"] == {
        "min_size": 1,
        "max_size": 40,
        "timeout": 2.5,
    }


def test_production_without_its_pool_keeps_a_persistent_connection_per_thread():
    settings = import_settings(
        "config.settings.production",
        ["DATABASES"],
        {
            **PRODUCTION_ENV,
            "DATABASE_URL": "postgres://shop:pw@pgbouncer.example.com:6432/storefront",
            "DATABASE_POOL_SIZE": "0",
        },
    )

    default = settings["DATABASES"]["default"]
    assert "pool" not in default.get("OPTIONS", {})
    assert default["CONN_MAX_AGE"] == 60


def test_production_caches_in_redis_through_one_bounded_pool_per_process():
    settings = import_settings(
        "config.settings.production",
        ["CACHES"],
        {
            **PRODUCTION_ENV,
            "DATABASE_URL": "postgres://shop:pw@db.example.com:5432/storefront",
            "REDIS_POOL_SIZE": "12",
        },
    )

    default = settings["CACHES"]["default"]
    assert default["BACKEND"] == "integrations.cache.RedisCache"
    assert default["LOCATION"] == "redis://cache.shop.example:6379/0"
    assert default["OPTIONS"] == {
        "pool_class": "redis.BlockingConnectionPool",
        "max_connections": 12,
        "timeout": 10,
    }

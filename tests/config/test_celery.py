from celery import shared_task
from django.conf import settings

from config.celery import app
from tests.config.fresh_process import BASE_DIR, run_json

BROKER_URL = "import json\nfrom config.celery import app\nprint(json.dumps(app.conf.broker_url))"


def test_the_celery_app_reads_its_configuration_from_django_settings():
    assert app.main == "config"
    assert app.conf.broker_url == settings.CELERY_BROKER_URL
    assert app.conf.task_acks_late is True
    assert app.conf.task_reject_on_worker_lost is True
    assert app.conf.worker_prefetch_multiplier == 1
    assert app.conf.beat_scheduler == "django_celery_beat.schedulers:DatabaseScheduler"
    assert app.conf.timezone == "UTC"


def test_the_task_modules_of_installed_apps_import():
    app.loader.import_default_modules()


def test_shared_tasks_bind_to_the_project_app():
    @shared_task(name="tests.config.echo")
    def echo(value):
        return value

    assert echo.app is app
    assert app.tasks["tests.config.echo"].run(42) == 42


def test_the_broker_defaults_to_the_embedded_sqlite_one():
    broker_url = run_json(BROKER_URL, {"DJANGO_SETTINGS_MODULE": "config.settings.local"})

    assert broker_url == f"sqla+sqlite:///{BASE_DIR / 'celery-broker.sqlite3'}"


def test_the_broker_follows_redis_url():
    broker_url = run_json(
        BROKER_URL,
        {
            "DJANGO_SETTINGS_MODULE": "config.settings.local",
            "REDIS_URL": "redis://cache.example.com:6379/2",
        },
    )

    assert broker_url == "redis://cache.example.com:6379/2"


def test_the_broker_follows_celery_broker_url_first():
    broker_url = run_json(
        BROKER_URL,
        {
            "DJANGO_SETTINGS_MODULE": "config.settings.local",
            "REDIS_URL": "redis://cache.example.com:6379/2",
            "CELERY_BROKER_URL": "amqp://guest:guest@mq.example.com:5672//",
        },
    )

    assert broker_url == "amqp://guest:guest@mq.example.com:5672//"

"""Queueing tasks: a sweep's backlog waits behind fresh work on Redis, the production
broker, and a broker that fails loses nothing a sweep cannot queue again."""

from __future__ import annotations

import uuid
from unittest import mock

import pytest
from celery import Celery

from integrations.tasks import BACKLOG_PRIORITY, task_queue
from scripts.local_servers import redis_url


@pytest.fixture
def redis_app(settings):
    """A Celery app on this machine's Redis with a queue of its own, removed after."""
    url = redis_url()
    if url is None:
        pytest.skip("Redis does not answer (CI runs this against a real one)")
    settings.CELERY_BROKER_URL = url
    queue = f"test-backlog-{uuid.uuid4().hex[:8]}"
    app = Celery("test-backlog", broker=url, set_as_current=False)
    app.conf.task_default_queue = queue
    app.conf.task_create_missing_queues = True

    @app.task(name="test_backlog.echo")
    def echo(word: str) -> str:  # never run: the test reads the queue itself
        return word

    yield app, echo, queue
    with app.connection_for_write() as connection:
        channel = connection.default_channel
        for priority in channel.priority_steps:
            channel.client.delete(channel._q_for_pri(queue, priority))
    app.close()


def _taken_in_order(app, queue: str) -> list[str]:
    words = []
    with app.connection_for_read() as connection:
        simple = connection.SimpleQueue(queue, no_ack=True)
        try:
            while True:
                message = simple.get(timeout=1)
                args, _kwargs, _embed = message.decode()
                words.append(args[0])
        except simple.Empty:
            pass
        finally:
            simple.close()
    return words


def test_on_redis_backlog_tasks_are_taken_after_every_fresh_one(redis_app):
    app, echo, queue = redis_app

    task_queue(echo, "backlog-1", backlog=True)
    task_queue(echo, "fresh-1")
    task_queue(echo, "backlog-2", backlog=True)
    task_queue(echo, "fresh-2")

    assert _taken_in_order(app, queue) == ["fresh-1", "fresh-2", "backlog-1", "backlog-2"]


@pytest.mark.parametrize(
    "broker", ["memory://", "sqla+sqlite:///broker.sqlite3", "amqp://guest@127.0.0.1//"]
)
def test_other_brokers_get_no_priority_they_would_misread(settings, broker):
    settings.CELERY_BROKER_URL = broker
    task = mock.Mock(name="task")

    assert task_queue(task, 7, backlog=True) is True

    task.delay.assert_called_once_with(7)
    task.apply_async.assert_not_called()


def test_on_redis_the_backlog_priority_is_the_last_step(settings):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:6379/0"
    task = mock.Mock(name="task")

    task_queue(task, 7, backlog=True)

    task.apply_async.assert_called_once_with((7,), priority=BACKLOG_PRIORITY)
    assert BACKLOG_PRIORITY == 9  # kombu's last priority step: taken when nothing else is


def test_a_broker_that_fails_is_logged_and_said_not_raised(caplog):
    task = mock.Mock(name="task")
    task.name = "store.example"
    task.delay.side_effect = ConnectionError("broker away")

    assert task_queue(task, 7) is False
    assert "its sweep will" in caplog.text

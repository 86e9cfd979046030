from types import SimpleNamespace

import pytest
from django.db import connections

from sandbox.routers import SandboxRouter

router = SandboxRouter()


def model_of(app_label):
    return SimpleNamespace(_meta=SimpleNamespace(app_label=app_label))


def test_sandbox_models_read_and_write_the_sandbox_database():
    assert router.db_for_read(model_of("sandbox")) == "sandbox"
    assert router.db_for_write(model_of("sandbox")) == "sandbox"


def test_other_models_are_left_to_the_default_database():
    assert router.db_for_read(model_of("accounts")) is None
    assert router.db_for_write(model_of("catalogue")) is None


def test_the_sandbox_database_migrates_the_sandbox_app_only():
    assert router.allow_migrate("sandbox", "sandbox") is True
    assert router.allow_migrate("sandbox", "accounts") is False
    assert router.allow_migrate("default", "sandbox") is False
    assert router.allow_migrate("default", "accounts") is None


def test_relations_never_cross_the_two_databases():
    assert router.allow_relation(model_of("sandbox"), model_of("accounts")) is False
    assert router.allow_relation(model_of("sandbox"), model_of("sandbox")) is None
    assert router.allow_relation(model_of("accounts"), model_of("catalogue")) is None


@pytest.mark.django_db(databases=["default", "sandbox"])
def test_the_sandbox_test_database_holds_none_of_the_store_tables():
    sandbox_tables = connections["sandbox"].introspection.table_names()
    default_tables = connections["default"].introspection.table_names()

    assert "accounts_user" in default_tables
    assert "accounts_user" not in sandbox_tables
    assert "django_session" not in sandbox_tables

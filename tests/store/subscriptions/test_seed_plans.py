"""``make run`` offers plans to subscribe to: ``seed_plans`` on a shop that has none."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from store.subscriptions.models import Plan, PlanPrice

from .conftest import make_plan

pytestmark = pytest.mark.django_db(databases=["default", "sandbox"])


def _seed() -> str:
    out = StringIO()
    call_command("seed_plans", stdout=out)
    return out.getvalue()


def test_a_shop_without_plans_gets_two_a_customer_can_see(client, settings):
    settings.BILLING_GATEWAY = "test"
    settings.SEVENDIGITAL_COUNTRY = "GB"

    said = _seed()

    assert "Plan offered: Premium (GBP, EUR, USD)." in said
    page = client.get("/subscribe/").content.decode()
    assert "Premium" in page and "Standard yearly" in page
    assert "£9.99" in page and "£79.99" in page
    premium = Plan.objects.get(slug="premium")
    assert premium.plan_code == Plan.Code.PREMIUM
    assert (premium.interval, premium.trial_days) == ("month", 14)


def test_seeding_again_or_over_the_staffs_plans_changes_nothing():
    make_plan(slug="staff-plan")

    said = _seed()
    _seed()

    assert "left as they are" in said
    assert list(Plan.objects.values_list("slug", flat=True)) == ["staff-plan"]
    assert PlanPrice.objects.count() == 1


def test_make_run_seeds_the_plans_after_migrating():
    from pathlib import Path

    makefile = (Path(__file__).resolve().parents[3] / "Makefile").read_text()
    run = makefile.split("\nrun:", 1)[1].split("\n\n", 1)[0]
    assert run.index("migrate --database sandbox") < run.index("seed_plans") < run.index("run.py")

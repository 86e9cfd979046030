"""Staff can read play logs in the admin, and nobody can edit them there."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from store.playlogs.models import PreviewResponseTally, StreamResponseTally

from .factories import CataloguePlayFactory, PreviewPlayFactory, SubscriptionPlayFactory

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:playlogs_previewplay_changelist")


def test_the_admin_lists_plays_and_finds_them_by_track_id(admin_client):
    PreviewPlayFactory(track_id=111)
    PreviewPlayFactory(track_id=222)

    response = admin_client.get(CHANGELIST, {"q": "222"})

    assert response.status_code == 200
    assert list(response.context["cl"].result_list.values_list("track_id", flat=True)) == [222]


def test_a_search_that_is_not_a_track_id_finds_nothing_instead_of_failing(admin_client):
    PreviewPlayFactory()

    response = admin_client.get(CHANGELIST, {"q": "sleeping"})

    assert response.status_code == 200
    assert response.context["cl"].result_count == 0


@pytest.mark.parametrize(
    ("state", "expected"),
    [("delivered", [1]), ("waiting", [2]), ("failing", [4]), ("rejected", [3])],
)
@pytest.mark.parametrize(
    ("changelist", "factory", "time_field"),
    [
        ("admin:playlogs_previewplay_changelist", PreviewPlayFactory, "started_at"),
        ("admin:playlogs_catalogueplay_changelist", CataloguePlayFactory, "played_at"),
        ("admin:playlogs_subscriptionplay_changelist", SubscriptionPlayFactory, "played_at"),
    ],
)
def test_the_admin_filters_every_kind_of_play_by_delivery_state(
    admin_client, changelist, factory, time_field, state, expected
):
    now = timezone.now()
    factory(track_id=1, delivered_at=now, **{time_field: now - timedelta(minutes=4)})
    factory(track_id=2, **{time_field: now - timedelta(minutes=3)})
    factory(track_id=3, rejected=True, rejected_reason="bad", **{time_field: now})
    factory(track_id=4, last_error="timeout", **{time_field: now - timedelta(minutes=1)})

    response = admin_client.get(reverse(changelist), {"state": state})

    assert response.status_code == 200
    assert sorted(p.track_id for p in response.context["cl"].result_list) == expected


@pytest.mark.parametrize(
    "factory", [PreviewPlayFactory, CataloguePlayFactory, SubscriptionPlayFactory]
)
def test_the_admin_shows_the_rejection_reason_and_the_last_error(admin_client, factory):
    rejected = factory(track_id=5, rejected=True, rejected_reason="1001: Invalid track id")
    factory(track_id=6, last_error="503 from 7digital")
    meta = rejected._meta

    changelist = admin_client.get(reverse(f"admin:playlogs_{meta.model_name}_changelist"))
    change = admin_client.get(
        reverse(f"admin:playlogs_{meta.model_name}_change", args=[rejected.pk])
    )

    assert b"1001: Invalid track id" in changelist.content
    assert b"503 from 7digital" in changelist.content
    assert b"1001: Invalid track id" in change.content
    assert b'name="_save"' not in change.content


@pytest.mark.parametrize(
    ("changelist", "factory"),
    [
        ("admin:playlogs_catalogueplay_changelist", CataloguePlayFactory),
        ("admin:playlogs_subscriptionplay_changelist", SubscriptionPlayFactory),
    ],
)
def test_catalogue_and_subscription_plays_are_found_by_track_id_and_date(
    admin_client, changelist, factory
):
    factory(track_id=111)
    factory(track_id=222)
    factory(track_id=333, played_at=timezone.now() - timedelta(days=40))
    today = timezone.now()

    found = admin_client.get(reverse(changelist), {"q": "222"})
    dated = admin_client.get(
        reverse(changelist),
        {
            "played_at__year": today.year,
            "played_at__month": today.month,
            "played_at__day": today.day,
        },
    )

    assert [p.track_id for p in found.context["cl"].result_list] == [222]
    assert sorted(p.track_id for p in dated.context["cl"].result_list) == [111, 222]


def test_the_admin_filters_by_date(admin_client):
    PreviewPlayFactory(track_id=1)
    PreviewPlayFactory(track_id=2, started_at=timezone.now() - timedelta(days=30))
    today = timezone.now()

    response = admin_client.get(
        CHANGELIST,
        {
            "started_at__year": today.year,
            "started_at__month": today.month,
            "started_at__day": today.day,
        },
    )

    assert [p.track_id for p in response.context["cl"].result_list] == [1]


def test_plays_are_read_only_in_the_admin(admin_client):
    play = PreviewPlayFactory()

    assert admin_client.get(reverse("admin:playlogs_previewplay_add")).status_code == 403
    change = admin_client.get(reverse("admin:playlogs_previewplay_change", args=[play.pk]))
    assert change.status_code == 200
    assert b'name="_save"' not in change.content
    delete = reverse("admin:playlogs_previewplay_delete", args=[play.pk])
    assert admin_client.post(delete, {"post": "yes"}).status_code == 403
    assert type(play).objects.filter(pk=play.pk).exists()


def test_the_response_tally_is_visible_to_staff(admin_client):
    PreviewResponseTally.objects.create(day=timezone.now().date(), country="GB", responses=7)

    response = admin_client.get(reverse("admin:playlogs_previewresponsetally_changelist"))

    assert response.status_code == 200
    assert b"GB" in response.content


def test_the_stream_tally_is_visible_to_the_staff_group_and_read_only(staff):
    StreamResponseTally.objects.create(day=timezone.now().date(), source="catalogue", responses=3)

    response = staff.get(reverse("admin:playlogs_streamresponsetally_changelist"))

    assert response.status_code == 200
    assert b"Radio" in response.content
    assert staff.get(reverse("admin:playlogs_streamresponsetally_add")).status_code == 403


def test_visitors_who_are_not_staff_cannot_see_plays(client, django_user_model):
    user = django_user_model.objects.create_user(email="listener@example.com")
    client.force_login(user)

    assert client.get(CHANGELIST).status_code == 302

"""Staff can read preview plays in the admin, and nobody can edit them there."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from store.playlogs.models import PreviewResponseTally

from .factories import PreviewPlayFactory

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
    ("query", "expected"),
    [
        ({"delivered": "yes"}, [1]),
        ({"delivered": "no"}, [2, 3]),
        ({"rejected__exact": "1"}, [3]),
    ],
)
def test_the_admin_filters_by_delivery_and_rejection(admin_client, query, expected):
    now = timezone.now()
    PreviewPlayFactory(track_id=1, delivered_at=now, started_at=now - timedelta(minutes=3))
    PreviewPlayFactory(track_id=2, started_at=now - timedelta(minutes=2))
    PreviewPlayFactory(
        track_id=3, rejected=True, rejected_reason="bad", started_at=now - timedelta(minutes=1)
    )

    response = admin_client.get(CHANGELIST, query)

    assert response.status_code == 200
    assert sorted(p.track_id for p in response.context["cl"].result_list) == expected


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


def test_visitors_who_are_not_staff_cannot_see_plays(client, django_user_model):
    user = django_user_model.objects.create_user(email="listener@example.com")
    client.force_login(user)

    assert client.get(CHANGELIST).status_code == 302

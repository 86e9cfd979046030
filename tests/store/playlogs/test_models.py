"""The play rows carry what the later preview/log outbox and reconciliation need."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from store.playlogs.models import PreviewPlay, PreviewResponseTally
from store.playlogs.services import preview_responses_add

from .factories import PreviewPlayFactory

pytestmark = pytest.mark.django_db


def test_a_new_play_is_waiting_for_delivery():
    play = PreviewPlayFactory()
    play.refresh_from_db()

    assert play.delivered_at is None
    assert play.attempts == 0
    assert play.last_error == ""
    assert play.rejected is False
    assert play.rejected_reason == ""
    assert play.play_mode == "online"


def test_plays_are_indexed_for_the_outbox_in_the_order_they_happened():
    indexes = {tuple(index.fields) for index in PreviewPlay._meta.indexes}

    assert ("delivered_at", "started_at") in indexes


def test_a_play_has_every_field_preview_log_asks_for():
    names = {field.name for field in PreviewPlay._meta.get_fields()}

    # country, trackId, dateTimePlayed, totalTimePlayed, userAgent, userId, playMode
    assert {"country", "track_id", "started_at", "seconds_played", "user_agent"} <= names
    assert {"user", "anonymous_id", "play_mode", "reported_at"} <= names
    assert PreviewPlay._meta.get_field("user_agent").max_length == 512
    assert PreviewPlay._meta.get_field("user").null
    assert PreviewPlay._meta.pk.get_internal_type() == "UUIDField"


def test_proxied_responses_are_added_to_the_tally_of_their_day_and_country():
    first_of_march = datetime(2026, 3, 1, tzinfo=UTC).date()
    preview_responses_add(day=first_of_march, country="GB", responses=1)
    preview_responses_add(day=first_of_march, country="gb", responses=1)
    preview_responses_add(day=first_of_march, country="US", responses=1)
    preview_responses_add(day=datetime(2026, 3, 2, tzinfo=UTC).date(), country="GB", responses=1)

    counts = {
        (row.day.isoformat(), row.country): row.responses
        for row in PreviewResponseTally.objects.all()
    }
    assert counts == {("2026-03-01", "GB"): 2, ("2026-03-01", "US"): 1, ("2026-03-02", "GB"): 1}

from __future__ import annotations

import factory
from django.utils import timezone

from store.playlogs.models import CataloguePlay, EndReason, PreviewPlay, SubscriptionPlay


class PreviewPlayFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PreviewPlay

    track_id = 123456
    anonymous_id = factory.Faker("hexify", text="^" * 32)
    country = "GB"
    user_agent = "Mozilla/5.0 (test)"
    started_at = factory.LazyFunction(timezone.now)


class CataloguePlayFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CataloguePlay

    track_id = 123456
    release_id = 12345
    format_id = 17
    listener_id = factory.Sequence(lambda n: f"listener-{n}")
    country = "GB"
    user_agent = "Mozilla/5.0 (test)"
    played_at = factory.LazyFunction(timezone.now)
    seconds_played = 30
    end_reason = EndReason.NATURAL_END


class SubscriptionPlayFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SubscriptionPlay

    track_id = 123456
    release_id = 12345
    format_id = 17
    partner_user_id = factory.Sequence(lambda n: f"partner-{n}")
    country = "GB"
    user_agent = "Mozilla/5.0 (test)"
    played_at = factory.LazyFunction(timezone.now)
    seconds_played = 30

from __future__ import annotations

import factory
from django.utils import timezone

from store.playlogs.models import PreviewPlay


class PreviewPlayFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PreviewPlay

    track_id = 123456
    anonymous_id = factory.Faker("hexify", text="^" * 32)
    country = "GB"
    user_agent = "Mozilla/5.0 (test)"
    started_at = factory.LazyFunction(timezone.now)

from __future__ import annotations

from django import forms

from accounts.models import User
from store.catalogue.country import SUPPORTED_COUNTRIES


class ProfileForm(forms.ModelForm):
    country = forms.ChoiceField(
        choices=list(SUPPORTED_COUNTRIES.items()),
        help_text="Prices, currency and what you may buy or stream follow this country.",
    )

    class Meta:
        model = User
        fields = ("first_name", "last_name", "country")

from __future__ import annotations

from django import forms

from accounts.models import User
from integrations.country import SUPPORTED_COUNTRIES


class ProfileForm(forms.ModelForm):
    country = forms.ChoiceField(
        choices=list(SUPPORTED_COUNTRIES.items()),
        help_text="Prices, currency and what you may buy or stream follow this country.",
    )

    class Meta:
        model = User
        fields = ("first_name", "last_name", "country")


class DeleteAccountForm(forms.Form):
    confirm = forms.BooleanField(
        label="I understand that I will no longer be able to download what I bought here.",
        error_messages={"required": "Tick the box to confirm that you want to close the account."},
    )

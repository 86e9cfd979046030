from django import forms

from integrations.sevendigital import ID_MAX

from .models import PREMIUM_PACKAGE, STANDARD_PACKAGE


class BasketAddForm(forms.Form):
    """A release, or a track (the release it is on comes from 7digital), in a package."""

    release = forms.IntegerField(required=False, min_value=1, max_value=ID_MAX)
    track = forms.IntegerField(required=False, min_value=1, max_value=ID_MAX)
    package = forms.TypedChoiceField(
        choices=[(STANDARD_PACKAGE, "Standard"), (PREMIUM_PACKAGE, "Premium")],
        coerce=int,
        required=False,
        empty_value=STANDARD_PACKAGE,
    )

    def clean(self):
        data = super().clean()
        if not self.errors and not data.get("release") and not data.get("track"):
            raise forms.ValidationError("Choose a release or a track to add.")
        return data

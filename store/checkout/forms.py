from django import forms

from .services.orders import POST_CODE_COUNTRIES


class PaymentForm(forms.Form):
    """Card details for a gateway that takes them here (the test gateway; Stripe's page
    asks for its own), and a ZIP code where 7digital needs one."""

    card_number = forms.CharField(
        label="Card number",
        max_length=23,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "cc-number"}),
    )
    post_code = forms.CharField(label="ZIP code", max_length=10, required=False)

    def __init__(self, *args, country: str, card: bool = True, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if not card:
            del self.fields["card_number"]
        if country in POST_CODE_COUNTRIES:
            self.fields["post_code"].required = True
            self.fields["post_code"].widget.attrs["autocomplete"] = "postal-code"
        else:
            del self.fields["post_code"]

    def clean_card_number(self) -> str:
        number = "".join(self.cleaned_data["card_number"].split()).replace("-", "")
        if not number.isdigit():
            raise forms.ValidationError("A card number has only digits.")
        return number

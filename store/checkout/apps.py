from django.apps import AppConfig


class CheckoutConfig(AppConfig):
    name = "store.checkout"
    label = "checkout"
    verbose_name = "Orders and refunds"

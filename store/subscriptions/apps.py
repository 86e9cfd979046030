from django.apps import AppConfig


class SubscriptionsConfig(AppConfig):
    name = "store.subscriptions"
    label = "subscriptions"
    verbose_name = "Subscriptions"

    def ready(self) -> None:
        from accounts.signals import account_closing

        from . import receivers

        account_closing.connect(receivers.account_closing, dispatch_uid="subscriptions.closing")

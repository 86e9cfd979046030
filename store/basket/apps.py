from django.apps import AppConfig


class BasketConfig(AppConfig):
    name = "store.basket"
    label = "basket"
    verbose_name = "Baskets"

    def ready(self) -> None:
        from . import receivers  # noqa: F401 - connects the login merge

from django.apps import AppConfig


class BasketConfig(AppConfig):
    name = "store.basket"
    label = "basket"
    verbose_name = "Baskets"

    def ready(self) -> None:
        from . import (
            page_holes,  # noqa: F401 - fills the basket link on stored pages
            receivers,  # noqa: F401 - connects the login merge
        )

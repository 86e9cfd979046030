from django.apps import AppConfig


class LockerConfig(AppConfig):
    name = "store.locker"
    label = "locker"
    verbose_name = "Locker"

from django.apps import AppConfig


class CatalogueConfig(AppConfig):
    name = "store.catalogue"
    label = "catalogue"
    verbose_name = "Catalogue"

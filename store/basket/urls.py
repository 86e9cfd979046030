from django.urls import path

import integrations.converters  # noqa: F401 - registers <id:> and <order_number:>

from . import views

app_name = "basket"
urlpatterns = [
    path("basket/", views.basket, name="basket"),
    path("basket/add/", views.basket_add, name="add"),
    path("basket/lines/<id:line_id>/remove/", views.basket_remove, name="remove"),
]

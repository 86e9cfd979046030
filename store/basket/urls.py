from django.urls import path

from . import views

app_name = "basket"
urlpatterns = [
    path("basket/", views.basket, name="basket"),
    path("basket/add/", views.basket_add, name="add"),
    path("basket/lines/<int:line_id>/remove/", views.basket_remove, name="remove"),
]

from django.urls import path

import integrations.converters  # noqa: F401 - registers <id:> and <order_number:>

from . import views

app_name = "checkout"
urlpatterns = [
    path("checkout/", views.checkout, name="checkout"),
    path("checkout/stripe/webhook/", views.stripe_webhook, name="stripe_webhook"),
    path(
        "checkout/stripe/return/<order_number:number>/", views.stripe_return, name="stripe_return"
    ),
    path(
        "checkout/stripe/cancel/<order_number:number>/", views.stripe_cancel, name="stripe_cancel"
    ),
    path("orders/", views.order_list, name="orders"),
    path("orders/<order_number:number>/", views.order_detail, name="order"),
]

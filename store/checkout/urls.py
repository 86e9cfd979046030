from django.urls import path

from . import views

app_name = "checkout"
urlpatterns = [
    path("checkout/", views.checkout, name="checkout"),
    path("checkout/stripe/webhook/", views.stripe_webhook, name="stripe_webhook"),
    path("checkout/stripe/return/<str:number>/", views.stripe_return, name="stripe_return"),
    path("checkout/stripe/cancel/<str:number>/", views.stripe_cancel, name="stripe_cancel"),
    path("orders/", views.order_list, name="orders"),
    path("orders/<str:number>/", views.order_detail, name="order"),
]

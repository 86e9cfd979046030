from django.urls import path

from . import device_views, views

app_name = "subscriptions"
urlpatterns = [
    path("subscribe/", views.subscribe, name="subscribe"),
    path("subscribe/return/", views.checkout_return, name="return"),
    path("subscribe/stripe/webhook/", views.stripe_webhook, name="stripe_webhook"),
    path("subscribe/<slug:slug>/", views.subscribe_plan, name="subscribe_plan"),
    path("account/subscription/", views.account, name="account"),
    path("account/subscription/cancel/", views.cancel, name="cancel"),
    path("account/subscription/resume/", views.resume, name="resume"),
    path("account/subscription/portal/", views.portal, name="portal"),
    path("account/devices/", device_views.devices_page, name="devices"),
    path(
        "account/devices/<str:client_id>/rename",
        device_views.device_rename,
        name="device_rename",
    ),
    path(
        "account/devices/<str:client_id>/disable",
        device_views.device_disable,
        name="device_disable",
    ),
]

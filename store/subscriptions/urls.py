from django.urls import path

from . import views

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
]

from django.urls import path

from store.catalogue import views

app_name = "catalogue"

urlpatterns = [
    path("", views.home, name="home"),
    path("country/", views.country_set, name="country"),
]

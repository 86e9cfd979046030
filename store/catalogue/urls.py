from django.urls import path

import integrations.converters  # noqa: F401 - registers <id:> and <order_number:>
from store.catalogue.views import browse, country, details, search

app_name = "catalogue"

urlpatterns = [
    path("", browse.home, name="home"),
    path("artists/", browse.artists, name="artists"),
    path("tags/<slug:tag>/", browse.tag, name="tag"),
    path("search/", search.search, name="search"),
    path("artists/<id:artist_id>/", details.artist, name="artist"),
    path("releases/<id:release_id>/", details.release, name="release"),
    path("tracks/<id:track_id>/", details.track, name="track"),
    path("country/", country.country_set, name="country"),
]

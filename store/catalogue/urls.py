from django.urls import path

from store.catalogue.views import browse, country, details, search

app_name = "catalogue"

urlpatterns = [
    path("", browse.home, name="home"),
    path("artists/", browse.artists, name="artists"),
    path("tags/<slug:tag>/", browse.tag, name="tag"),
    path("search/", search.search, name="search"),
    path("artists/<int:artist_id>/", details.artist, name="artist"),
    path("releases/<int:release_id>/", details.release, name="release"),
    path("tracks/<int:track_id>/", details.track, name="track"),
    path("country/", country.country_set, name="country"),
]

"""The sandbox's own URLconf: the real 7digital hosts' paths, served at its root."""

urlpatterns = []

"""The site's roles: customers, and the Staff and Editors groups (made by migration)."""

from __future__ import annotations

STAFF_GROUP = "Staff"
EDITORS_GROUP = "Editors"
# Their permissions are given by migration 0003 (orders, refunds, subscriptions and
# partner playlists join them in the migrations of the apps that add those).


def needs_second_factor(user) -> bool:
    """Staff, superusers, and members of Staff or Editors must use two factors."""
    if not user.is_authenticated:
        return False
    if user.is_staff or user.is_superuser:
        return True
    return user.groups.filter(name__in=(STAFF_GROUP, EDITORS_GROUP)).exists()

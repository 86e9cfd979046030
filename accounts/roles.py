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


# -- for data migrations ----------------------------------------------------------------


def permissions_grant(group: str, permissions: list[tuple[str, str]]):
    """A ``migrations.RunPython`` that gives ``group`` these ``(app_label, codename)``
    permissions (and takes them back when unapplied). Permissions are made first: Django
    creates them only after all migrations, and a data migration runs before that."""
    from django.contrib.auth.management import create_permissions
    from django.db import migrations

    def grant(apps, schema_editor) -> None:
        for app_config in apps.get_app_configs():
            app_config.models_module = True
            create_permissions(app_config, apps=apps, verbosity=0)
            app_config.models_module = None
        Group = apps.get_model("auth", "Group")
        Permission = apps.get_model("auth", "Permission")
        holder, _ = Group.objects.get_or_create(name=group)
        for app_label, codename in permissions:
            holder.permissions.add(
                Permission.objects.get(content_type__app_label=app_label, codename=codename)
            )

    def revoke(apps, schema_editor) -> None:
        Group = apps.get_model("auth", "Group")
        Permission = apps.get_model("auth", "Permission")
        holder = Group.objects.filter(name=group).first()
        if holder is None:
            return
        for app_label, codename in permissions:
            holder.permissions.remove(
                *Permission.objects.filter(content_type__app_label=app_label, codename=codename)
            )

    return migrations.RunPython(grant, revoke)

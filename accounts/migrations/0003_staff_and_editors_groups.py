"""The Staff and Editors groups with their permissions (accounts/roles.py)."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUP_PERMISSIONS = {
    "Staff": [
        ("accounts", "view_user"),
        ("accounts", "change_user"),
        ("accounts", "view_partneruser"),
        ("accounts", "change_partneruser"),
        ("playlogs", "view_previewplay"),
        ("playlogs", "view_previewresponsetally"),
    ],
    "Editors": [],
}


def create_groups(apps, schema_editor):
    # Permissions are normally made after all migrations ran; make them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, wanted in GROUP_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=name)
        for app_label, codename in wanted:
            group.permissions.add(
                Permission.objects.get(content_type__app_label=app_label, codename=codename)
            )


def remove_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=GROUP_PERMISSIONS).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_partner_users"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("playlogs", "0001_initial"),
    ]

    operations = [migrations.RunPython(create_groups, remove_groups)]

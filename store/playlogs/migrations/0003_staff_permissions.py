"""Staff read every kind of play log and may send failed ones again (the dashboard's
``retry_playlog``, declared on PreviewPlay for all three kinds of play)."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

RETRY_CODENAME = "retry_playlog"
RETRY_NAME = "Can send failed play logs to 7digital again"
STAFF_PERMISSIONS = [
    "view_previewplay",
    "view_catalogueplay",
    "view_subscriptionplay",
    "view_previewresponsetally",
    RETRY_CODENAME,
]


def grant(apps, schema_editor):
    # Permissions are normally made after all migrations ran; make them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    ContentType = apps.get_model("contenttypes", "ContentType")
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    preview_play, _ = ContentType.objects.get_or_create(app_label="playlogs", model="previewplay")
    Permission.objects.get_or_create(
        content_type=preview_play, codename=RETRY_CODENAME, defaults={"name": RETRY_NAME}
    )
    staff, _ = Group.objects.get_or_create(name="Staff")
    staff.permissions.add(
        *Permission.objects.filter(
            content_type__app_label="playlogs", codename__in=STAFF_PERMISSIONS
        )
    )


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    staff = Group.objects.filter(name="Staff").first()
    if staff:
        # view_previewplay and the tally's view came with the group (accounts 0003).
        staff.permissions.remove(
            *Permission.objects.filter(
                content_type__app_label="playlogs",
                codename__in=["view_catalogueplay", "view_subscriptionplay"],
            )
        )
    Permission.objects.filter(content_type__app_label="playlogs", codename=RETRY_CODENAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("playlogs", "0002_outbox"),
        ("accounts", "0003_staff_and_editors_groups"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(grant, revoke)]

"""Staff configure plans and look after subscriptions (accounts/roles.py has the groups)."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

STAFF_PERMISSIONS = [
    ("subscriptions", "view_plan"),
    ("subscriptions", "add_plan"),
    ("subscriptions", "change_plan"),
    ("subscriptions", "view_planprice"),
    ("subscriptions", "add_planprice"),
    ("subscriptions", "change_planprice"),
    ("subscriptions", "delete_planprice"),
    ("subscriptions", "view_subscription"),
    ("subscriptions", "sync_subscription"),
    ("subscriptions", "view_subscriptionevent"),
    ("subscriptions", "view_subscriptionsync"),
]


def grant(apps, schema_editor):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    staff, _ = Group.objects.get_or_create(name="Staff")
    for app_label, codename in STAFF_PERMISSIONS:
        staff.permissions.add(
            Permission.objects.get(content_type__app_label=app_label, codename=codename)
        )


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    staff = Group.objects.filter(name="Staff").first()
    if staff:
        staff.permissions.remove(
            *Permission.objects.filter(
                content_type__app_label="subscriptions",
                codename__in=[c for _, c in STAFF_PERMISSIONS],
            )
        )


class Migration(migrations.Migration):
    dependencies = [
        ("subscriptions", "0001_initial"),
        ("accounts", "0003_staff_and_editors_groups"),
    ]

    operations = [migrations.RunPython(grant, revoke)]

"""Staff configure plans and look after subscriptions (accounts/roles.py has the groups)."""

from django.db import migrations

from accounts.roles import STAFF_GROUP, permissions_grant

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


class Migration(migrations.Migration):
    dependencies = [
        ("subscriptions", "0001_initial"),
        ("accounts", "0003_staff_and_editors_groups"),
    ]

    operations = [permissions_grant(STAFF_GROUP, STAFF_PERMISSIONS)]

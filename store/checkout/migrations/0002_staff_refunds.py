"""Staff look after orders and refund them (accounts/roles.py has the groups)."""

from django.db import migrations

from accounts.roles import STAFF_GROUP, permissions_grant

STAFF_PERMISSIONS = [("checkout", "view_order"), ("checkout", "refund_order")]


class Migration(migrations.Migration):
    dependencies = [
        ("checkout", "0001_initial"),
        ("accounts", "0003_staff_and_editors_groups"),
    ]

    operations = [permissions_grant(STAFF_GROUP, STAFF_PERMISSIONS)]

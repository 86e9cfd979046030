"""Offline devices (``user/unlimitedStreaming/offline``, reference lines 4681-4736).

Depends on 0005 until 0006_streams lands on main; then it depends on 0006_streams.
"""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("sandbox", "0006_streams"),
    ]

    operations = [
        migrations.CreateModel(
            name="OfflineDevice",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("client_id", models.CharField(max_length=40)),
                ("client_key", models.CharField(max_length=40)),
                ("enabled", models.BooleanField(default=True)),
                ("registered_at", models.DateTimeField()),
                ("updated_at", models.DateTimeField()),
                (
                    "user",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="offline_devices",
                        to="sandbox.partneruser",
                    ),
                ),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(
                        fields=("user", "client_key"), name="sandbox_offline_device_unique"
                    )
                ],
            },
        ),
    ]

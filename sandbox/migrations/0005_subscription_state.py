"""The subscription's whole state (``user/unlimitedStreaming``, reference lines 6411-6449).

Rows from play logging's grants keep their meaning: ``started_at`` becomes the period
start and the first activation; an open subscription runs for a calendar month from
it, and a cancelled one ended at ``ended_at``.
"""

import calendar

from django.db import migrations, models


def _month_after(moment):
    year, month = (moment.year + 1, 1) if moment.month == 12 else (moment.year, moment.month + 1)
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


def fill_state(apps, schema_editor):
    Subscription = apps.get_model("sandbox", "Subscription")
    for subscription in Subscription.objects.using(schema_editor.connection.alias):
        started = subscription.started_at
        subscription.activated_at = started
        subscription.current_period_start = started
        subscription.expiry_date = subscription.ended_at or _month_after(started)
        subscription.updated_at = subscription.ended_at or started
        subscription.save()


class Migration(migrations.Migration):
    dependencies = [
        ("sandbox", "0004_received_play_logs"),
    ]

    operations = [
        migrations.AddField(
            model_name="subscription",
            name="plan_code",
            field=models.CharField(
                choices=[
                    ("premium-unlimited-streaming", "Premium"),
                    ("standard-unlimited-streaming", "Standard"),
                    ("trial-unlimited-streaming", "Trial"),
                ],
                default="premium-unlimited-streaming",
                max_length=32,
            ),
        ),
        migrations.AlterField(
            model_name="subscription",
            name="status",
            field=models.CharField(
                choices=[("active", "Active"), ("cancelled", "Cancelled"), ("expired", "Expired")],
                default="active",
                max_length=10,
            ),
        ),
        migrations.AddField(
            model_name="subscription",
            name="currency",
            field=models.CharField(default="GBP", max_length=3),
        ),
        migrations.AddField(
            model_name="subscription",
            name="recurring_fee",
            field=models.IntegerField(default=0),
        ),
        migrations.AddField(
            model_name="subscription",
            name="postcode",
            field=models.CharField(blank=True, max_length=20),
        ),
        migrations.AddField(
            model_name="subscription",
            name="country",
            field=models.CharField(default="GB", max_length=2),
        ),
        migrations.AddField(
            model_name="subscription",
            name="shop_id",
            field=models.BigIntegerField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="subscription",
            name="activated_at",
            field=models.DateTimeField(null=True),
        ),
        migrations.AddField(
            model_name="subscription",
            name="current_period_start",
            field=models.DateTimeField(null=True),
        ),
        migrations.AddField(
            model_name="subscription",
            name="trial_ends_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="subscription",
            name="expiry_date",
            field=models.DateTimeField(null=True),
        ),
        migrations.AddField(
            model_name="subscription",
            name="updated_at",
            field=models.DateTimeField(null=True),
        ),
        migrations.RunPython(fill_state, migrations.RunPython.noop),
        migrations.RemoveField(model_name="subscription", name="started_at"),
        migrations.RemoveField(model_name="subscription", name="ended_at"),
        migrations.AlterField(
            model_name="subscription",
            name="activated_at",
            field=models.DateTimeField(),
        ),
        migrations.AlterField(
            model_name="subscription",
            name="current_period_start",
            field=models.DateTimeField(),
        ),
        migrations.AlterField(
            model_name="subscription",
            name="expiry_date",
            field=models.DateTimeField(),
        ),
        migrations.AlterField(
            model_name="subscription",
            name="updated_at",
            field=models.DateTimeField(),
        ),
    ]

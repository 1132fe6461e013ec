"""created_at and updated_at on every table; existing rows get them from what they record."""

import django.utils.timezone
from django.db import migrations, models

from klustera.timestamps import backfill


class Migration(migrations.Migration):
    dependencies = [
        ("estate", "0004_resident_unique_phone"),
    ]

    operations = [
        # created_at only changes how Django fills it (a default instead of auto_now_add):
        # the columns stay as they are, so no table is rebuilt.
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="invitation",
                    name="created_at",
                    field=models.DateTimeField(default=django.utils.timezone.now, editable=False),
                ),
                migrations.AlterField(
                    model_name="resident",
                    name="created_at",
                    field=models.DateTimeField(default=django.utils.timezone.now, editable=False),
                ),
                migrations.AlterField(
                    model_name="unit",
                    name="created_at",
                    field=models.DateTimeField(default=django.utils.timezone.now, editable=False),
                ),
                migrations.AlterField(
                    model_name="vehicle",
                    name="created_at",
                    field=models.DateTimeField(default=django.utils.timezone.now, editable=False),
                ),
            ],
        ),
        migrations.AddField(
            model_name="invitation",
            name="updated_at",
            field=models.DateTimeField(auto_now=True),
        ),
        migrations.AddField(
            model_name="occupancy",
            name="created_at",
            field=models.DateTimeField(default=django.utils.timezone.now, editable=False),
        ),
        migrations.AddField(
            model_name="occupancy",
            name="updated_at",
            field=models.DateTimeField(auto_now=True),
        ),
        migrations.AddField(
            model_name="resident",
            name="updated_at",
            field=models.DateTimeField(auto_now=True),
        ),
        migrations.AddField(
            model_name="unit",
            name="updated_at",
            field=models.DateTimeField(auto_now=True),
        ),
        migrations.AddField(
            model_name="vehicle",
            name="updated_at",
            field=models.DateTimeField(auto_now=True),
        ),
        migrations.RunPython(
            backfill(
                "estate",
                {
                    "unit": (None, []),
                    "resident": (None, []),
                    "occupancy": ("start_on", ["end_on"]),
                    "invitation": (None, ["accepted_at"]),
                    "vehicle": (None, []),
                },
            ),
            migrations.RunPython.noop,
        ),
    ]

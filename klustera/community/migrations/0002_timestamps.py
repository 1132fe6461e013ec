"""created_at and updated_at on every table; existing rows get them from what they record."""

import django.utils.timezone
from django.db import migrations, models

from klustera.timestamps import backfill


class Migration(migrations.Migration):
    dependencies = [
        ("community", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="announcement",
            name="created_at",
            field=models.DateTimeField(default=django.utils.timezone.now, editable=False),
        ),
        migrations.AddField(
            model_name="announcement",
            name="updated_at",
            field=models.DateTimeField(auto_now=True),
        ),
        migrations.RunPython(
            backfill(
                "community",
                {
                    "announcement": ("posted_at", []),
                },
            ),
            migrations.RunPython.noop,
        ),
    ]

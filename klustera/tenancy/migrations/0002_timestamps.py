"""created_at and updated_at on every table; existing rows get them from what they record."""

import django.utils.timezone
from django.db import migrations, models

from klustera.timestamps import backfill


class Migration(migrations.Migration):
    dependencies = [
        ("tenancy", "0001_initial"),
    ]

    operations = [
        # created_at only changes how Django fills it (a default instead of auto_now_add):
        # the columns stay as they are, so no table is rebuilt.
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="tenant",
                    name="created_at",
                    field=models.DateTimeField(default=django.utils.timezone.now, editable=False),
                ),
            ],
        ),
        migrations.AddField(
            model_name="domain",
            name="created_at",
            field=models.DateTimeField(default=django.utils.timezone.now, editable=False),
        ),
        migrations.AddField(
            model_name="domain",
            name="updated_at",
            field=models.DateTimeField(auto_now=True),
        ),
        migrations.RunPython(
            backfill(
                "tenancy",
                {
                    "domain": (None, []),
                },
            ),
            migrations.RunPython.noop,
        ),
    ]

"""created_at and updated_at on every table; existing rows get them from what they record."""

import django.utils.timezone
from django.db import migrations, models

from klustera.timestamps import backfill


class Migration(migrations.Migration):
    dependencies = [
        ("access", "0003_parcel"),
    ]

    operations = [
        # created_at only changes how Django fills it (a default instead of auto_now_add):
        # the columns stay as they are, so no table is rebuilt.
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="gatekey",
                    name="created_at",
                    field=models.DateTimeField(default=django.utils.timezone.now, editable=False),
                ),
                migrations.AlterField(
                    model_name="guestinvitation",
                    name="created_at",
                    field=models.DateTimeField(default=django.utils.timezone.now, editable=False),
                ),
                migrations.AlterField(
                    model_name="walkin",
                    name="created_at",
                    field=models.DateTimeField(default=django.utils.timezone.now, editable=False),
                ),
            ],
        ),
        migrations.AddField(
            model_name="accesslog",
            name="created_at",
            field=models.DateTimeField(default=django.utils.timezone.now, editable=False),
        ),
        migrations.AddField(
            model_name="accesslog",
            name="updated_at",
            field=models.DateTimeField(auto_now=True),
        ),
        migrations.AddField(
            model_name="gatekey",
            name="updated_at",
            field=models.DateTimeField(auto_now=True),
        ),
        migrations.AddField(
            model_name="guestinvitation",
            name="updated_at",
            field=models.DateTimeField(auto_now=True),
        ),
        migrations.AddField(
            model_name="parcel",
            name="created_at",
            field=models.DateTimeField(default=django.utils.timezone.now, editable=False),
        ),
        migrations.AddField(
            model_name="parcel",
            name="updated_at",
            field=models.DateTimeField(auto_now=True),
        ),
        migrations.AddField(
            model_name="walkin",
            name="updated_at",
            field=models.DateTimeField(auto_now=True),
        ),
        migrations.RunPython(
            backfill(
                "access",
                {
                    "gatekey": (None, ["retired_at"]),
                    "guestinvitation": (None, ["cancelled_at"]),
                    "accesslog": ("at", []),
                    "walkin": (None, ["decided_at"]),
                    "parcel": ("received_at", ["picked_up_at"]),
                },
            ),
            migrations.RunPython.noop,
        ),
    ]

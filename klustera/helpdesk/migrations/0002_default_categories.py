"""The default complaint categories every complex starts with, and their service targets."""

from django.db import migrations

CATEGORIES = [
    "Kebersihan",
    "Keamanan",
    "Fasilitas umum",
    "Infrastruktur/jalan",
    "Air & listrik",
    "Administrasi",
    "Lainnya",
]
# Hours to the first response and to the resolution, per priority.
TARGETS = {"urgent": (1, 8), "high": (4, 24), "normal": (24, 72), "low": (48, 168)}


def add_defaults(apps, schema_editor):
    Category = apps.get_model("helpdesk", "Category")
    ServiceTarget = apps.get_model("helpdesk", "ServiceTarget")
    db = schema_editor.connection.alias
    for position, name in enumerate(CATEGORIES):
        category, created = Category.objects.using(db).get_or_create(
            name=name, defaults={"position": position}
        )
        if created:
            ServiceTarget.objects.using(db).bulk_create(
                ServiceTarget(
                    category=category,
                    priority=priority,
                    response_hours=response,
                    resolution_hours=resolution,
                )
                for priority, (response, resolution) in TARGETS.items()
            )


class Migration(migrations.Migration):
    dependencies = [("helpdesk", "0001_initial")]

    operations = [migrations.RunPython(add_defaults, migrations.RunPython.noop)]

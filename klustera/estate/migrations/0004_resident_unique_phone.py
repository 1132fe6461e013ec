"""One resident record per phone number.

Records that share a phone are merged into the oldest before the constraint
is added: their stays, access log entries and account move over to it, and
the copies are deleted. Nothing a person did is lost.
"""

from django.db import migrations, models


def merge_residents_sharing_a_phone(apps, schema_editor):
    Resident = apps.get_model("estate", "Resident")
    db = schema_editor.connection.alias
    residents = Resident.objects.using(db)
    shared = (
        residents.values("phone").annotate(n=models.Count("id")).filter(n__gt=1).values("phone")
    )
    for phone in [row["phone"] for row in shared]:
        keeper, *copies = residents.filter(phone=phone).order_by("pk")
        for copy in copies:
            for relation in Resident._meta.related_objects:  # stays, access log entries …
                if relation.one_to_many:
                    related = relation.related_model.objects.using(db)
                    related.filter(**{relation.field.name: copy.pk}).update(
                        **{relation.field.name: keeper.pk}
                    )
            if keeper.user_id is None and copy.user_id is not None:
                keeper.user_id, copy.user_id = copy.user_id, None
                copy.save(update_fields=["user"])
                keeper.save(update_fields=["user"])
            if copy.status == "active":
                keeper.status = "active"
                keeper.save(update_fields=["status"])
            copy.delete()


class Migration(migrations.Migration):
    dependencies = [
        ("estate", "0003_vehicle"),
        ("access", "0003_parcel"),  # its log names residents: merged entries move too
    ]

    operations = [
        migrations.RunPython(merge_residents_sharing_a_phone, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="resident",
            constraint=models.UniqueConstraint(fields=("phone",), name="resident_unique_phone"),
        ),
    ]

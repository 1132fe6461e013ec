"""On PostgreSQL, no two exclusive bookings of one facility that hold their time overlap:
an exclusion constraint over a time range (btree_gist for the facility's equality). SQLite
has none; there the booking service's transaction, begun IMMEDIATE, is the only writer."""

from django.db import migrations

HOLDING = "('pending_payment', 'pending_approval', 'confirmed')"
CREATE = f"""
CREATE EXTENSION IF NOT EXISTS btree_gist;
ALTER TABLE facilities_booking ADD CONSTRAINT booking_no_overlap EXCLUDE USING gist (
    facility_id WITH =, tstzrange("start", "end", '[)') WITH &&
) WHERE (exclusive AND status IN {HOLDING});
"""
DROP = "ALTER TABLE facilities_booking DROP CONSTRAINT IF EXISTS booking_no_overlap;"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("facilities", "0001_initial")]
    operations = [migrations.RunPython(create, drop)]

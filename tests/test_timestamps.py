"""Every table has created_at and updated_at; existing rows got them from what they recorded."""

from __future__ import annotations

from datetime import UTC, date, datetime

from django.apps import apps

from klustera.estate.tests.factories import UnitFactory

# A poll's ballot box holds no time: a time of the last change would tie a secret vote to
# the participation written in the same transaction.
TIMELESS = {"community.BallotCount"}


def test_every_table_has_both_timestamps() -> None:
    missing = [
        model._meta.label
        for model in apps.get_models()
        if model.__module__.startswith("klustera.")
        and model._meta.label not in TIMELESS
        and not {"created_at", "updated_at"} <= {f.name for f in model._meta.concrete_fields}
    ]
    assert missing == []


def test_updated_at_moves_on_a_save_of_some_fields(in_tenant_a) -> None:
    unit = UnitFactory()
    before = unit.updated_at
    unit.number = "99"
    unit.save(update_fields=["number"])
    unit.refresh_from_db()
    assert unit.updated_at > before and unit.created_at <= before


# Before the timestamps of every app that stores these rows.
BEFORE = [
    ("billing", "0008_ledger_from_payments"),
    ("estate", "0004_resident_unique_phone"),
    ("payments", "0006_ledger_moved_to_billing"),
    ("access", "0003_parcel"),
]


def test_existing_rows_get_timestamps_from_their_own_dates(old_complex) -> None:
    issued, paid = datetime(2025, 3, 1, 1, tzinfo=UTC), datetime(2025, 3, 9, 5, tzinfo=UTC)
    with old_complex(*BEFORE) as complex_:
        old = complex_.apps
        unit = old.get_model("estate", "Unit").objects.create(number="1")
        old.get_model("estate", "Occupancy").objects.create(
            unit=unit,
            resident=old.get_model("estate", "Resident").objects.create(name="Wati", phone="+1"),
            role="owner",
            start_on=date(2020, 2, 1),
            end_on=date(2024, 6, 30),
        )
        old.get_model("billing", "Invoice").objects.create(
            unit=unit, number="INV-1", period="2025-03-01", due_on="2025-03-10", subtotal=1,
            total=1, amount_paid=1, status="paid", issued_at=issued, paid_at=paid,
        )  # fmt: skip

        apps = complex_.forward()
        invoice = apps.get_model("billing", "Invoice").objects.get()
        assert (invoice.created_at, invoice.updated_at) == (issued, paid)
        stay = apps.get_model("estate", "Occupancy").objects.get()
        assert stay.created_at.date() == date(2020, 2, 1)
        assert stay.updated_at.date() == date(2024, 6, 30)

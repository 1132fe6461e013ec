"""The migration that makes a phone one resident merges the records that shared one."""

from __future__ import annotations

from datetime import date

BEFORE = [("estate", "0003_vehicle"), ("access", "0003_parcel")]
AFTER = [("estate", "0004_resident_unique_phone")]


def test_residents_sharing_a_phone_are_merged_into_the_oldest(old_complex) -> None:
    with old_complex(*BEFORE) as complex_:
        old = complex_.apps
        Unit, Resident = old.get_model("estate", "Unit"), old.get_model("estate", "Resident")
        Occupancy, AccessLog = (
            old.get_model("estate", "Occupancy"),
            old.get_model("access", "AccessLog"),
        )
        home, other = Unit.objects.create(number="1"), Unit.objects.create(number="2")
        first = Resident.objects.create(name="Wati", phone="+6281311110000", status="moved_out")
        second = Resident.objects.create(name="Wati S.", phone="+6281311110000")
        Resident.objects.create(name="Budi", phone="+6281311119999")
        Occupancy.objects.create(unit=home, resident=first, role="owner", start_on=date(2020, 1, 1),
                                 end_on=date(2023, 1, 1))  # fmt: skip
        Occupancy.objects.create(
            unit=other, resident=second, role="renter", start_on=date(2024, 1, 1)
        )
        AccessLog.objects.create(kind="resident_entry", method="qr_code", result="valid",
                                 resident=second, at="2025-01-01T08:00:00Z")  # fmt: skip

        new = complex_.forward(*AFTER)
        Resident = new.get_model("estate", "Resident")
        [wati] = Resident.objects.filter(phone="+6281311110000")
        assert (wati.pk, wati.name, wati.status) == (first.pk, "Wati", "active")
        stays = new.get_model("estate", "Occupancy").objects.filter(resident=wati)
        assert sorted(stay.unit_id for stay in stays) == [home.pk, other.pk]
        log = new.get_model("access", "AccessLog").objects.get()
        assert log.resident_id == wati.pk
        assert Resident.objects.count() == 2

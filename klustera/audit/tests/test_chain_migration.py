"""The migration that makes the trail a chain chains the entries already there, in the
order they were written, so the first verification after it finds the trail intact."""

from __future__ import annotations

from klustera.audit.services import record, verify_trail


def test_existing_entries_are_chained_in_the_order_they_were_written(old_complex) -> None:
    with old_complex(("audit", "0002_timestamps")) as complex_:
        AuditEntry = complex_.apps.get_model("audit", "AuditEntry")
        AuditEntry.objects.all().delete()  # provisioning's own entries, unchained
        for day, action in ((3, "third"), (1, "first"), (2, "second")):
            AuditEntry.objects.create(
                actor_label="Pengelola",
                action=action,
                details={"amount": "150000", "tags": ["a"]},
                created_at=f"2026-01-0{day}T08:00:00Z",
            )
        complex_.forward()
        verdict = verify_trail()
        assert verdict.intact and verdict.checked == 3
        added = record(actor=None, action="fourth")  # the chain goes on from the last one
        assert added.seq == 4
        assert verify_trail().checked == 4
        chained = complex_.forward().get_model("audit", "AuditEntry").objects.order_by("seq")
        assert [entry.action for entry in chained] == ["first", "second", "third", "fourth"]

"""Moving the ledger from payments to billing keeps every row, and an attempt keeps its payment."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

# Before the ledger moved (and before the timestamps, which come after it).
BEFORE = [
    ("payments", "0004_reversals_and_refunds"),
    ("billing", "0007_invoice_prefix_characters"),
    ("estate", "0004_resident_unique_phone"),
]
AFTER = [("payments", "0006_ledger_moved_to_billing"), ("billing", "0008_ledger_from_payments")]


def test_the_ledger_moves_to_billing_with_its_rows(old_complex) -> None:
    paid = datetime(2026, 1, 5, 3, tzinfo=UTC)
    with old_complex(*BEFORE) as complex_:
        old = complex_.apps
        unit = old.get_model("estate", "Unit").objects.create(number="1")
        invoice = old.get_model("billing", "Invoice").objects.create(
            unit=unit, number="INV-1", period="2026-01-01",
            due_on="2026-01-10", subtotal=100000, total=100000, amount_paid=100000, status="paid",
        )  # fmt: skip
        attempt = old.get_model("payments", "PaymentAttempt").objects.create(
            invoice=invoice, amount=100000, reference_id="klustera-1", expires_at=paid
        )
        payment = old.get_model("payments", "Payment").objects.create(
            unit=unit, amount=100000, method="qris", receipt_number="KWT-1", paid_at=paid,
            attempt=attempt,
        )  # fmt: skip
        old.get_model("payments", "Allocation").objects.create(
            payment=payment, invoice=invoice, amount=100000
        )
        old.get_model("payments", "Refund").objects.create(
            unit=unit, amount=5000, method="cash", reason="lebih bayar", created_at=paid
        )

        new = complex_.forward(*AFTER)
        moved = new.get_model("billing", "Payment").objects.get()
        assert (moved.pk, moved.receipt_number, moved.amount) == (
            payment.pk,
            "KWT-1",
            Decimal(100000),
        )
        assert new.get_model("billing", "Allocation").objects.get().payment_id == payment.pk
        assert new.get_model("billing", "Refund").objects.get().amount == Decimal(5000)
        assert new.get_model("payments", "PaymentAttempt").objects.get().payment_id == payment.pk

"""Invoices: a unit's charges for a month, issued, numbered, announced and corrected.

Rounding: each line is quantity × price rounded to whole Rupiah (half up); tax
is the taxable subtotal × tax base % × tax rate %, rounded the same way, and
shown as its own line; the total is the sum of the lines.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal

import structlog
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.utils import timezone
from django.utils.translation import gettext as _

from klustera.accounts.models import User
from klustera.audit.services import record
from klustera.billing.documents import invoices_changed
from klustera.billing.models import (
    OPEN_STATUSES,
    BillingSettings,
    Invoice,
    InvoiceLine,
    OneOffCharge,
    Tariff,
)
from klustera.billing.numbering import next_numbers
from klustera.billing.selectors import tariffs_for
from klustera.billing.services.ledger import settle_unit, unallocate, units_with_credit
from klustera.billing.services.reminders import tell_billing_contact
from klustera.estate.models import Unit
from klustera.formatting import decimal_number
from klustera.tasks import enqueue
from klustera.tenancy.context import tenant_atomic

HUNDRED = Decimal(100)

events = structlog.get_logger("klustera.events")


def whole_rupiah(amount: Decimal) -> Decimal:
    return amount.quantize(Decimal(1), rounding=ROUND_HALF_UP)


PERIOD = re.compile(r"20[0-9]{2}-(0[1-9]|1[0-2])")


def read_month(value: str) -> date:
    """``2026-12`` → 1 Dec 2026, for the months of 2000 to 2099; else a ``ValidationError``."""
    written = str(value).strip()
    if not PERIOD.fullmatch(written):
        raise ValidationError({"period": [_("Write the month as YYYY-MM, e.g. 2026-12.")]})
    return date(int(written[:4]), int(written[5:]), 1)


def parse_period(value: str) -> date:
    """``2026-12`` → 1 Dec 2026; no period after next month (in the complex's time zone)."""
    period = read_month(value)
    today = timezone.localdate()
    next_month = date(today.year + today.month // 12, today.month % 12 + 1, 1)
    if period > next_month:
        raise ValidationError({"period": [_("Only months up to next month can be billed.")]})
    return period


@dataclass(frozen=True)
class Charge:
    description: str
    quantity: Decimal
    unit_price: Decimal
    taxable: bool

    @property
    def amount(self) -> Decimal:
        return whole_rupiah(self.quantity * self.unit_price)


def charges_for(unit: Unit, tariffs: list[Tariff]) -> list[Charge]:
    """One charge per tariff name; a tariff for the unit's type beats the general one."""
    chosen: dict[str, Tariff] = {}
    for tariff in tariffs:
        if tariff.unit_type and tariff.unit_type != unit.unit_type:
            continue
        current = chosen.get(tariff.charge)
        if current is None or (tariff.unit_type and not current.unit_type):
            chosen[tariff.charge] = tariff
    charges = []
    for tariff in sorted(chosen.values(), key=lambda t: t.charge):
        if tariff.basis == Tariff.Basis.FLAT:
            charges.append(Charge(tariff.charge, Decimal(1), tariff.rate, tariff.is_taxable))
            continue
        area = unit.land_area if tariff.basis == Tariff.Basis.LAND_AREA else unit.building_area
        if area is None:
            raise ValidationError(
                _("Unit %(unit)s has no %(basis)s for the tariff %(charge)s.")
                % {"unit": unit, "basis": tariff.get_basis_display(), "charge": tariff.charge}
            )
        label = f"{tariff.charge} ({decimal_number(area)} m² × Rp {decimal_number(tariff.rate)})"
        charges.append(Charge(label, area, tariff.rate, tariff.is_taxable))
    return charges


def _totals(charges: list[Charge], config: BillingSettings) -> tuple[Decimal, Decimal]:
    subtotal = sum((c.amount for c in charges), Decimal(0))
    taxable = sum((c.amount for c in charges if c.taxable), Decimal(0))
    tax = Decimal(0)
    if config.tax_enabled and taxable:
        tax = whole_rupiah(taxable * config.tax_base_percent / HUNDRED * config.tax_rate / HUNDRED)
    return subtotal, tax


def _lines(
    invoice: Invoice, charges: list[Charge], config: BillingSettings, now: datetime
) -> list[InvoiceLine]:
    """An invoice's lines: each charge, then the tax as a line of its own."""
    lines = [
        InvoiceLine(
            invoice=invoice,
            description=c.description,
            quantity=c.quantity,
            unit_price=c.unit_price,
            amount=c.amount,
            created_at=now,
        )
        for c in charges
    ]
    if invoice.tax:
        label = f"{config.tax_label} {config.tax_rate}% × {config.tax_base_percent}% DPP"
        lines.append(
            InvoiceLine(
                invoice=invoice,
                is_tax=True,
                unit_price=invoice.tax,
                amount=invoice.tax,
                description=label,
                created_at=now,
            )
        )
    return lines


def issue_invoices(
    *, bills: list[tuple[Unit, list[Charge]]], period: date, config: BillingSettings
) -> list[Invoice]:
    """Invoices for several units in one transaction, numbered in their order; all or none.

    Each unit's pending one-off charges of the month join its tariff charges;
    credit a unit holds pays its invoice at once. The PDFs and the billing
    contacts' messages are queued on the ``billing`` queue after commit.
    """
    with tenant_atomic():
        unit_ids = [unit.pk for unit, _charges in bills]
        # Locks the units so a one-off charge is either on its invoice or refused.
        list(Unit.objects.select_for_update().filter(pk__in=unit_ids).values_list("pk"))
        extras: dict[int, list[OneOffCharge]] = {}
        for extra in OneOffCharge.objects.filter(
            unit_id__in=unit_ids, period=period, invoice__isnull=True
        ):
            extras.setdefault(extra.unit_id, []).append(extra)
        numbers = next_numbers(
            kind="invoice", prefix=config.invoice_prefix, on=period, count=len(bills)
        )
        due_on = date(period.year, period.month, min(config.due_day, 28))
        now = timezone.now()
        invoices: list[Invoice] = []
        all_charges: list[list[Charge]] = []
        for (unit, tariff_charges), number in zip(bills, numbers, strict=True):
            charges = tariff_charges + [
                Charge(extra.description, Decimal(1), extra.amount, extra.is_taxable)
                for extra in extras.get(unit.pk, [])
            ]
            if not charges:
                raise ValidationError(
                    _("No tariff applies to this unit."), code="no_tariff_for_unit"
                )
            subtotal, tax = _totals(charges, config)
            invoices.append(
                Invoice(
                    unit=unit,
                    period=period,
                    number=number,
                    due_on=due_on,
                    subtotal=subtotal,
                    tax=tax,
                    total=subtotal + tax,
                    issued_at=now,
                )
            )
            all_charges.append(charges)
        Invoice.objects.bulk_create(invoices)
        InvoiceLine.objects.bulk_create(
            line
            for invoice, charges in zip(invoices, all_charges, strict=True)
            for line in _lines(invoice, charges, config, now)
        )
        by_unit = {invoice.unit_id: invoice for invoice in invoices}
        billed_extras = [extra for group in extras.values() for extra in group]
        for extra in billed_extras:
            extra.invoice = by_unit[extra.unit_id]
        OneOffCharge.objects.bulk_update(billed_extras, ["invoice"])
        for unit_id in units_with_credit(unit_ids):
            settle_unit(by_unit[unit_id].unit)
            by_unit[unit_id].refresh_from_db()
        ids = [invoice.pk for invoice in invoices]
        invoices_changed(ids)
        _announce_on_commit(ids)
        for invoice in invoices:
            events.info("invoice.issued", invoice=invoice.pk, total=str(invoice.total))
    return invoices


def _announce_on_commit(invoice_ids: list[int]) -> None:
    enqueue("klustera.billing.tasks.announce_invoices", invoice_ids)


def announce_invoices(invoice_ids: list[int]) -> int:
    """Tell billing contacts of newly issued invoices that still need paying."""
    with tenant_atomic():
        invoices = Invoice.objects.filter(pk__in=invoice_ids, status__in=OPEN_STATUSES)
        reach = tell_billing_contact(list(invoices.select_related("unit")), "invoice_issued")
    return reach.recipients


def issue_invoice(
    *, unit: Unit, period: date, charges: list[Charge], config: BillingSettings
) -> Invoice:
    """One unit's invoice (see :func:`issue_invoices`)."""
    return issue_invoices(bills=[(unit, charges)], period=period, config=config)[0]


def bill_unit(*, unit: Unit, period: date, actor: User) -> Invoice:
    """Issue one unit's invoice for a month by hand (a unit added late, a cancelled invoice)."""
    monthly = Invoice.objects.filter(unit=unit, period=period, kind=Invoice.Kind.MONTHLY)
    if monthly.exclude(status=Invoice.Status.CANCELLED).exists():
        raise ValidationError({"period": [_month_taken()]})
    try:
        invoice = issue_invoice(
            unit=unit,
            period=period,
            charges=charges_for(unit, tariffs_for(period)),
            config=BillingSettings.current(),
        )
    except IntegrityError:
        raise ValidationError({"period": [_month_taken()]}) from None
    record(actor=actor, action="invoice.issued", target=invoice, number=invoice.number)
    return invoice


def update_invoice(
    *, invoice: Invoice, actor: User, due_on: date | None = None, cancel_reason: str = ""
) -> Invoice:
    """Move an open invoice's due date, or cancel it with a reason; never deleted, audited.

    A paid or partly paid invoice cannot be cancelled: a refund or reversal is
    recorded instead.
    """
    with tenant_atomic():
        invoice = Invoice.objects.select_for_update().get(pk=invoice.pk)
        if invoice.status == Invoice.Status.CANCELLED:
            raise ValidationError(_("This invoice is cancelled."), code="invoice_cancelled")
        if cancel_reason:
            if invoice.status in (Invoice.Status.PAID, Invoice.Status.PARTIALLY_PAID):
                raise ValidationError(
                    _("A paid invoice cannot be cancelled; record a refund or reversal instead."),
                    code="invoice_already_paid",
                )
            invoice.status = Invoice.Status.CANCELLED
            invoice.cancelled_at = timezone.now()
            invoice.one_off_charges.update(invoice=None)  # billed again with the month
            invoice.cancel_reason = cancel_reason.strip()
            record(
                actor=actor,
                action="invoice.cancelled",
                target=invoice,
                number=invoice.number,
                reason=invoice.cancel_reason,
            )
        if due_on is not None and due_on != invoice.due_on:
            if due_on < invoice.period:
                raise ValidationError(
                    {"due_on": [_("The due date cannot be before the month billed.")]}
                )
            record(
                actor=actor,
                action="invoice.due_date_changed",
                target=invoice,
                previous=invoice.due_on.isoformat(),
                due_on=due_on.isoformat(),
            )
            invoice.due_on = due_on
        invoice.save(update_fields=["status", "cancelled_at", "cancel_reason", "due_on"])
        invoices_changed([invoice.pk])
    return invoice


def issue_charge(*, unit: Unit, charges: list[Charge], actor: User | None, due_on: date) -> Invoice:
    """An invoice of its own for ``charges`` owed now (a facility booking, a cancellation
    fee), numbered with the monthly bills; the unit's credit pays it at once if it can."""
    config = BillingSettings.current()
    today = timezone.localdate()
    with tenant_atomic():
        Unit.objects.select_for_update().filter(pk=unit.pk).first()
        subtotal, tax = _totals(charges, config)
        invoice = Invoice.objects.create(
            unit=unit,
            kind=Invoice.Kind.CHARGE,
            period=today.replace(day=1),
            number=next_numbers(kind="invoice", prefix=config.invoice_prefix, on=today)[0],
            due_on=due_on,
            subtotal=subtotal,
            tax=tax,
            total=subtotal + tax,
        )
        InvoiceLine.objects.bulk_create(_lines(invoice, charges, config, timezone.now()))
        settle_unit(unit)
        invoice.refresh_from_db()
        invoices_changed([invoice.pk])
        record(actor=actor, action="invoice.issued", target=invoice, number=invoice.number)
    return invoice


def release_invoice(*, invoice: Invoice, reason: str, actor: User | None) -> Invoice:
    """Cancel an invoice, paid or not (a booking declined or cancelled in time): what was
    paid on it is the unit's money again, and pays its open invoices or stays as credit."""
    with tenant_atomic():
        invoice = Invoice.objects.select_for_update().get(pk=invoice.pk)
        if invoice.status == Invoice.Status.CANCELLED:
            return invoice
        released = unallocate(invoice)
        invoice.status = Invoice.Status.CANCELLED
        invoice.cancelled_at = timezone.now()
        invoice.cancel_reason = reason.strip()[:300]
        invoice.save(update_fields=["status", "cancelled_at", "cancel_reason", "amount_paid"])
        settled = settle_unit(invoice.unit)
        invoices_changed([invoice.pk, *settled])
        record(
            actor=actor,
            action="invoice.released",
            target=invoice,
            number=invoice.number,
            released=str(released),
            reason=invoice.cancel_reason,
        )
    return invoice


def _month_taken() -> ValidationError:
    return ValidationError(
        _("This unit already has an invoice for this month."), code="invoice_exists_for_month"
    )

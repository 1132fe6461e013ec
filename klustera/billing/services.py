"""Billing runs: every unit's invoice for a month, exactly once, numbered without gaps.

Rounding: each line is quantity × price rounded to whole Rupiah (half up); tax
is the taxable subtotal × tax base % × tax rate %, rounded the same way, and
shown as its own line; the total is the sum of the lines.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import cast

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models
from django.utils import timezone
from django.utils.translation import gettext as _

from klustera.accounts.models import User
from klustera.audit.services import record
from klustera.billing.documents import invoices_changed
from klustera.billing.models import (
    OPEN_STATUSES,
    BillingRun,
    BillingSettings,
    Invoice,
    InvoiceLine,
    OneOffCharge,
    Tariff,
)
from klustera.billing.numbering import next_numbers
from klustera.errors import StateConflict
from klustera.estate.models import Unit
from klustera.estate.selectors import billing_contacts
from klustera.formatting import decimal_number
from klustera.notifications.services import Address, notify
from klustera.payments.services import settle_unit, units_with_credit
from klustera.tasks import enqueue
from klustera.tenancy.context import tenant_atomic
from klustera.tenancy.links import tenant_url

logger = logging.getLogger(__name__)
HUNDRED = Decimal(100)


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


def tariffs_for(period: date) -> list[Tariff]:
    return list(Tariff.objects.filter(effective_from__lte=period).exclude(effective_to__lt=period))


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
                raise ValidationError(_("No tariff applies to this unit."))
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
        tax_label = f"{config.tax_label} {config.tax_rate}% × {config.tax_base_percent}% DPP"
        lines: list[InvoiceLine] = []
        for invoice, charges in zip(invoices, all_charges, strict=True):
            lines.extend(
                InvoiceLine(
                    invoice=invoice,
                    description=c.description,
                    quantity=c.quantity,
                    unit_price=c.unit_price,
                    amount=c.amount,
                    created_at=now,
                )
                for c in charges
            )
            if invoice.tax:
                lines.append(
                    InvoiceLine(
                        invoice=invoice,
                        is_tax=True,
                        unit_price=invoice.tax,
                        amount=invoice.tax,
                        description=tax_label,
                        created_at=now,
                    )
                )
        InvoiceLine.objects.bulk_create(lines)
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
    return invoices


def _announce_on_commit(invoice_ids: list[int]) -> None:
    enqueue("klustera.billing.tasks.announce_invoices", invoice_ids)


def announce_invoices(invoice_ids: list[int]) -> int:
    """Tell billing contacts of newly issued invoices that still need paying."""
    with tenant_atomic():
        invoices = Invoice.objects.filter(pk__in=invoice_ids, status__in=OPEN_STATUSES)
        return tell_billing_contact(list(invoices.select_related("unit")), "invoice_issued")


def issue_invoice(
    *, unit: Unit, period: date, charges: list[Charge], config: BillingSettings
) -> Invoice:
    """One unit's invoice (see :func:`issue_invoices`)."""
    return issue_invoices(bills=[(unit, charges)], period=period, config=config)[0]


def bill_unit(*, unit: Unit, period: date, actor: User) -> Invoice:
    """Issue one unit's invoice for a month by hand (a unit added late, a cancelled invoice)."""
    if Invoice.objects.filter(unit=unit, period=period).exclude(status="cancelled").exists():
        raise ValidationError({"period": [_("This unit already has an invoice for this month.")]})
    try:
        invoice = issue_invoice(
            unit=unit,
            period=period,
            charges=charges_for(unit, tariffs_for(period)),
            config=BillingSettings.current(),
        )
    except IntegrityError:
        raise ValidationError(
            {"period": [_("This unit already has an invoice for this month.")]}
        ) from None
    record(actor=actor, action="invoice.issued", target=invoice, number=invoice.number)
    return invoice


BATCH = 250  # invoices per transaction in a run


def start_billing_run(*, period: date, actor: User) -> BillingRun:
    """A run recorded now and done on the billing queue; its progress shows on the run."""
    run = BillingRun.objects.create(period=period, started_by=actor)
    record(actor=actor, action="billing.run_started", target=run, period=f"{period:%Y-%m}")
    enqueue("klustera.billing.tasks.run_billing", run.pk)
    return run


def generate_invoices(
    *, period: date, actor: User | None = None, run: BillingRun | None = None
) -> BillingRun:
    """Bill every unit for ``period``; running again creates nothing new.

    Units are billed in batches, each batch one transaction. A unit that
    already has its invoice is skipped: the database's unique constraint
    decides, so two runs at once cannot both bill it (a batch that meets
    another run's invoice is retried unit by unit). A unit that cannot be
    billed is reported and the others go on.
    """
    config = BillingSettings.current()
    tariffs = tariffs_for(period)
    run = run or BillingRun.objects.create(period=period, started_by=actor)
    billed = set(
        Invoice.objects.filter(period=period)
        .exclude(status=Invoice.Status.CANCELLED)
        .values_list("unit_id", flat=True)
    )
    with_extras = set(
        OneOffCharge.objects.filter(period=period, invoice__isnull=True).values_list(
            "unit_id", flat=True
        )
    )
    bills: list[tuple[Unit, list[Charge]]] = []
    units = list(Unit.objects.order_by("block", "number"))
    run.units = len(units)
    for unit in units:
        if unit.pk in billed:
            run.skipped += 1
            continue
        try:
            charges = charges_for(unit, tariffs)
            if not charges and unit.pk not in with_extras:
                raise ValidationError(_("No tariff applies to this unit."))
        except ValidationError as exc:
            _report_failure(run, unit, exc)
        else:
            bills.append((unit, charges))
    run.save(update_fields=["units", "skipped", "failed", "failures"])  # progress starts here
    for start in range(0, len(bills), BATCH):
        batch = bills[start : start + BATCH]
        try:
            issue_invoices(bills=batch, period=period, config=config)
        except (IntegrityError, ValidationError):
            for unit, charges in batch:  # another run was here, or one unit is at fault
                try:
                    issue_invoice(unit=unit, period=period, charges=charges, config=config)
                except IntegrityError:
                    run.skipped += 1
                except ValidationError as exc:
                    _report_failure(run, unit, exc)
                else:
                    run.created += 1
        else:
            run.created += len(batch)
        run.save(update_fields=["units", "created", "skipped", "failed"])  # the progress so far
    run.finished_at = timezone.now()
    run.save()
    record(
        actor=actor,
        action="billing.run",
        target=run,
        period=f"{period:%Y-%m}",
        created=run.created,
        skipped=run.skipped,
        failed=run.failed,
    )
    return run


def _report_failure(run: BillingRun, unit: Unit, exc: ValidationError) -> None:
    run.failed += 1
    run.failures.append({"unit": str(unit), "error": " ".join(exc.messages)})


# --- Overdue and late fees -------------------------------------------------------


def late_fees_owed(*, due_on: date, grace_days: int, today: date) -> int:
    """How many monthly late fees an invoice owes by ``today``.

    The first falls due the day after the grace period ends, one more at each
    month after that.
    """
    start = due_on + timedelta(days=grace_days + 1)
    if today < start:
        return 0
    months = (today.year - start.year) * 12 + today.month - start.month
    if today.day < start.day:
        months -= 1
    return months + 1


def charge_late_fees(*, today: date | None = None) -> dict[str, int]:
    """Mark invoices overdue after their due date and grace days; add the late fees owed.

    Each fee is its own line, numbered by the month of lateness it covers, so
    a second run on the same day adds nothing; fees stop at the cap.
    """
    config = BillingSettings.current()
    today = today or timezone.localdate()
    counts = {"overdue": 0, "fees": 0}
    cutoff = today - timedelta(days=config.grace_days + 1)
    for invoice in Invoice.objects.filter(status__in=OPEN_STATUSES, due_on__lte=cutoff):
        owed = late_fees_owed(due_on=invoice.due_on, grace_days=config.grace_days, today=today)
        with tenant_atomic():
            locked = Invoice.objects.select_for_update().get(pk=invoice.pk)
            if locked.status == Invoice.Status.PENDING:
                locked.status = Invoice.Status.OVERDUE
                counts["overdue"] += 1
            added = _add_late_fees(locked, owed, config)
            counts["fees"] += added
            locked.save(update_fields=["status", "total"])
            if added:
                invoices_changed([locked.pk])
    return counts


def _add_late_fees(invoice: Invoice, owed: int, config: BillingSettings) -> int:
    if config.late_fee == BillingSettings.LateFee.NONE:
        return 0
    lines = list(invoice.lines.all())
    charged = {line.late_fee_number for line in lines if line.late_fee_number}
    so_far = sum((line.amount for line in lines if line.late_fee_number), Decimal(0))
    bill = invoice.subtotal + invoice.tax
    added = 0
    for number in range(1, owed + 1):
        if number in charged:
            continue
        if config.late_fee == BillingSettings.LateFee.FLAT:
            fee = whole_rupiah(config.late_fee_value)
        else:
            fee = whole_rupiah(bill * config.late_fee_value / HUNDRED)
        if config.late_fee_cap is not None:
            fee = min(fee, config.late_fee_cap - so_far)
        if fee <= 0:
            break
        InvoiceLine.objects.create(
            invoice=invoice,
            description=_("Late fee, month %(n)s") % {"n": number},
            unit_price=fee,
            amount=fee,
            late_fee_number=number,
            created_at=timezone.now(),
        )
        record(actor=None, action="invoice.late_fee", target=invoice, month=number, amount=str(fee))
        invoice.total += fee
        so_far += fee
        added += 1
    return added


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
            raise ValidationError(_("This invoice is cancelled."))
        if cancel_reason:
            if invoice.status in (Invoice.Status.PAID, Invoice.Status.PARTIALLY_PAID):
                raise ValidationError(
                    _("A paid invoice cannot be cancelled; record a refund or reversal instead.")
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


# --- Tariffs, one-off charges, settings -----------------------------------------

MAX_AMOUNT = Decimal("100000000")  # Rp 100 juta a month for one charge: more is a typing error


def check_amount(amount: Decimal, field: str = "amount") -> None:
    """Refuse negative, zero, fractional-Rupiah and absurd amounts."""
    if amount <= 0 or amount > MAX_AMOUNT:
        raise ValidationError({field: [_("Enter an amount between Rp 1 and Rp 100.000.000.")]})


def save_tariff(*, actor: User, tariff: Tariff | None = None, **fields: object) -> Tariff:
    """Create or change a tariff; two tariffs for the same charge and unit type never overlap."""
    tariff = tariff or Tariff()
    for name, value in fields.items():
        setattr(tariff, name, value)
    if tariff.rate < 0 or tariff.rate > MAX_AMOUNT:
        raise ValidationError({"rate": [_("Enter a rate between Rp 0 and Rp 100.000.000.")]})
    if tariff.effective_to is not None and tariff.effective_to < tariff.effective_from:
        raise ValidationError({"effective_to": [_("A tariff cannot end before it starts.")]})
    with tenant_atomic():
        overlapping = (
            Tariff.objects.select_for_update()
            .filter(charge__iexact=tariff.charge, unit_type=tariff.unit_type)
            .exclude(pk=tariff.pk)
            .exclude(effective_to__lt=tariff.effective_from)
        )
        if tariff.effective_to is not None:
            overlapping = overlapping.exclude(effective_from__gt=tariff.effective_to)
        clash = overlapping.first()
        if clash is not None:
            raise StateConflict(
                {
                    "effective_from": [
                        _(
                            "It overlaps the tariff %(charge)s from %(start)s; end that one "
                            "first (set its last month)."
                        )
                        % {"charge": clash.charge, "start": f"{clash.effective_from:%Y-%m}"}
                    ]
                },
                code="tariff_overlaps",
            )
        created = tariff.pk is None
        tariff.save()
        record(
            actor=actor,
            action="tariff.created" if created else "tariff.changed",
            target=tariff,
            charge=tariff.charge,
            basis=tariff.basis,
            rate=str(tariff.rate),
            unit_type=tariff.unit_type,
            effective_from=f"{tariff.effective_from:%Y-%m}",
            effective_to=f"{tariff.effective_to:%Y-%m}" if tariff.effective_to else None,
        )
    return tariff


def add_one_off_charges(
    *,
    units: list[Unit],
    period: date,
    description: str,
    amount: Decimal,
    is_taxable: bool = False,
    actor: User,
) -> list[OneOffCharge]:
    """Charge the chosen units once, on their invoice for ``period``; all of them or none.

    A unit already billed for that month is refused (choose the next month).
    """
    check_amount(amount)
    if amount != amount.to_integral_value():
        raise ValidationError({"amount": [_("Enter a whole amount of Rupiah.")]})
    if not units:
        raise ValidationError({"units": [_("Choose at least one unit.")]})
    with tenant_atomic():
        billed = (
            Invoice.objects.filter(unit__in=units, period=period)
            .exclude(status=Invoice.Status.CANCELLED)
            .select_related("unit")
        )
        if billed:
            raise ValidationError(
                {
                    "units": [
                        _("Already billed for %(period)s: %(units)s. Choose the next month.")
                        % {
                            "period": f"{period:%Y-%m}",
                            "units": ", ".join(sorted(str(i.unit) for i in billed)),
                        }
                    ]
                }
            )
        charges = OneOffCharge.objects.bulk_create(
            OneOffCharge(
                unit=unit,
                period=period,
                description=description.strip(),
                amount=amount,
                is_taxable=is_taxable,
                created_by=actor,
            )
            for unit in units
        )
        record(
            actor=actor,
            action="billing.one_off_charge",
            description=description,
            amount=str(amount),
            period=f"{period:%Y-%m}",
            units=[str(unit) for unit in units],
        )
    return charges


SETTINGS_FIELDS = (
    "invoice_prefix",
    "due_day",
    "tax_enabled",
    "tax_label",
    "tax_rate",
    "tax_base_percent",
    "grace_days",
    "late_fee",
    "late_fee_value",
    "late_fee_cap",
    "run_day",
    "remind_days_before",
    "remind_days_after",
    "payment_instructions",
    "logo",
)


def update_billing_settings(*, changes: dict[str, object], actor: User) -> BillingSettings:
    """Change how the complex bills; audited with the old and new values."""
    with tenant_atomic():
        config = BillingSettings.objects.select_for_update().get_or_create(pk=1)[0]
        before = {name: str(getattr(config, name)) for name in changes}
        for name, value in changes.items():
            setattr(config, name, value)
        for name in changes:  # the model's own rules (the prefix's characters, choices …)
            try:
                field = cast(models.Field, BillingSettings._meta.get_field(name))
                setattr(config, name, field.clean(getattr(config, name), config))
            except ValidationError as exc:
                raise ValidationError({name: exc.messages}) from exc
        if config.late_fee == BillingSettings.LateFee.PERCENT and config.late_fee_value > HUNDRED:
            raise ValidationError(
                {"late_fee_value": [_("A percentage late fee cannot exceed 100%.")]}
            )
        config.save()
        record(
            actor=actor,
            action="billing.settings_changed",
            target=config,
            changes={
                name: [before[name], str(getattr(config, name))]
                for name in changes
                if before[name] != str(getattr(config, name))
            },
        )
    return config


# --- Reminders and the daily work -------------------------------------------------


def tell_billing_contact(invoices: list[Invoice], template: str) -> int:
    """Send ``template`` about each invoice to its unit's billing contact; returns how many."""
    contacts = billing_contacts([invoice.unit_id for invoice in invoices])
    sent = 0
    for invoice in invoices:
        resident = contacts.get(invoice.unit_id)
        if resident is None:
            continue
        recipient: User | Address = resident.user or Address(
            name=resident.name, phone=resident.phone, email=resident.email
        )
        notify(
            recipient=recipient,
            template=template,
            context={
                "name": resident.name,
                "unit": str(invoice.unit),
                "period": f"{invoice.period:%m/%Y}",
                "amount": invoice.balance_due,
                "due_date": invoice.due_on,
                "link": tenant_url("invoice-page", pk=invoice.pk),
            },
        )
        sent += 1
    return sent


def remind_invoice(*, invoice: Invoice, actor: User) -> int:
    """A manager reminds the unit's billing contact of an open invoice now (audited)."""
    if invoice.status not in OPEN_STATUSES:
        raise ValidationError(_("Only an open invoice can be reminded of."))
    template = "payment_overdue" if invoice.status == Invoice.Status.OVERDUE else "payment_reminder"
    with tenant_atomic():
        sent = tell_billing_contact([invoice], template)
        if not sent:
            raise ValidationError(_("This unit has no billing contact to remind."))
        record(actor=actor, action="invoice.reminded", target=invoice)
    return sent


def send_reminders(*, today: date) -> dict[str, int]:
    """Remind billing contacts N days before the due date and N days after it (settings)."""
    config = BillingSettings.current()
    counts = {"before": 0, "after": 0}
    open_invoices = Invoice.objects.filter(status__in=OPEN_STATUSES).select_related("unit")
    if config.remind_days_before:
        due = open_invoices.filter(due_on=today + timedelta(days=config.remind_days_before))
        counts["before"] = tell_billing_contact(list(due), "payment_reminder")
    if config.remind_days_after:
        late = open_invoices.filter(due_on=today - timedelta(days=config.remind_days_after))
        counts["after"] = tell_billing_contact(list(late), "payment_overdue")
    return counts


def scheduled_period(*, today: date, config: BillingSettings) -> date | None:
    """The month the scheduled run bills today, or None when no run is due.

    From the run day on, the month whose due date comes next (this month while
    its due day is ahead, otherwise next month), once: a month that already
    had a run is never billed again by the schedule.
    """
    if config.run_day is None or today.day < config.run_day:
        return None
    if today.day <= config.due_day:
        period = today.replace(day=1)
    else:
        period = (today.replace(day=1) + timedelta(days=32)).replace(day=1)
    if BillingRun.objects.filter(period=period).exists():
        return None
    return period


def run_daily(*, today: date | None = None) -> dict[str, object]:
    """The complex's daily billing work: the scheduled run, late fees, reminders."""
    today = today or timezone.localdate()
    config = BillingSettings.current()
    period = scheduled_period(today=today, config=config)
    run = generate_invoices(period=period) if period else None
    return {
        "run": run.created if run else None,
        **charge_late_fees(today=today),
        **send_reminders(today=today),
    }

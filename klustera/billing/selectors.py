"""Reads of invoices and the ledger, scoped to what a user may see."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import DecimalField, F, OuterRef, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404
from django.utils import timezone

from klustera.billing.models import OPEN_STATUSES, Invoice, Payment, Refund, Reversal, Tariff
from klustera.estate.models import Unit
from klustera.estate.selectors import of_residents_units
from klustera.roles import is_manager

ZERO = Decimal(0)


def invoices_visible_to(user: Any) -> QuerySet[Invoice]:
    """Managers see every invoice; a resident sees the invoices of units they live in now
    (without their lines: those that show them prefetch them)."""
    invoices = Invoice.objects.select_related("unit")
    if is_manager(user):
        return invoices
    return of_residents_units(invoices, user)


def payments_visible_to(user: Any) -> QuerySet[Payment]:
    """Managers see every payment; a resident sees those of the units they live in now."""
    payments = Payment.objects.select_related("unit").prefetch_related("allocations__invoice")
    if is_manager(user):
        return payments
    return of_residents_units(payments, user)


def access_invoice(user: Any, pk: Any) -> Invoice:
    """The invoice ``pk`` if ``user`` may see it: fetched, scoped and checked in one call (404)."""
    return get_object_or_404(invoices_visible_to(user).prefetch_related("lines"), pk=pk)


def access_payment(user: Any, pk: Any) -> Payment:
    """The payment ``pk`` if ``user`` may see it: fetched, scoped and checked in one call (404)."""
    return get_object_or_404(payments_visible_to(user), pk=pk)


def amount_owed() -> Coalesce:
    """An annotation for units: what each owes on its open invoices (0 when nothing)."""
    owed = (
        Invoice.objects.filter(unit=OuterRef("pk"), status__in=OPEN_STATUSES)
        .values("unit")
        .annotate(owed=Sum(F("total") - F("amount_paid")))
        .values("owed")
    )
    return Coalesce(Subquery(owed), Value(0), output_field=DecimalField())


def filter_invoices(invoices: QuerySet[Invoice], filters: dict[str, Any]) -> QuerySet[Invoice]:
    """Checked filters: ``period`` (a month's first day), ``status``, ``unit`` (id), ``block``."""
    lookups = {"period": "period", "status": "status", "unit": "unit_id", "block": "unit__block"}
    return invoices.filter(**{lookups[name]: value for name, value in filters.items()})


@dataclass(frozen=True)
class StatementEntry:
    at: datetime
    kind: str  # invoice, late_fee, payment, reversal (of a payment), refund (of credit)
    reference: str
    description: str
    debit: Decimal
    credit: Decimal
    balance: Decimal  # after this entry; above zero: owed, below zero: credit


@dataclass(frozen=True)
class Statement:
    unit: Unit
    start: date | None
    end: date | None
    opening_balance: Decimal
    entries: list[StatementEntry]
    closing_balance: Decimal


def statement(unit: Unit, *, start: date | None = None, end: date | None = None) -> Statement:
    """The unit's account between two dates (in the complex's zone), with running balances.

    Invoices count from their issue (late fees from the day they were added),
    payments from when they were paid, reversals and refunds from when they
    were made; cancelled invoices never count.
    """
    events: list[tuple[datetime, str, str, str, Decimal, Decimal]] = []
    invoices = (
        Invoice.objects.filter(unit=unit)
        .exclude(status=Invoice.Status.CANCELLED)
        .prefetch_related("lines")
    )
    for invoice in invoices:
        fees = [line for line in invoice.lines.all() if line.late_fee_number]
        billed = invoice.total - sum((fee.amount for fee in fees), Decimal(0))
        events.append(
            (invoice.issued_at, "invoice", invoice.number, f"{invoice.period:%Y-%m}", billed, ZERO)
        )
        events.extend(
            (fee.created_at, "late_fee", invoice.number, fee.description, fee.amount, ZERO)
            for fee in fees
        )
    for payment in Payment.objects.filter(unit=unit):
        events.append(
            (
                payment.paid_at,
                "payment",
                payment.receipt_number,
                payment.get_method_display(),
                ZERO,
                payment.amount,
            )
        )
    for reversal in Reversal.objects.filter(payment__unit=unit).select_related("payment"):
        events.append(
            (
                reversal.created_at,
                "reversal",
                reversal.payment.receipt_number,
                reversal.reason,
                reversal.payment.amount,
                ZERO,
            )
        )
    for refund in Refund.objects.filter(unit=unit):
        events.append(
            (refund.created_at, "refund", refund.reference, refund.reason, refund.amount, ZERO)
        )
    events.sort(key=lambda event: (event[0], event[1] != "invoice"))
    opening = ZERO
    balance = ZERO
    entries: list[StatementEntry] = []
    for at, kind, reference, description, debit, credit in events:
        day = timezone.localdate(at)
        if end is not None and day > end:
            break
        balance += debit - credit
        if start is not None and day < start:
            opening = balance
            continue
        entries.append(StatementEntry(at, kind, reference, description, debit, credit, balance))
    return Statement(unit, start, end, opening, entries, balance)


def tariffs_for(period: date) -> list[Tariff]:
    """The tariffs that apply to the month ``period``."""
    return list(Tariff.objects.filter(effective_from__lte=period).exclude(effective_to__lt=period))


def next_unbilled_month(today: date) -> date:
    """This month, or the first month after it that has no invoices yet."""
    month = today.replace(day=1)
    billed = set(
        Invoice.objects.filter(period__gte=month, kind=Invoice.Kind.MONTHLY)
        .exclude(status=Invoice.Status.CANCELLED)
        .values_list("period", flat=True)
    )
    while month in billed:
        month = (month + timedelta(days=31)).replace(day=1)
    return month


@dataclass(frozen=True)
class RunPreview:
    """What a billing run of ``period`` would do, shown before it starts."""

    period: date
    to_bill: int  # units without an invoice for the month
    already_billed: int
    tariffs: list[Tariff]


def preview_run(period: date) -> RunPreview:
    billed = (
        Invoice.objects.filter(period=period, kind=Invoice.Kind.MONTHLY)
        .exclude(status=Invoice.Status.CANCELLED)
        .values("unit_id")
        .distinct()
        .count()
    )
    return RunPreview(period, Unit.objects.count() - billed, billed, tariffs_for(period))


def overdue_invoices() -> list[Invoice]:
    """The overdue invoices, by unit, with their units."""
    return list(
        Invoice.objects.filter(status=Invoice.Status.OVERDUE)
        .select_related("unit")
        .order_by("unit__block", "unit__number", "period")
    )

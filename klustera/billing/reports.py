"""Financial reports: arrears aging, income by channel, collection by block, the payments
journal and late fees. Each is a table (shown, and exported as CSV, XLSX and for the aging
also PDF) with the figures its chart draws.

Money stays ``Decimal`` from the database to the file; the chart gets it as text.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from klustera.billing.models import OPEN_STATUSES, Invoice, InvoiceLine, Payment
from klustera.formatting import percent

ZERO = Decimal(0)
AGES = ((0, 30), (31, 60), (61, 90), (91, None))  # days past the due date


@dataclass
class Report:
    name: str
    title: str
    columns: list[str]
    rows: list[list[Any]]
    money: set[int] = field(default_factory=set)  # indexes of the Rupiah columns
    totals: list[Any] | None = None
    chart: dict[str, Any] | None = None  # labels and datasets for Chart.js

    def table(self) -> list[list[Any]]:
        """The heading, the rows and the totals, as a file holds them."""
        return [self.columns, *self.rows, *([self.totals] if self.totals else [])]

    @property
    def cells(self) -> list[list[Cell]]:
        """The rows as a page shows them: each value with its column, Rupiah or not."""
        return [self._cells(row) for row in self.rows]

    @property
    def total_cells(self) -> list[Cell]:
        return self._cells(self.totals) if self.totals else []

    def _cells(self, row: list[Any]) -> list[Cell]:
        return [
            (column, value, index in self.money)
            for index, (column, value) in enumerate(zip(self.columns, row, strict=True))
        ]


Cell = tuple[str, Any, bool]  # column, value, whether it is Rupiah


TITLES = {
    "aging": gettext_lazy("Arrears aging"),
    "income": gettext_lazy("Income by month and channel"),
    "collection": gettext_lazy("Collection by block"),
    "journal": gettext_lazy("Payments journal"),
    "late-fees": gettext_lazy("Late fees"),
}


def _series(labels: list[str], datasets: dict[str, list[Decimal]]) -> dict[str, Any]:
    return {
        "labels": labels,
        "datasets": [
            {"label": name, "data": [str(value) for value in values]}
            for name, values in datasets.items()
        ],
    }


def aging(today: date | None = None) -> Report:
    """What each unit owes, by how long it is past due (open invoices only)."""
    today = today or timezone.localdate()
    buckets = [f"{low}–{high}" if high else f"{low - 1}+" for low, high in AGES]
    per_unit: dict[str, list[Decimal]] = defaultdict(lambda: [ZERO] * (len(AGES) + 1))
    blocks: dict[str, str] = {}
    invoices = Invoice.objects.filter(status__in=OPEN_STATUSES).select_related("unit")
    for invoice in invoices:
        owed = invoice.balance_due
        if owed <= 0:
            continue
        label = str(invoice.unit)
        blocks[label] = invoice.unit.block
        days = (today - invoice.due_on).days
        slot = (
            0
            if days < 0
            else 1 + next(i for i, (_low, high) in enumerate(AGES) if not high or days <= high)
        )
        per_unit[label][slot] += owed
    rows: list[list[Any]] = [
        [blocks[label], label, *amounts, sum(amounts, ZERO)]
        for label, amounts in sorted(per_unit.items())
    ]
    width = len(AGES) + 2
    totals = [_("Total"), "", *(sum((row[i] for row in rows), ZERO) for i in range(2, 2 + width))]
    by_block: dict[str, list[Decimal]] = defaultdict(lambda: [ZERO] * len(AGES))
    for row in rows:
        for i in range(len(AGES)):
            by_block[row[0]][i] += row[3 + i]
    names = sorted(by_block)
    return Report(
        name="aging",
        title=str(TITLES["aging"]),
        columns=[_("Block"), _("Unit"), _("Not yet due"), *buckets, _("Total")],
        rows=rows,
        money=set(range(2, 2 + width)),
        totals=totals,
        chart=_series(
            names,
            {
                _("%(days)s days") % {"days": bucket}: [by_block[b][i] for b in names]
                for i, bucket in enumerate(buckets)
            },
        ),
    )


def income(months: int = 12, today: date | None = None) -> Report:
    """Money received per month, by channel (reversed payments left out)."""
    today = today or timezone.localdate()
    start = (today.replace(day=1) - timedelta(days=31 * (months - 1))).replace(day=1)
    rows_by_month: dict[date, dict[str, Decimal]] = defaultdict(lambda: defaultdict(lambda: ZERO))
    payments = Payment.objects.filter(reversal__isnull=True, paid_at__date__gte=start)
    channels: set[str] = set()
    for payment in payments:
        name = payment.method_label
        channels.add(name)
        rows_by_month[timezone.localtime(payment.paid_at).date().replace(day=1)][name] += (
            payment.amount
        )
    order = sorted(channels)
    months_seen = sorted(rows_by_month)
    rows: list[list[Any]] = [
        [
            f"{month:%Y-%m}",
            *(rows_by_month[month][c] for c in order),
            sum(rows_by_month[month].values(), ZERO),
        ]
        for month in months_seen
    ]
    totals = [_("Total"), *(sum((row[i] for row in rows), ZERO) for i in range(1, len(order) + 2))]
    return Report(
        name="income",
        title=str(TITLES["income"]),
        columns=[_("Month"), *order, _("Total")],
        rows=rows,
        money=set(range(1, len(order) + 2)),
        totals=totals if rows else None,
        chart=_series(
            [f"{m:%Y-%m}" for m in months_seen],
            {c: [rows_by_month[m][c] for m in months_seen] for c in order},
        ),
    )


def collection(period: date) -> Report:
    """Billed and paid per block for one billed month, and the share collected."""
    figures = (
        Invoice.objects.exclude(status=Invoice.Status.CANCELLED)
        .filter(period=period)
        .values("unit__block")
        .annotate(billed=Sum("total"), paid=Sum("amount_paid"))
        .order_by("unit__block")
    )
    rows: list[list[Any]] = [
        [row["unit__block"], row["billed"], row["paid"], f"{percent(row['paid'], row['billed'])}%"]
        for row in figures
    ]
    billed = sum((row[1] for row in rows), ZERO)
    paid = sum((row[2] for row in rows), ZERO)
    return Report(
        name="collection",
        title=f"{TITLES['collection']} · {period:%Y-%m}",
        columns=[_("Block"), _("Billed"), pgettext("amount", "Paid"), _("Collected")],
        rows=rows,
        money={1, 2},
        totals=[_("Total"), billed, paid, f"{percent(paid, billed)}%"] if rows else None,
        chart=_series(
            [row[0] for row in rows],
            {
                _("Billed"): [row[1] for row in rows],
                pgettext("amount", "Paid"): [row[2] for row in rows],
            },
        ),
    )


def journal(start: date, end: date) -> Report:
    """Every payment between two days, reversed ones marked."""
    payments = (
        Payment.objects.filter(paid_at__date__gte=start, paid_at__date__lte=end)
        .select_related("unit", "reversal")
        .order_by("paid_at", "pk")
    )
    rows: list[list[Any]] = [
        [
            f"{timezone.localtime(p.paid_at):%Y-%m-%d}",
            p.receipt_number,
            str(p.unit),
            p.method_label,
            p.reference,
            _("reversed") if hasattr(p, "reversal") else "",
            p.amount,
        ]
        for p in payments
    ]
    kept = sum((row[6] for row in rows if not row[5]), ZERO)
    return Report(
        name="journal",
        title=f"{TITLES['journal']} · {start:%Y-%m-%d} – {end:%Y-%m-%d}",
        columns=[
            _("Date"),
            _("Receipt"),
            _("Unit"),
            _("Method"),
            _("Reference"),
            _("Status"),
            _("Amount"),
        ],
        rows=rows,
        money={6},
        totals=[_("Total (not reversed)"), "", "", "", "", "", kept] if rows else None,
    )


def late_fees(start: date, end: date) -> Report:
    """Late fees charged between two days."""
    lines = (
        InvoiceLine.objects.filter(
            late_fee_number__isnull=False,
            created_at__date__gte=start,
            created_at__date__lte=end,
        )
        .select_related("invoice__unit")
        .order_by("created_at", "pk")
    )
    rows: list[list[Any]] = [
        [
            f"{timezone.localtime(line.created_at):%Y-%m-%d}",
            str(line.invoice.unit),
            line.invoice.number,
            line.description,
            line.amount,
        ]
        for line in lines
    ]
    return Report(
        name="late-fees",
        title=f"{TITLES['late-fees']} · {start:%Y-%m-%d} – {end:%Y-%m-%d}",
        columns=[_("Date"), _("Unit"), _("Invoice"), _("Description"), _("Amount")],
        rows=rows,
        money={4},
        totals=[_("Total"), "", "", "", sum((row[4] for row in rows), ZERO)] if rows else None,
    )


def build(name: str, filters: dict[str, Any]) -> Report:
    """The report ``name`` for the checked ``filters`` (``period``; ``start`` and ``end``)."""
    today = timezone.localdate()
    start = filters.get("start") or today.replace(day=1)
    end = filters.get("end") or today
    if name == "aging":
        return aging(today)
    if name == "income":
        return income(today=today)
    if name == "collection":
        return collection(filters.get("period") or today.replace(day=1))
    if name == "journal":
        return journal(start, end)
    if name == "late-fees":
        return late_fees(start, end)
    raise KeyError(name)

"""The figures of the consoles' home pages."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import router
from django.db.models import Count, Model, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from klustera.access.models import AccessLog, WalkIn
from klustera.accounts.models import User
from klustera.billing.models import OPEN_STATUSES, BillingSettings, Invoice, Payment, Tariff
from klustera.estate.models import Invitation, Occupancy, Resident, Unit
from klustera.formatting import percent
from klustera.notifications.models import Consent, NotificationSettings, PushSubscription
from klustera.notifications.selectors import opted_in_to_whatsapp, with_push
from klustera.payments.models import XenditAccount
from klustera.timestamps import changes_stamp

ZERO = Decimal(0)


@dataclass(frozen=True)
class MonthFigures:
    period: date
    billed: Decimal
    paid: Decimal

    @property
    def rate(self) -> int:
        """The share of the month's bills paid so far, in whole percent."""
        return percent(self.paid, self.billed)


# What the dashboard's cached figures are read from: money (bills, payments) and who the
# complex's messages reach (residents, their homes, accounts, opt-ins, push subscriptions).
FIGURES_READ_FROM: tuple[type[Model], ...] = (
    Invoice, Payment, Resident, Occupancy, User, Consent, PushSubscription,
)  # fmt: skip


def figures_stamp() -> str:
    """Changes with every write to what the figures are read from (one query), read where
    they are read (the replica, on the dashboard, when one serves)."""
    return changes_stamp(FIGURES_READ_FROM, using=router.db_for_read(Invoice))


def collection(months: int = 6, *, today: date | None = None) -> list[MonthFigures]:
    """Billed and paid per billed month, oldest first, cancelled invoices left out."""
    today = today or timezone.localdate()
    first = date(today.year, today.month, 1)
    start_index = first.year * 12 + first.month - 1 - (months - 1)
    start = date(start_index // 12, start_index % 12 + 1, 1)
    rows = (
        Invoice.objects.exclude(status=Invoice.Status.CANCELLED)
        .filter(period__gte=start, period__lte=first)
        .values("period")
        .annotate(billed=Sum("total"), paid=Sum("amount_paid"))
    )
    found = {row["period"]: row for row in rows}
    figures = []
    for n in range(months):
        index = start_index + n
        period = date(index // 12, index % 12 + 1, 1)
        row: Any = found.get(period, {})
        figures.append(MonthFigures(period, row.get("billed") or ZERO, row.get("paid") or ZERO))
    return figures


def overdue_units(limit: int = 10) -> list[dict[str, Any]]:
    """Units with overdue invoices, the most owed first."""
    rows = (
        Invoice.objects.filter(status=Invoice.Status.OVERDUE)
        .values("unit_id", "unit__block", "unit__number")
        .annotate(invoices=Count("id"), owed=Sum("total") - Sum("amount_paid"))
        .order_by("-owed")[:limit]
    )
    return [{"unit": f"{row['unit__block']}-{row['unit__number']}", **row} for row in rows]


def recent_payments(limit: int = 8) -> QuerySet[Payment]:
    return Payment.objects.select_related("unit").order_by("-paid_at")[:limit]


def gate_today() -> dict[str, int]:
    """Today's checks at the gate (in the complex's time zone) and who waits."""
    today = timezone.localdate()
    counts = AccessLog.objects.filter(at__date=today).aggregate(
        entries=Count("id", filter=Q(result=AccessLog.Result.VALID) & ~Q(kind="exit")),
        refused=Count("id", filter=~Q(result=AccessLog.Result.VALID)),
    )
    waiting = WalkIn.objects.filter(status=WalkIn.Status.WAITING).count()
    return {"entries": counts["entries"], "refused": counts["refused"], "walk_ins": waiting}


def open_invoices(invoices: QuerySet[Invoice]) -> QuerySet[Invoice]:
    return invoices.filter(status__in=OPEN_STATUSES).order_by("due_on")


@dataclass(frozen=True)
class Reachability:
    contacts: int  # the units' billing contacts, who receive the bills
    unreachable: list[tuple[str, int]]  # why a contact cannot be messaged, how many

    @property
    def reachable(self) -> int:
        return self.contacts - sum(count for _reason, count in self.unreachable)


def reachability() -> Reachability:
    """How many billing contacts the complex's messages can reach, and why not the others.

    A contact is reached by email if they have one, by WhatsApp only with a recorded
    opt-in, by push only from a browser that subscribed; without an account only email.
    """
    contacts = list(
        Resident.objects.filter(
            occupancies__is_billing_contact=True, occupancies__end_on__isnull=True
        )
        .select_related("user")
        .distinct()
    )
    ids = [resident.user_id for resident in contacts if resident.user_id]
    whatsapp, push = opted_in_to_whatsapp(ids), with_push(ids)
    unreachable: Counter[str] = Counter()
    for resident in contacts:
        user = resident.user
        if (user.email if user else resident.email) or resident.user_id in whatsapp | push:
            continue
        if user is None:
            unreachable[_("no account in the portal and no email")] += 1
        else:
            unreachable[_("no WhatsApp opt-in and no email")] += 1
    return Reachability(len(contacts), unreachable.most_common())


@dataclass(frozen=True)
class SetupStep:
    label: str
    done: bool
    page: str  # the URL name of the page that does it


def setup_steps() -> list[SetupStep]:
    """A new complex's first steps, each done in the portal, each seen as done."""
    config = BillingSettings.current()
    xendit = XenditAccount.objects.filter(pk=1).first()
    messages = NotificationSettings.objects.filter(pk=1).first()
    console = NotificationSettings.WhatsAppProvider.CONSOLE
    return [
        SetupStep(
            _("Complex profile: address and logo"),
            bool(config.address and config.logo),
            "billing-settings-page",
        ),
        SetupStep(
            _("Connect Xendit for online payments"),
            bool(xendit and xendit.secret_key),
            "xendit-settings-page",
        ),
        SetupStep(
            _("Connect WhatsApp"),
            bool(messages and messages.whatsapp_provider != console),
            "notifications-settings",
        ),
        SetupStep(_("Set the tariffs"), Tariff.objects.exists(), "tariffs-page"),
        SetupStep(_("Import the units and residents"), Unit.objects.exists(), "units-import-page"),
        SetupStep(
            _("Invite the residents"),
            Invitation.objects.exists() or Resident.objects.filter(user__isnull=False).exists(),
            "invitations-page",
        ),
    ]

"""Booking a facility: every rule checked, then the time taken, never twice.

Of two people booking the same time at once, one gets it and the other a 409 with the
next free times. The database decides: a transaction-level lock per facility (PostgreSQL's
advisory lock; SQLite lets one transaction write at a time, begun ``IMMEDIATE``) around the
check and the insert, and on PostgreSQL an exclusion constraint that no two exclusive
bookings of one facility overlap, whatever the code does.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import QuerySet, Sum
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from klustera.accounts.models import User
from klustera.accounts.selectors import active_managers
from klustera.audit.services import record
from klustera.billing.models import OPEN_STATUSES, Invoice, Payment
from klustera.billing.services import Charge, add_one_off_charges, issue_charge, release_invoice
from klustera.errors import StateConflict
from klustera.estate.models import Occupancy, Unit
from klustera.estate.selectors import units_visible_to
from klustera.facilities.models import (
    HOLDING,
    ZERO,
    Booking,
    Closure,
    Facility,
    FacilityPhoto,
    Holiday,
    OpeningHours,
)
from klustera.facilities.rules import on_the_grid, opening, price, slots, window_for
from klustera.notifications.services import notify
from klustera.roles import is_manager
from klustera.tenancy.context import (
    current_alias,
    current_tenant,
    one_writer_at_a_time,
    tenant_atomic,
)
from klustera.tenancy.links import tenant_url
from klustera.uploads import clean_photos

B = Booking.Status
HOLD = timedelta(minutes=30)  # a booking waiting for its payment keeps its time this long
REMIND = timedelta(hours=24)  # residents are reminded of a booking this long before it
AUTO_CLOSE = timedelta(days=2)  # a booking nobody closed is closed this long after its end
FEE_DUE = timedelta(days=14)  # a late cancellation fee not paid from credit is due then
ONE = Decimal(1)


def _zone() -> ZoneInfo:
    tenant = current_tenant()
    return ZoneInfo(tenant.time_zone if tenant else "Asia/Jakarta")


def _hours(facility: Facility) -> dict[int, Any]:
    return {row.weekday: (row.opens, row.closes) for row in facility.hours.all()}


def _refuse(field: str, message: str, code: str) -> ValidationError:
    return ValidationError({field: [ValidationError(message, code=code)]})


def check_booking(
    *,
    facility: Facility,
    unit: Unit,
    actor: User,
    start: datetime,
    end: datetime,
    party_size: int,
    now: datetime,
) -> None:
    """Every rule of the facility a booking must keep, in the complex's time zone; the first
    broken one is a 422 naming it (its code says which)."""
    zone = _zone()
    if end <= start:
        raise _refuse("end", _("The end must be after the start."), "booking_ends_first")
    if not facility.is_active:
        raise _refuse("facility", _("This facility is not booked any more."), "facility_closed")
    if not units_visible_to(actor).filter(pk=unit.pk).exists():
        raise _refuse("unit", _("Book for a unit you live in."), "not_your_unit")
    if facility.eligibility == Facility.Eligibility.OWNERS and not is_manager(actor):
        owns = Occupancy.objects.filter(
            unit=unit, resident__user=actor, role=Occupancy.Role.OWNER, end_on__isnull=True
        )
        if not owns.exists():
            raise _refuse("unit", _("Only owners book this facility."), "owners_only")
    if start < now + timedelta(hours=facility.lead_min_hours):
        raise _refuse(
            "start",
            _("Book at least %(n)s hours ahead.") % {"n": facility.lead_min_hours},
            "too_soon",
        )
    if start > now + timedelta(days=facility.lead_max_days):
        raise _refuse(
            "start",
            _("Book at most %(n)s days ahead.") % {"n": facility.lead_max_days},
            "too_far_ahead",
        )
    window = window_for(_hours(facility), start, end, zone)
    if window is None:
        raise _refuse("start", _("The facility is not open all that time."), "outside_hours")
    minutes = int((end - start).total_seconds() // 60)
    if facility.mode == Facility.Mode.SLOTS:
        if minutes != facility.slot_minutes or not on_the_grid(window, start, minutes):
            raise _refuse(
                "start",
                _("Book one of its %(n)s-minute slots.") % {"n": facility.slot_minutes},
                "not_a_slot",
            )
    elif not facility.min_minutes <= minutes <= facility.max_minutes:
        raise _refuse(
            "end",
            _("A booking lasts from %(min)s to %(max)s minutes.")
            % {"min": facility.min_minutes, "max": facility.max_minutes},
            "wrong_length",
        )
    if facility.capacity is not None and party_size > facility.capacity:
        raise _refuse(
            "party_size",
            _("At most %(n)s people at a time.") % {"n": facility.capacity},
            "over_capacity",
        )
    closed = facility.closures.filter(start__lt=end, end__gt=start).first()
    if closed is not None:
        raise _refuse(
            "start", _("Closed then: %(reason)s") % {"reason": closed.reason}, "closed_then"
        )
    _check_quota(facility, unit, start, minutes, zone)


def _check_quota(
    facility: Facility, unit: Unit, start: datetime, minutes: int, zone: ZoneInfo
) -> None:
    """At most so many bookings a week (Monday to Sunday) and so many hours a month per
    unit, counted in the complex's calendar."""
    day = start.astimezone(zone).date()
    mine = Booking.objects.filter(facility=facility, unit=unit).exclude(
        status__in=(B.CANCELLED, B.EXPIRED, B.DECLINED)
    )
    if facility.quota_per_week is not None:
        monday = day - timedelta(days=day.weekday())
        since = datetime.combine(monday, datetime.min.time(), zone)
        week = mine.filter(start__gte=since, start__lt=since + timedelta(days=7)).count()
        if week >= facility.quota_per_week:
            raise _refuse(
                "start",
                _("Your unit has used its %(n)s bookings of that week.")
                % {"n": facility.quota_per_week},
                "weekly_quota",
            )
    if facility.quota_hours_per_month is not None:
        first = datetime.combine(day.replace(day=1), datetime.min.time(), zone)
        after = datetime.combine(
            (day.replace(day=28) + timedelta(days=4)).replace(day=1), datetime.min.time(), zone
        )
        used = sum(
            (booking.end - booking.start).total_seconds() / 60
            for booking in mine.filter(start__gte=first, start__lt=after).only("start", "end")
        )
        if used + minutes > facility.quota_hours_per_month * 60:
            raise _refuse(
                "end",
                _("Your unit has %(n)s hours a month here, and this goes past them.")
                % {"n": facility.quota_hours_per_month},
                "monthly_quota",
            )


def _taking(facility: Facility, now: datetime) -> QuerySet[Booking]:
    """The bookings that hold their time now: confirmed, or pending within their hold."""
    return Booking.objects.filter(facility=facility, status__in=HOLDING).exclude(hold_until__lt=now)


def _clashes(facility: Facility, start: datetime, end: datetime, party: int, now: datetime) -> bool:
    buffer = timedelta(minutes=facility.buffer_minutes)
    near = _taking(facility, now).filter(start__lt=end + buffer, end__gt=start - buffer)
    if facility.capacity is None:
        return near.exists()
    taken = near.aggregate(people=Sum("party_size"))["people"] or 0
    return taken + party > facility.capacity


def next_free(
    facility: Facility, after: datetime, minutes: int, party: int, now: datetime, count: int = 3
) -> list[datetime]:
    """The next ``count`` starts within a week after ``after`` where a booking of ``minutes``
    for ``party`` people would fit (by opening hours, closures and what is taken)."""
    zone = _zone()
    hours = _hours(facility)
    step = facility.slot_minutes if facility.mode == Facility.Mode.SLOTS else 30
    length = timedelta(minutes=minutes)
    found: list[datetime] = []
    day = after.astimezone(zone).date()
    for offset in range(-1, 8):  # the day before: an opening past midnight
        window = opening(hours, day + timedelta(days=offset), zone)
        for start, _slot_end in slots(window, step) if window else []:
            end = start + length
            if start <= after or not (window and window.holds(start, end)):
                continue
            if facility.closures.filter(start__lt=end, end__gt=start).exists():
                continue
            if not _clashes(facility, start, end, party, now):
                found.append(start)
                if len(found) == count:
                    return found
    return found


def book_facility(
    *,
    facility: Facility,
    unit: Unit,
    actor: User,
    start: datetime,
    end: datetime,
    party_size: int = 1,
    note: str = "",
    now: datetime | None = None,
) -> Booking:
    """Book ``facility`` for ``unit``. A free one is confirmed at once (or waits for the
    manager's approval); one with a fee or a deposit gets its own invoice and holds its time
    30 minutes for the payment (the unit's credit pays at once if it can)."""
    now = now or timezone.now()
    zone = _zone()
    fee = price(
        kind=facility.fee_kind,
        fee=facility.fee,
        weekend_fee=facility.weekend_fee,
        start=start,
        end=end,
        zone=zone,
        holiday=Holiday.objects.filter(day=start.astimezone(zone).date()).exists(),
    )
    owed_now = bool((fee and not facility.bill_with_ipl) or facility.deposit)
    if owed_now:
        status = B.PENDING_PAYMENT
    elif facility.needs_approval:
        status = B.PENDING_APPROVAL
    else:
        status = B.CONFIRMED
    try:
        with tenant_atomic():
            # Units before bookings, everywhere: the ledger's settlement locks the unit and
            # then confirms its booking.
            Unit.objects.select_for_update().filter(pk=unit.pk).first()
            one_writer_at_a_time(f"facility-{facility.pk}")
            # Under the lock, so two bookings of one unit cannot both slip under its quota.
            check_booking(
                facility=facility,
                unit=unit,
                actor=actor,
                start=start,
                end=end,
                party_size=party_size,
                now=now,
            )
            # Lapsed holds give their time back (their invoices are released on the clock).
            Booking.objects.filter(
                facility=facility, status=B.PENDING_PAYMENT, hold_until__lt=now
            ).update(status=B.EXPIRED, updated_at=now)
            if _clashes(facility, start, end, party_size, now):
                raise _taken(facility, start, end, party_size, now)
            booking = Booking.objects.create(
                facility=facility,
                unit=unit,
                booked_by=actor,
                start=start,
                end=end,
                party_size=party_size,
                exclusive=facility.exclusive,
                status=status,
                hold_until=now + HOLD if status == B.PENDING_PAYMENT else None,
                fee=fee,
                deposit=facility.deposit,
                note=note.strip()[:300],
            )
            if owed_now:
                booking.invoice = issue_charge(
                    unit=unit, charges=_charges(booking), actor=actor, due_on=timezone.localdate()
                )
                booking.save(update_fields=["invoice"])
                if booking.invoice.status == Invoice.Status.PAID:  # the unit's credit paid it
                    _paid(booking)
            elif status == B.CONFIRMED:
                _tell_resident(booking, "booking_confirmed")
            else:
                _ask_managers(booking)
            return booking
    except IntegrityError as exc:  # PostgreSQL's exclusion constraint: taken a moment ago
        raise _taken(facility, start, end, party_size, now) from exc


def _charges(booking: Booking, *, deposit: bool = True) -> list[Charge]:
    """The invoice lines of a booking, in the complex's language (documents are in it)."""
    lines = []
    with translation.override(settings.LANGUAGE_CODE):
        what = f"{booking.facility.name}, {_when(booking)}"
        if booking.fee and not booking.facility.bill_with_ipl:
            lines.append(Charge(what, ONE, booking.fee, False))
        if deposit and booking.deposit:
            text = _("Deposit, returned after use: %(what)s") % {"what": what}
            lines.append(Charge(text, ONE, booking.deposit, False))
    return lines


def _when(booking: Booking) -> str:
    """``Sab 12 Des 2026 19:00–22:00`` in the complex's zone and the active language."""
    zone = _zone()
    start, end = booking.start.astimezone(zone), booking.end.astimezone(zone)
    return f"{date_format(start, 'D j M Y H:i')}–{date_format(end, 'H:i')}"


def _taken(
    facility: Facility, start: datetime, end: datetime, party: int, now: datetime
) -> StateConflict:
    minutes = int((end - start).total_seconds() // 60)
    free = next_free(facility, start, minutes, party, now)
    zone = _zone()
    times = ", ".join(date_format(moment.astimezone(zone), "D j M H:i") for moment in free)
    message = _("That time is taken.") + (
        " " + _("Free: %(times)s.") % {"times": times} if times else ""
    )
    return StateConflict(
        {"start": [message]},
        code="slot_taken",
        details={"next_free": [t.isoformat() for t in free]},
    )


# --- After booking: paid, approved or declined, cancelled, closed; the clock -------------


def _paid(booking: Booking) -> None:
    """Its invoice is paid: a held booking goes on (to the manager, or confirmed); one whose
    hold ended before the money came is not brought back, and the money is the unit's credit.
    In time is by when the money was paid (a callback may come a little later)."""
    paid_at = booking.invoice.paid_at if booking.invoice else None
    hold = booking.hold_until if booking.status == B.PENDING_PAYMENT else None
    if hold and paid_at and paid_at > hold:
        booking.status = B.EXPIRED
        booking.save(update_fields=["status", "updated_at"])
    if booking.status == B.PENDING_PAYMENT:
        booking.status = B.PENDING_APPROVAL if booking.facility.needs_approval else B.CONFIRMED
        booking.hold_until = None
        booking.save(update_fields=["status", "hold_until", "updated_at"])
        if booking.status == B.CONFIRMED:
            _tell_resident(booking, "booking_confirmed")
        else:
            _ask_managers(booking)
    elif booking.status in (B.EXPIRED, B.CANCELLED, B.DECLINED) and booking.invoice:
        invoice = booking.invoice
        release_invoice(
            invoice=invoice, reason=_("Paid after the booking's hold ended."), actor=None
        )
        _tell_paid_late(booking, invoice.total)


def _tell_paid_late(booking: Booking, amount: Decimal) -> None:
    people = [*active_managers()]
    if booking.booked_by and booking.booked_by.is_active:
        people.insert(0, booking.booked_by)
    for person in people:
        notify(
            recipient=person,
            template="booking_paid_late",
            context={
                "facility": booking.facility.name,
                "amount": amount,
                "when": _when_for(booking, person),
                "link": tenant_url("booking-page", pk=booking.pk),
            },
        )


def on_invoices_paid(sender: Any, invoice_ids: list[int], **kwargs: Any) -> None:
    """The ledger's ``invoices_paid``: the bookings those invoices are for."""
    for booking in Booking.objects.select_for_update().filter(invoice_id__in=invoice_ids):
        _paid(booking)


def on_payment_recorded(sender: Any, payment: Payment, **kwargs: Any) -> None:
    """The ledger's ``payment_recorded``: money meant for a booking whose invoice was already
    released (the hold ended) is the unit's credit; the resident and the managers hear it."""
    if payment.for_invoice_id is None:
        return
    if payment.allocations.filter(invoice_id=payment.for_invoice_id).exists():
        return  # it paid the invoice first, and the booking heard of it then
    booking = (
        Booking.objects.filter(
            invoice_id=payment.for_invoice_id, invoice__status=Invoice.Status.CANCELLED
        )
        .select_related("facility")
        .first()
    )
    if booking is not None and booking.status not in HOLDING:
        _tell_paid_late(booking, payment.amount)


def decide_booking(*, booking: Booking, actor: User, approve: bool, reason: str = "") -> Booking:
    """The manager approves a booking waiting for them, or declines it with a reason (what
    was paid is the unit's credit again)."""
    if not approve and not reason.strip():
        raise _refuse("reason", _("Say why the booking is declined."), "reason_required")
    with tenant_atomic():
        booking = _lock(booking)
        if booking.status != B.PENDING_APPROVAL:
            raise StateConflict(
                _("This booking is not waiting for approval."), code="booking_not_pending"
            )
        booking.decided_by = actor
        if approve:
            booking.status = B.CONFIRMED
            booking.save(update_fields=["status", "decided_by", "updated_at"])
            _tell_resident(booking, "booking_confirmed")
        else:
            booking.status = B.DECLINED
            booking.reason = reason.strip()[:300]
            booking.save(update_fields=["status", "reason", "decided_by", "updated_at"])
            if booking.invoice:
                booking.invoice = release_invoice(
                    invoice=booking.invoice, reason=booking.reason, actor=actor
                )
            _tell_resident(booking, "booking_declined")
        record(
            actor=actor,
            action="booking.approved" if approve else "booking.declined",
            target=booking,
            facility=booking.facility.name,
            unit=str(booking.unit),
            reason=booking.reason,
        )
    return booking


def cancel_booking(
    *, booking: Booking, actor: User | None, reason: str = "", now: datetime | None = None
) -> Booking:
    """Cancel a booking that still holds its time, by the facility's policy: until its free
    cancellation time all that was paid is credit again; after it the resident owes the
    late fee (and the deposit, where the facility keeps it). A manager cancels free of fees."""
    now = now or timezone.now()
    with tenant_atomic():
        booking = _lock(booking)
        if booking.status not in HOLDING:
            raise StateConflict(_("This booking is no longer active."), code="booking_not_active")
        facility = booking.facility
        by_manager = actor is not None and is_manager(actor)
        late = (
            not by_manager
            and booking.status != B.PENDING_PAYMENT
            and now > booking.start - timedelta(hours=facility.free_cancel_hours)
        )
        previous = booking.status
        booking.status = B.CANCELLED
        booking.reason = reason.strip()[:300]
        booking.decided_by = actor if by_manager else None
        booking.save(update_fields=["status", "reason", "decided_by", "updated_at"])
        if booking.invoice:
            booking.invoice = release_invoice(
                invoice=booking.invoice, reason=_("Booking cancelled."), actor=actor
            )
        kept = facility.late_cancel_fee if late else ZERO
        if late and facility.late_cancel_keeps_deposit and booking.invoice:
            kept += booking.deposit
        if kept:
            with translation.override(settings.LANGUAGE_CODE):
                line = _("Late cancellation: %(what)s") % {
                    "what": f"{facility.name}, {_when(booking)}"
                }
            issue_charge(
                unit=booking.unit,
                charges=[Charge(line, ONE, kept, False)],
                actor=actor,
                due_on=timezone.localdate() + FEE_DUE,
            )
        if by_manager:
            _tell_resident(booking, "booking_cancelled")
            record(
                actor=actor,
                action="booking.cancelled",
                target=booking,
                facility=facility.name,
                unit=str(booking.unit),
                was=previous,
                reason=booking.reason,
            )
    return booking


def close_booking(
    *,
    booking: Booking,
    actor: User | None,
    no_show: bool = False,
    keep_deposit: bool = False,
    reason: str = "",
) -> Booking:
    """After its start the manager closes a confirmed booking (or marks a no-show): the
    deposit goes back to the unit's credit unless kept (with a reason), and a fee billed with
    the IPL is charged on the unit's next monthly invoice."""
    if keep_deposit and not reason.strip():
        raise _refuse("reason", _("Say why the deposit is kept."), "reason_required")
    with tenant_atomic():
        booking = _lock(booking)
        if booking.status != B.CONFIRMED:
            raise StateConflict(_("Only a confirmed booking is closed."), code="booking_not_active")
        if booking.start > timezone.now():
            raise StateConflict(_("This booking has not started yet."), code="booking_not_started")
        booking.status = B.NO_SHOW if no_show else B.CLOSED
        booking.reason = reason.strip()[:300]
        booking.decided_by = actor
        booking.save(update_fields=["status", "reason", "decided_by", "updated_at"])
        if booking.invoice and booking.deposit and not keep_deposit:
            release_invoice(invoice=booking.invoice, reason=_("Deposit returned."), actor=actor)
            if booking.fee and not booking.facility.bill_with_ipl:
                booking.invoice = issue_charge(
                    unit=booking.unit,
                    charges=_charges(booking, deposit=False),
                    actor=actor,
                    due_on=timezone.localdate(),
                )
                booking.save(update_fields=["invoice"])
        if booking.fee and booking.facility.bill_with_ipl:
            with translation.override(settings.LANGUAGE_CODE):
                what = f"{booking.facility.name}, {_when(booking)}"
            add_one_off_charges(
                units=[booking.unit],
                period=_next_bill_month(booking.unit),
                description=what,
                amount=booking.fee,
                actor=actor,
            )
        record(
            actor=actor,
            action="booking.no_show" if no_show else "booking.closed",
            target=booking,
            facility=booking.facility.name,
            unit=str(booking.unit),
            deposit_kept=keep_deposit,
            reason=booking.reason,
        )
    return booking


def _next_bill_month(unit: Unit) -> date:
    """This month, or the first month after it the unit has no monthly invoice for yet."""
    month = timezone.localdate().replace(day=1)
    billed = set(
        Invoice.objects.filter(unit=unit, kind=Invoice.Kind.MONTHLY, period__gte=month)
        .exclude(status=Invoice.Status.CANCELLED)
        .values_list("period", flat=True)
    )
    while month in billed:
        month = (month + timedelta(days=31)).replace(day=1)
    return month


def close_facility(
    *, facility: Facility, start: datetime, end: datetime, reason: str, actor: User
) -> tuple[Closure, int]:
    """Block a time (maintenance, a holiday): the bookings it covers are cancelled, each
    resident told why, and what they paid is their credit again; the closure and how many."""
    if end <= start:
        raise _refuse("end", _("The end must be after the start."), "booking_ends_first")
    if not reason.strip():
        raise _refuse("reason", _("Say why the facility is closed."), "reason_required")
    with tenant_atomic():
        closure = Closure.objects.create(
            facility=facility,
            start=start,
            end=end,
            reason=reason.strip()[:200],
            created_by=actor,
        )
        hit = list(
            Booking.objects.filter(
                facility=facility, status__in=HOLDING, start__lt=end, end__gt=start
            ).order_by("unit_id", "pk")
        )
        for booking in hit:
            cancel_booking(booking=booking, actor=actor, reason=closure.reason)
        record(
            actor=actor,
            action="facility.closed",
            target=closure,
            facility=facility.name,
            start=start.isoformat(),
            end=end.isoformat(),
            reason=closure.reason,
            cancelled=len(hit),
        )
    return closure, len(hit)


def _lock(booking: Booking) -> Booking:
    """The booking, locked, its unit first (the ledger's order)."""
    Unit.objects.select_for_update().filter(pk=booking.unit_id).first()
    return (
        Booking.objects.select_for_update()
        .select_related("facility", "unit", "invoice")
        .get(pk=booking.pk)
    )


def expire_holds(*, now: datetime | None = None) -> int:
    """Bookings still unpaid when their hold ends give their time back and their invoices
    are released; how many (an expiry noticed earlier, its invoice still open, counts)."""
    now = now or timezone.now()
    lapsed = Booking.objects.filter(status=B.PENDING_PAYMENT, hold_until__lt=now) | (
        Booking.objects.filter(status=B.EXPIRED, invoice__status__in=OPEN_STATUSES)
    )
    count = 0
    for found in list(lapsed.only("pk", "unit_id")):
        with tenant_atomic():
            booking = _lock(found)
            if (
                booking.status == B.PENDING_PAYMENT
                and booking.hold_until
                and booking.hold_until < now
            ):
                booking.status = B.EXPIRED
                booking.save(update_fields=["status", "updated_at"])
            if booking.status == B.EXPIRED:
                count += 1
                if booking.invoice and booking.invoice.status in OPEN_STATUSES:
                    release_invoice(
                        invoice=booking.invoice, reason=_("The hold ended unpaid."), actor=None
                    )
    return count


def remind_bookings(*, now: datetime | None = None) -> int:
    """Residents with a confirmed booking starting within a day are reminded, once."""
    now = now or timezone.now()
    due = Booking.objects.filter(
        status=B.CONFIRMED, reminded_at__isnull=True, start__gt=now, start__lte=now + REMIND
    ).select_related("facility", "unit", "booked_by")
    count = 0
    for booking in due:
        with tenant_atomic():
            if Booking.objects.filter(pk=booking.pk, reminded_at__isnull=True).update(
                reminded_at=now
            ):
                _tell_resident(booking, "booking_reminder")
                count += 1
    return count


def close_past(*, now: datetime | None = None) -> int:
    """Confirmed bookings ended two days ago and never closed are closed (the deposit
    returned); how many."""
    now = now or timezone.now()
    past = Booking.objects.filter(status=B.CONFIRMED, end__lt=now - AUTO_CLOSE)
    for booking in past:
        close_booking(booking=booking, actor=None)
    return len(past)


# --- Who is told ------------------------------------------------------------------------


def _when_for(booking: Booking, user: User) -> str:
    with translation.override(user.language if user.language in ("id", "en") else "id"):
        return _when(booking)


def _tell_resident(booking: Booking, template: str) -> None:
    """The resident who booked hears of it in their language (and on their channels)."""
    resident = booking.booked_by
    if resident is None or not resident.is_active:
        return
    notify(
        recipient=resident,
        template=template,
        context={
            "facility": booking.facility.name,
            "when": _when_for(booking, resident),
            "reason": booking.reason or "-",
            "link": tenant_url("booking-page", pk=booking.pk),
        },
    )


def _ask_managers(booking: Booking) -> None:
    for manager in active_managers():
        notify(
            recipient=manager,
            template="booking_needs_approval",
            context={
                "facility": booking.facility.name,
                "when": _when_for(booking, manager),
                "unit": str(booking.unit),
                "link": tenant_url("booking-page", pk=booking.pk),
            },
        )


# --- The manager's side: facilities and their hours ------------------------------------

RULE_FIELDS = (
    "name",
    "rules",
    "is_active",
    "mode",
    "slot_minutes",
    "min_minutes",
    "max_minutes",
    "buffer_minutes",
    "capacity",
    "lead_min_hours",
    "lead_max_days",
    "quota_per_week",
    "quota_hours_per_month",
    "eligibility",
    "needs_approval",
    "fee_kind",
    "fee",
    "weekend_fee",
    "deposit",
    "free_cancel_hours",
    "late_cancel_fee",
    "late_cancel_keeps_deposit",
    "bill_with_ipl",
)


def save_facility(
    *,
    facility: Facility | None,
    actor: User,
    hours: dict[int, tuple[time, time]],
    **rules: Any,
) -> Facility:
    """Add a facility or change its rules and its weekly hours (a weekday left out is
    closed); bookings already made keep theirs. Audited with what changed."""
    unknown = set(rules) - set(RULE_FIELDS)
    if unknown:
        raise ValueError(f"not a facility rule: {sorted(unknown)}")
    for weekday, (opens, closes) in hours.items():
        if not 1 <= weekday <= 7:
            raise _refuse("hours", _("Weekdays are 1 (Monday) to 7 (Sunday)."), "bad_weekday")
        if opens == closes:
            raise _refuse("hours", _("A day opens and closes at different times."), "bad_hours")
    for money in ("fee", "deposit", "late_cancel_fee", "weekend_fee"):
        value = rules.get(money)
        if value is not None and value != value.to_integral_value():
            raise _refuse(money, _("Enter a whole amount of Rupiah."), "not_whole_rupiah")
    with tenant_atomic():
        is_new = facility is None
        facility = facility or Facility()
        before = {name: getattr(facility, name) for name in RULE_FIELDS}
        for name, value in rules.items():
            setattr(facility, name, value)
        facility.full_clean()
        facility.save()
        old_hours = {row.weekday: (row.opens, row.closes) for row in facility.hours.all()}
        if old_hours != hours:
            facility.hours.all().delete()
            OpeningHours.objects.bulk_create(
                OpeningHours(facility=facility, weekday=day, opens=opens, closes=closes)
                for day, (opens, closes) in sorted(hours.items())
            )
        changed = {
            name: str(getattr(facility, name))
            for name in RULE_FIELDS
            if is_new or getattr(facility, name) != before[name]
        }
        if old_hours != hours:
            changed["hours"] = ", ".join(
                f"{day}: {opens:%H:%M}-{closes:%H:%M}"
                for day, (opens, closes) in sorted(hours.items())
            )
        record(
            actor=actor,
            action="facility.added" if is_new else "facility.changed",
            target=facility,
            **changed,
        )
    return facility


MAX_PHOTOS = 5  # a facility's photos


def add_facility_photos(
    *, facility: Facility, images: list[Any], actor: User
) -> list[FacilityPhoto]:
    """Add photos to a facility (at most five in all), each drawn again as JPEG without its
    metadata and with a thumbnail; all of them or none. Audited."""
    cleaned = clean_photos(images)
    with tenant_atomic():
        Facility.objects.select_for_update().filter(pk=facility.pk).first()
        if facility.photos.count() + len(cleaned) > MAX_PHOTOS:
            raise _refuse(
                "photos",
                _("At most %(n)s photos of a facility.") % {"n": MAX_PHOTOS},
                "too_many_photos",
            )
        photos = [
            FacilityPhoto.objects.create(facility=facility, image=full, thumbnail=small)
            for full, small in cleaned
        ]
        record(actor=actor, action="facility.photos_added", target=facility, count=len(photos))
    return photos


def remove_facility_photo(*, photo: FacilityPhoto, actor: User) -> None:
    """Take a photo off a facility (its files go with it). Audited."""
    files = [photo.image, photo.thumbnail]
    with tenant_atomic():
        facility = photo.facility
        photo.delete()
        record(actor=actor, action="facility.photo_removed", target=facility)
        transaction.on_commit(
            lambda: [stored.delete(save=False) for stored in files], using=current_alias()
        )


def add_holiday(*, day: date, name: str, actor: User) -> Holiday:
    """A public holiday or collective leave day: facilities charge their weekend fee on it
    (bookings already made keep their price). Audited."""
    if not name.strip():
        raise _refuse("name", _("Name the holiday."), "reason_required")
    try:
        with tenant_atomic():
            holiday = Holiday.objects.create(day=day, name=name.strip()[:100])
            record(actor=actor, action="holiday.added", target=holiday, day=str(day), name=name)
    except IntegrityError:
        raise _refuse("day", _("This day is a holiday already."), "holiday_exists") from None
    return holiday


def remove_holiday(*, holiday: Holiday, actor: User) -> None:
    with tenant_atomic():
        record(actor=actor, action="holiday.removed", target=holiday, day=str(holiday.day))
        holiday.delete()

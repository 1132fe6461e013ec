"""Bookings in residents' own calendars: one booking as an ``.ics`` file, and a feed of a
resident's bookings that a calendar app subscribes to by a private link."""

from __future__ import annotations

from collections.abc import Iterable

from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _
from icalendar import Calendar, Event

from klustera.accounts.models import User
from klustera.facilities.models import Booking
from klustera.tenancy.context import current_tenant
from klustera.tenancy.links import tenant_url

STATUS: dict[str, str] = {
    Booking.Status.CONFIRMED: "CONFIRMED",
    Booking.Status.CLOSED: "CONFIRMED",
    Booking.Status.PENDING_PAYMENT: "TENTATIVE",
    Booking.Status.PENDING_APPROVAL: "TENTATIVE",
}
FEED_SALT = "klustera.facilities.feed"


def to_ics(bookings: Iterable[Booking], name: str) -> bytes:
    """The bookings as an iCalendar file; a booking no longer on is sent as cancelled, so a
    subscribed calendar drops it."""
    tenant = current_tenant()
    slug = tenant.slug if tenant else "klustera"
    calendar = Calendar()
    calendar.add("prodid", "-//Klustera//Bookings//EN")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", name)
    for booking in bookings:
        event = Event()
        event.add("uid", f"booking-{booking.pk}@{slug}.klustera")
        event.add("dtstamp", booking.updated_at or timezone.now())
        event.add("dtstart", booking.start)
        event.add("dtend", booking.end)
        event.add("summary", booking.facility.name)
        event.add("location", f"{booking.facility.name}, {tenant.name if tenant else ''}")
        event.add("status", STATUS.get(booking.status, "CANCELLED"))
        event.add(
            "description",
            _("Unit %(unit)s, %(people)s people. %(link)s")
            % {
                "unit": booking.unit,
                "people": booking.party_size,
                "link": tenant_url("booking-page", pk=booking.pk),
            },
        )
        calendar.add_component(event)
    return bytes(calendar.to_ical())


def feed_token(user: User) -> str:
    """The private part of a user's feed link; a new password makes a new one."""
    return salted_hmac(FEED_SALT, f"{user.pk}:{user.password}", algorithm="sha256").hexdigest()[:40]


def feed_owner(pk: int, token: str) -> User | None:
    """The active user whose feed link this is, or None."""
    user = User.objects.filter(pk=pk, is_active=True).first()
    if user is None or not constant_time_compare(feed_token(user), token):
        return None
    return user

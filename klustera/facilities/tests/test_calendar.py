"""Bookings in one's own calendar: a booking's .ics, and the private feed of one's
household's bookings, which only its link opens and a new password closes."""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.test import Client
from django.utils import timezone
from icalendar import Calendar

from klustera.accounts.models import User
from klustera.facilities.models import Booking
from klustera.facilities.tests.test_booking import make_facility
from klustera.tenancy.context import tenant_context

WIB = ZoneInfo("Asia/Jakarta")


def test_a_booking_goes_into_ones_calendar_and_the_feed_keeps_it_current(portal, tenant_a):
    resident = portal["clients"]["resident"]
    start = datetime.combine(timezone.localdate() + timedelta(days=4), time(19), WIB)
    with tenant_context(tenant_a):
        court = make_facility(name="Lapangan tenis")
        mine, gone = (
            Booking.objects.create(
                facility=court,
                unit=portal["units"][0],
                start=start + timedelta(hours=n),
                end=start + timedelta(hours=n + 1),
                exclusive=True,
                status=status,
            )
            for n, status in ((0, "confirmed"), (1, "cancelled"))
        )
        Booking.objects.create(  # the neighbours': never in this feed
            facility=court,
            unit=portal["units"][1],
            start=start - timedelta(hours=2),
            end=start - timedelta(hours=1),
            exclusive=True,
            status="confirmed",
        )
    one = resident.get(f"/c/alpha/bookings/{mine.pk}/booking.ics")
    assert one["Content-Type"].startswith("text/calendar")
    [event] = Calendar.from_ical(one.content).walk("VEVENT")
    assert str(event["summary"]) == "Lapangan tenis"
    assert event.decoded("dtstart") == start and str(event["status"]) == "CONFIRMED"
    page = resident.get("/c/alpha/bookings/").content.decode()
    link = re.search(r'id="feed-link" readonly value="([^"]+)"', page).group(1)
    path = link.split("testserver", 1)[1]
    feed = Client().get(path)  # a calendar app: no session
    assert feed.status_code == 200
    events = {
        str(e["uid"]): str(e["status"]) for e in Calendar.from_ical(feed.content).walk("VEVENT")
    }
    assert events == {
        f"booking-{mine.pk}@alpha.klustera": "CONFIRMED",
        f"booking-{gone.pk}@alpha.klustera": "CANCELLED",  # so the calendar drops it
    }
    assert Client().get(path.replace(path.split("/")[-1], "0" * 40 + ".ics")).status_code == 404
    with tenant_context(tenant_a):
        user = User.objects.get(phone="+6281300000002")
        user.set_password("a-new-secret-77")
        user.save()
    assert Client().get(path).status_code == 404  # a new password closes the old link

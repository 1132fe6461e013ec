"""Facilities benchmark: a month of availability beside 10,000 bookings, and 200 people
booking at once on PostgreSQL.

Provisions one complex on PostgreSQL with 400 units and 10 facilities (five courts and
rooms booked one at a time in hourly slots, three pools shared by 30 people, two rooms
booked by the range), fills the coming month with 10,000 bookings, then asks, in this process
and through the whole middleware stack, for each facility's availability of a whole month
(``GET /api/v1/facilities/{id}/availability``, 31 days) and prints p50/p95 and the queries
each answer makes. Then 50 threads, each with its own connection, make 200 booking attempts
at 20 contested hours of one court: throughput, how many were answered with a 409 and the
next free times, and the double bookings found afterwards by SQL (which must be 0).

    python bench/facilities.py [--requests 30] [--bookings 10000]
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import threading
import time
from datetime import datetime, timedelta
from datetime import time as clock
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from common import configure_in_process, drop_databases  # noqa: E402
from helpdesk import measure  # noqa: E402  (p50/p95 and the queries of one path)

PG_PREFIX = "klustera_bench_facilities_"
PASSWORD = "x-pass-123"  # noqa: S105  (a throwaway complex)
THREADS, ATTEMPTS, CONTESTED = 50, 200, 20


def provision() -> tuple[Any, Any, list[Any]]:
    """The complex, its units and facilities; returns the tenant, a manager and facilities."""
    from klustera.accounts.services import create_user
    from klustera.estate.models import Unit
    from klustera.facilities.models import Facility, OpeningHours
    from klustera.roles import Role
    from klustera.tenancy.context import tenant_context
    from klustera.tenancy.services import NewManager, provision_tenant

    tenant = provision_tenant(
        name="Bench Facilities",
        slug="bench-facilities",
        cluster="pg",
        manager=NewManager(phone="081100000001", name="Manager", password=PASSWORD),
    )
    with tenant_context(tenant):
        Unit.objects.bulk_create(
            Unit(block=block, number=f"{n:02d}") for block in "ABCDEFGH" for n in range(50)
        )
        manager = create_user(
            phone="081300009999", name="Api", roles=[Role.PROPERTY_MANAGER], password=PASSWORD
        )
        facilities = []
        for n in range(10):
            rules: dict[str, Any] = {"lead_min_hours": 0, "lead_max_days": 60}
            if 5 <= n < 8:
                rules["capacity"] = 30
            elif n >= 8:
                rules.update(mode="ranges", min_minutes=60, max_minutes=240, buffer_minutes=30)
            facility = Facility.objects.create(name=f"Fasilitas {n}", **rules)
            OpeningHours.objects.bulk_create(
                OpeningHours(facility=facility, weekday=day, opens=clock(6), closes=clock(22))
                for day in range(1, 8)
            )
            facilities.append(facility)
    return tenant, manager, facilities


def fill(tenant: Any, facilities: list[Any], target: int) -> int:
    """Confirmed bookings over the coming month: exclusive ones never overlapping (the
    exclusion constraint would refuse them), shared ones within the head count."""
    from django.utils import timezone

    from klustera.estate.models import Unit
    from klustera.facilities.models import Booking
    from klustera.tenancy.context import tenant_context

    rng = random.Random(2026)
    with tenant_context(tenant):
        units = list(Unit.objects.all())
        zone = timezone.get_current_timezone()
        first = timezone.localdate() + timedelta(days=1)
        taken: set[tuple[int, datetime]] = set()
        people: dict[tuple[int, datetime], int] = {}
        rows = []
        while len(rows) < target:
            facility = rng.choice(facilities)
            day = first + timedelta(days=rng.randrange(30))
            start = datetime.combine(day, clock(rng.randrange(6, 21)), zone)
            key = (facility.pk, start)
            party = 1
            if facility.capacity:
                party = rng.randint(1, 4)
                if people.get(key, 0) + party > facility.capacity:
                    continue
                people[key] = people.get(key, 0) + party
            elif key in taken or (facility.pk, start - timedelta(hours=1)) in taken:
                continue
            hours = 2 if facility.mode == "ranges" else 1
            if facility.mode == "ranges":
                if (facility.pk, start + timedelta(hours=1)) in taken:
                    continue
                taken.add((facility.pk, start + timedelta(hours=1)))
            taken.add(key)
            rows.append(
                Booking(
                    facility=facility,
                    unit=rng.choice(units),
                    start=start,
                    end=start + timedelta(hours=hours) - timedelta(minutes=30 if hours == 2 else 0),
                    party_size=party,
                    exclusive=facility.exclusive,
                    status=Booking.Status.CONFIRMED,
                )
            )
        Booking.objects.bulk_create(rows, batch_size=2000)
        return Booking.objects.count()


def race(tenant: Any, manager: Any, court: Any) -> None:
    """200 attempts by 50 threads at 20 contested hours of one court."""
    from django.db import connections
    from django.utils import timezone

    from klustera.errors import StateConflict
    from klustera.estate.models import Unit
    from klustera.facilities.models import Booking
    from klustera.facilities.services import book_facility
    from klustera.tenancy.connections import alias_for
    from klustera.tenancy.context import tenant_context

    with tenant_context(tenant):
        units = list(Unit.objects.order_by("pk")[:ATTEMPTS])
        zone = timezone.get_current_timezone()
        day = timezone.localdate() + timedelta(days=45)  # beyond the filled month
        hours = [
            datetime.combine(day, clock(6 + n % 16), zone) + timedelta(days=n // 16)
            for n in range(CONTESTED)
        ]
    outcomes: list[str] = []
    lock = threading.Lock()
    gate = threading.Barrier(THREADS)

    def person(index: int) -> None:
        try:
            with tenant_context(tenant):
                gate.wait(timeout=60)
                for attempt in range(ATTEMPTS // THREADS):
                    n = index * (ATTEMPTS // THREADS) + attempt
                    start = hours[n % CONTESTED]
                    try:
                        book_facility(
                            facility=court,
                            unit=units[n],
                            actor=manager,
                            start=start,
                            end=start + timedelta(hours=1),
                        )
                        outcome = "booked"
                    except StateConflict as exc:
                        outcome = "conflict" if exc.details.get("next_free") else "conflict-bare"
                    with lock:
                        outcomes.append(outcome)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=person, args=(i,)) for i in range(THREADS)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    elapsed = time.perf_counter() - started
    with tenant_context(tenant):
        with connections[alias_for(tenant)].cursor() as cursor:
            cursor.execute(
                """SELECT count(*) FROM facilities_booking a JOIN facilities_booking b
                   ON a.facility_id = b.facility_id AND a.id < b.id
                  AND a.start < b."end" AND b.start < a."end"
                 WHERE a.exclusive AND b.exclusive
                   AND a.status IN ('confirmed','pending_payment','pending_approval')
                   AND b.status IN ('confirmed','pending_payment','pending_approval')"""
            )
            doubles = cursor.fetchone()[0]
        booked = Booking.objects.filter(facility=court, start__in=hours).count()
    print(
        f"\n{ATTEMPTS} attempts by {THREADS} threads at {CONTESTED} contested hours of one court:"
        f" {elapsed:.2f} s, {ATTEMPTS / elapsed:.0f} attempts/s"
    )
    print(
        f"  booked {outcomes.count('booked')} (in the database: {booked}),"
        f" 409 with next free times {outcomes.count('conflict')},"
        f" 409 without {outcomes.count('conflict-bare')},"
        f" unanswered {ATTEMPTS - len(outcomes)}; double bookings found by SQL: {doubles}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--bookings", type=int, default=10_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="klustera-bench-") as var_dir:
        configure_in_process(Path(var_dir), pg_prefix=PG_PREFIX, tasks_immediate=False)
        drop_databases(PG_PREFIX)
        try:
            run(args.requests, args.bookings)
        finally:
            from django.db import connections

            connections.close_all()
            drop_databases(PG_PREFIX)


def run(requests: int, bookings: int) -> None:
    from django.test import Client
    from django.utils import timezone

    from klustera.accounts.services import issue_token
    from klustera.tenancy.connections import alias_for
    from klustera.tenancy.context import tenant_context

    tenant, manager, facilities = provision()
    started = time.perf_counter()
    total = fill(tenant, facilities, bookings)
    print(f"Facilities benchmark: PostgreSQL, in process, {requests} requests per figure")
    print(
        f"{total:,} bookings over the coming month (added in {time.perf_counter() - started:.1f} s)"
    )
    with tenant_context(tenant):
        token, _ = issue_token(user=manager, device_name="bench")
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    first = timezone.localdate() + timedelta(days=1)
    span = f"start={first:%Y-%m-%d}&end={first + timedelta(days=30):%Y-%m-%d}"
    alias = alias_for(tenant)
    all_latencies = []
    for facility in facilities:
        path = f"/c/{tenant.slug}/api/v1/facilities/{facility.pk}/availability?{span}"
        figures = measure(Client(), path, alias, requests, **headers)
        kind = "shared (30)" if facility.capacity else facility.mode
        all_latencies.append(figures)
        print(
            f"  {facility.name:<13} {kind:<12} a month: p50 {figures['p50']:6.1f} ms"
            f"   p95 {figures['p95']:6.1f} ms   {figures['queries']} queries"
        )
    p50 = statistics.median(f["p50"] for f in all_latencies)
    p95 = max(f["p95"] for f in all_latencies)
    print(f"  all ten: median p50 {p50:.1f} ms, worst p95 {p95:.1f} ms")
    race(tenant, manager, facilities[0])


if __name__ == "__main__":
    main()

"""Community benchmark: 2,000 units voting in the last five minutes of a poll, and the bell's
unread count polled by 1,000 signed-in residents, on PostgreSQL.

Provisions one complex on PostgreSQL with 2,000 units, one resident each, and an open poll.
Then 32 threads, each with its own connection, cast every unit's vote through the API
(``POST /api/v1/polls/{id}/votes``) as fast as they are answered, 10 % of the units changing
their vote afterwards: votes per second, p50/p99 of a vote, and whether what was counted
equals what was cast (one vote per unit, the tallies summing to the units that voted).
Then 1,000 residents, each with 20 inbox entries (5 unread), ask for the bell
(``GET /inbox/bell``, what htmx polls every 30 s): p50/p95 and the queries of one request.

    python bench/community.py [--units 2000] [--threads 32] [--bell 1000]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import threading
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from common import configure_in_process, drop_databases  # noqa: E402
from helpdesk import queries_to  # noqa: E402

PG_PREFIX = "klustera_bench_community_"
PASSWORD = "x-pass-123"  # noqa: S105  (a throwaway complex)


def provision(units: int) -> tuple[Any, Any, list[Any]]:
    """The complex, its poll and its residents (one per unit, with a user account)."""
    from django.contrib.auth.models import Group
    from django.utils import timezone

    from klustera.accounts.models import User
    from klustera.community.services import create_poll
    from klustera.estate.models import Occupancy, Resident, Unit
    from klustera.roles import Role
    from klustera.tenancy.context import tenant_context
    from klustera.tenancy.services import NewManager, provision_tenant

    tenant = provision_tenant(
        name="Bench Community",
        slug="bench-community",
        cluster="pg",
        manager=NewManager(phone="081100000001", name="Manager", password=PASSWORD),
    )
    with tenant_context(tenant):
        homes = Unit.objects.bulk_create(
            Unit(block=f"B{n // 100:02d}", number=f"{n % 100:02d}") for n in range(units)
        )
        people = User.objects.bulk_create(
            User(phone=f"+62857{n:08d}", name=f"Warga {n}", password="!") for n in range(units)
        )
        residents_group, _ = Group.objects.get_or_create(name=Role.RESIDENT)
        residents_group.user_set.add(*people)
        residents = Resident.objects.bulk_create(
            Resident(name=user.name, phone=user.phone, user=user) for user in people
        )
        Occupancy.objects.bulk_create(
            Occupancy(unit=unit, resident=resident, role="owner", start_on="2025-01-01")
            for unit, resident in zip(homes, residents, strict=True)
        )
        manager = User.objects.get(phone="+6281100000001")
        now = timezone.now()
        poll = create_poll(
            actor=manager,
            question="Ganti pengelola keamanan?",
            options=["Setuju", "Tidak setuju", "Abstain"],
            opens_at=now,
            closes_at=now + timedelta(minutes=5),
            quorum_percent=50,
        )
    return tenant, poll, people


def vote(tenant: Any, poll: Any, people: list[Any], threads: int) -> None:
    from django.db import connections
    from django.test import Client

    from klustera.accounts.services import issue_token
    from klustera.community.models import BallotCount, Participation
    from klustera.tenancy.context import tenant_context

    with tenant_context(tenant):
        options = list(poll.options.values_list("pk", flat=True))
        tokens = [issue_token(user=user, device_name="bench")[0] for user in people]
    changers = len(people) // 10
    plan = [(n, options[n % 3]) for n in range(len(people))]
    plan += [(n, options[(n + 1) % 3]) for n in range(changers)]  # 10 % change their vote
    latencies: list[float] = []
    failures: list[int] = []
    lock = threading.Lock()
    gate = threading.Barrier(threads)
    path = f"/c/{tenant.slug}/api/v1/polls/{poll.pk}/votes"

    def voter(index: int) -> None:
        client = Client()
        try:
            gate.wait(timeout=60)
            for n, option in plan[index::threads]:
                started = time.perf_counter()
                answer = client.post(
                    path,
                    {"options": [option]},
                    content_type="application/json",
                    HTTP_AUTHORIZATION=f"Bearer {tokens[n]}",
                )
                with lock:
                    latencies.append(time.perf_counter() - started)
                    if answer.status_code != 200:
                        failures.append(answer.status_code)
        finally:
            connections.close_all()

    workers = [threading.Thread(target=voter, args=(i,)) for i in range(threads)]
    started = time.perf_counter()
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=600)
    elapsed = time.perf_counter() - started
    with tenant_context(tenant):
        counted = Participation.objects.filter(poll=poll).count()
        tallied = sum(BallotCount.objects.filter(poll=poll).values_list("votes", flat=True))
    q = statistics.quantiles(latencies, n=100)
    print(
        f"{len(plan):,} votes ({len(people):,} units, {changers:,} changing their vote)"
        f" by {threads} threads: {elapsed:.1f} s, {len(plan) / elapsed:.0f} votes/s"
    )
    print(
        f"  per vote p50 {q[49] * 1000:.1f} ms, p99 {q[98] * 1000:.1f} ms; failed {len(failures)}"
    )
    print(
        f"  units that voted {counted:,} (cast by {len(people):,});"
        f" tallied votes {tallied:,}: counted = cast {counted == tallied == len(people)}"
    )


def bell(tenant: Any, people: list[Any], residents: int, requests: int) -> None:
    from django.test import Client
    from django.utils import timezone

    from klustera.notifications.models import Message
    from klustera.tenancy.connections import alias_for
    from klustera.tenancy.context import tenant_context

    chosen = people[:residents]
    with tenant_context(tenant):
        now = timezone.now()
        Message.objects.bulk_create(
            [
                Message(
                    recipient=user,
                    to_address="inbox",
                    channel="inbox",
                    category="billing",
                    template="payment_reminder",
                    context={"name": user.name, "unit": "A-01", "amount": "Rp 1", "due_date": "1"},
                    status="delivered",
                    next_attempt_at=now,
                    read_at=None if n < 5 else now,
                )
                for user in chosen
                for n in range(20)
            ],
            batch_size=5000,
        )
    clients = []
    with tenant_context(tenant):  # sessions are the complex's
        for user in chosen:
            client = Client()
            client.force_login(user)  # under the complex's own cookie name, as a sign-in sets it
            client.cookies[f"sessionid_{tenant.slug}"] = client.cookies.pop("sessionid").value
            clients.append(client)
    path = f"/c/{tenant.slug}/inbox/bell"
    assert clients[0].get(path).status_code == 200  # warm up
    with queries_to(alias_for(tenant)) as sent:
        clients[0].get(path)
    latencies = []
    for index in range(requests):
        client = clients[index % len(clients)]
        started = time.perf_counter()
        answer = client.get(path)
        latencies.append(time.perf_counter() - started)
        assert answer.status_code == 200 and b'data-unread="' in answer.content
    q = statistics.quantiles(latencies, n=100)
    print(
        f"\nThe bell of {len(chosen):,} signed-in residents (20 entries each, 5 unread),"
        f" {requests:,} requests: p50 {q[49] * 1000:.1f} ms, p95 {q[94] * 1000:.1f} ms,"
        f" {len(sent)} queries to the complex's database per request"
    )
    for sql in sent:
        print("   ", sql[:110])


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--units", type=int, default=2000)
    parser.add_argument("--threads", type=int, default=32)
    parser.add_argument("--bell", type=int, default=1000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="klustera-bench-") as var_dir:
        configure_in_process(Path(var_dir), pg_prefix=PG_PREFIX, tasks_immediate=False)
        drop_databases(PG_PREFIX)
        try:
            print("Community benchmark: PostgreSQL, in process")
            tenant, poll, people = provision(args.units)
            vote(tenant, poll, people, args.threads)
            bell(tenant, people, min(args.bell, len(people)), max(args.bell, 200))
        finally:
            from django.db import connections

            connections.close_all()
            drop_databases(PG_PREFIX)


if __name__ == "__main__":
    main()

"""Helpdesk benchmark: the manager's queue page and ``GET /api/v1/complaints`` as a complex's
tickets grow from 10 to 20,000.

Provisions one complex on PostgreSQL with 400 units, the default categories and eight staff,
then adds tickets in every state (spread over a year, a quarter of them assigned, some late)
in steps of 10, 1,000 and 20,000. At each step it serves, in this process and through the
whole middleware stack, the queue page (25 a page, the most urgent first) and the API list
(20 a page) to a signed-in manager, and the queue page filtered to late tickets and sorted by
priority. Prints p50/p95 latency and the queries each request makes, which must not grow with
the tickets; then the helpdesk report of the year.

    python bench/helpdesk.py [--steps 10,1000,20000] [--requests 40]
"""

from __future__ import annotations

import argparse
import contextlib
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from common import configure_in_process, drop_databases  # noqa: E402

PG_PREFIX = "klustera_bench_helpdesk_"
PASSWORD = "x-pass-123"  # noqa: S105  (a throwaway complex)


def provision() -> tuple[Any, Any]:
    """The complex, its units and staff; returns the tenant and a manager's API token."""
    from klustera.accounts.services import create_user, issue_token
    from klustera.estate.models import Unit
    from klustera.roles import Role
    from klustera.tenancy.context import tenant_context
    from klustera.tenancy.services import NewManager, provision_tenant

    tenant = provision_tenant(
        name="Bench Helpdesk",
        slug="bench-helpdesk",
        cluster="pg",
        manager=NewManager(phone="081100000001", name="Manager", password=PASSWORD),
    )
    with tenant_context(tenant):
        Unit.objects.bulk_create(
            Unit(block=block, number=f"{n:02d}") for block in "ABCDEFGH" for n in range(50)
        )
        for n in range(8):
            role = Role.FACILITY_STAFF if n % 2 else Role.CLEANING_STAFF
            create_user(phone=f"08130000{n:04d}", name=f"Staff {n}", roles=[role])
        manager = create_user(
            phone="081300009999", name="Api", roles=[Role.PROPERTY_MANAGER], password=PASSWORD
        )
        token, _ = issue_token(user=manager, device_name="bench")
    return tenant, token


def grow(tenant: Any, target: int) -> None:
    """Add tickets until the complex holds ``target``, in every state, over the last year."""
    from django.utils import timezone

    from klustera.accounts.models import User
    from klustera.estate.models import Unit
    from klustera.helpdesk.models import Category, Priority, Ticket
    from klustera.roles import STAFF_ROLES
    from klustera.tenancy.context import tenant_context

    rng = random.Random(target)
    with tenant_context(tenant):
        have = Ticket.objects.count()
        units = list(Unit.objects.all())
        categories = list(Category.objects.all())
        staff = list(User.objects.filter(groups__name__in=STAFF_ROLES))
        reporter = User.objects.get(phone="+6281300009999")
        statuses = list(Ticket.Status.values)
        now = timezone.now()
        batch = []
        for _ in range(target - have):
            filed = now - timedelta(minutes=rng.randrange(365 * 24 * 60))
            status = rng.choice(statuses)
            done = status in ("resolved", "closed")
            batch.append(
                Ticket(
                    category=rng.choice(categories),
                    priority=rng.choice(Priority.values),
                    unit=rng.choice(units) if rng.random() < 0.7 else None,
                    title=f"Keluhan {rng.randrange(10**6)}",
                    description="Mohon ditangani.",
                    reporter=reporter,
                    filed_by=reporter,
                    assignee=rng.choice(staff) if status != "open" else None,
                    status=status,
                    response_due=filed + timedelta(hours=24),
                    resolution_due=filed + timedelta(hours=72),
                    first_response_at=filed + timedelta(hours=rng.randrange(1, 48))
                    if status != "open"
                    else None,
                    resolved_at=filed + timedelta(hours=rng.randrange(2, 120)) if done else None,
                    rating=rng.randrange(1, 6) if done and rng.random() < 0.5 else None,
                    created_at=filed,
                )
            )
        Ticket.objects.bulk_create(batch, batch_size=2000)


@contextlib.contextmanager
def queries_to(alias: str) -> Iterator[list[str]]:
    """The SQL sent to ``alias`` in the block. Each request opens its complex's connection
    afresh, so the count is taken at the cursor, not on one connection object."""
    from django.db.backends.utils import CursorWrapper

    sent: list[str] = []
    original = CursorWrapper._execute

    def execute(self: Any, sql: str, *args: Any, **kwargs: Any) -> Any:
        if self.db.alias == alias:
            sent.append(sql)
        return original(self, sql, *args, **kwargs)

    CursorWrapper._execute = execute  # type: ignore[method-assign]
    try:
        yield sent
    finally:
        CursorWrapper._execute = original  # type: ignore[method-assign]


def measure(client: Any, path: str, alias: str, requests: int, **headers: str) -> dict[str, float]:
    assert client.get(path, **headers).status_code == 200, path  # warm up
    with queries_to(alias) as sent:
        client.get(path, **headers)
    latencies = []
    for _ in range(requests):
        started = time.perf_counter()
        response = client.get(path, **headers)
        latencies.append(time.perf_counter() - started)
        assert response.status_code == 200, (path, response.content[:200])
    quantiles = statistics.quantiles(latencies, n=100)
    return {"p50": quantiles[49] * 1000, "p95": quantiles[94] * 1000, "queries": len(sent)}


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--steps", default="10,1000,20000")
    parser.add_argument("--requests", type=int, default=40)
    args = parser.parse_args()
    steps = [int(step) for step in args.steps.split(",")]

    with tempfile.TemporaryDirectory(prefix="klustera-bench-") as var_dir:
        configure_in_process(Path(var_dir), pg_prefix=PG_PREFIX, tasks_immediate=True)
        drop_databases(PG_PREFIX)
        try:
            run(steps, args.requests)
        finally:
            from django.db import connections

            connections.close_all()
            drop_databases(PG_PREFIX)


def run(steps: list[int], requests: int) -> None:
    from django.test import Client
    from django.utils import timezone

    from klustera.helpdesk.reports import helpdesk_report
    from klustera.tenancy.connections import alias_for
    from klustera.tenancy.context import tenant_context

    tenant, token = provision()
    page = Client()
    signed_in = page.post(
        f"/c/{tenant.slug}/login", {"username": "081300009999", "password": PASSWORD}
    )
    assert signed_in.status_code == 302, signed_in.content[:300]
    api = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    alias = alias_for(tenant)
    print(f"Helpdesk benchmark: PostgreSQL, in process, {requests} requests per figure")
    base = f"/c/{tenant.slug}"
    targets = [
        ("queue page", f"{base}/manage/helpdesk/", {}),
        (
            "queue page, late, by priority",
            f"{base}/manage/helpdesk/?overdue=true&sort=priority",
            {},
        ),
        ("GET /api/v1/complaints", f"{base}/api/v1/complaints", api),
    ]
    for step in steps:
        started = time.perf_counter()
        grow(tenant, step)
        print(f"\n{step:,} tickets (added in {time.perf_counter() - started:.1f} s)")
        for label, path, headers in targets:
            client = Client() if headers else page
            figures = measure(client, path, alias, requests, **headers)
            print(
                f"  {label:<32} p50 {figures['p50']:7.1f} ms   p95 {figures['p95']:7.1f} ms"
                f"   {figures['queries']:.0f} queries"
            )
    with tenant_context(tenant):
        today = timezone.localdate()
        for label, start in (("12 weeks", None), ("a year", today - timedelta(days=365))):
            started = time.perf_counter()
            report = helpdesk_report(start, today)
            print(
                f"\nhelpdesk report of {label} ({report.total.filed:,} tickets): "
                f"{(time.perf_counter() - started) * 1000:.0f} ms"
            )


if __name__ == "__main__":
    main()

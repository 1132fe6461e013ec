"""Tenancy benchmark: provisioning and migrating many complexes, and many served round-robin
by one process.

Provisions 1,000 complexes from the migrated template and migrates them all (one process,
then two), reporting the time per complex.

Provisions N tenants (default 200) on SQLite and on PostgreSQL, then serves
an authenticated, tenant-scoped API request (``GET /api/v1/units``, 20 units
per tenant) through the whole middleware stack in one process, round-robin
across all tenants, and the same request against a single tenant. Prints
requests/s, p50/p95 latency, the tenant connections held open (which must
stay at ``TENANT_CONNECTIONS_MAX``, not grow with tenants) and the ratio of
round-robin to single-tenant throughput.

    python bench/tenancy.py [--provision 1000] [--tenants 200] [--requests 3000]
        [--backends sqlite,postgres]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from common import configure_in_process, drop_databases  # noqa: E402

PG_PREFIX = "klustera_bench_"


def provision(count: int, cluster: str) -> list[tuple[str, str]]:
    """Tenants with 20 units each and a manager token; returns (slug, token) pairs."""
    from klustera.accounts.services import create_user, issue_token
    from klustera.estate.models import Unit
    from klustera.roles import Role
    from klustera.tenancy.context import tenant_context
    from klustera.tenancy.services import NewManager, provision_tenant

    pairs = []
    started = time.perf_counter()
    for i in range(count):
        tenant = provision_tenant(
            name=f"Bench {cluster} {i}",
            slug=f"b-{cluster}-{i}",
            cluster=cluster,
            manager=NewManager(phone=f"0812{i:08d}", name="Manager", password="x-pass-123"),
        )
        with tenant_context(tenant):
            Unit.objects.bulk_create(Unit(block="A", number=f"{n:02d}") for n in range(20))
            user = create_user(phone="081300000001", name="Api", roles=[Role.PROPERTY_MANAGER])
            token, _ = issue_token(user=user, device_name="bench")
        pairs.append((tenant.slug, token))
    elapsed = time.perf_counter() - started
    print(
        f"  provisioned {count} tenants in {elapsed:.1f} s ({elapsed / count * 1000:.0f} ms each)"
    )
    return pairs


def provision_and_migrate(count: int, cluster: str) -> None:
    """Provisioning ``count`` complexes from the template (managers invited, without a
    password: what is measured is the database, not Argon2), then migrating them all, one
    process and two."""
    from klustera.tenancy.models import Tenant
    from klustera.tenancy.services import NewManager, migrate_all, provision_tenant

    provision_tenant(  # the template is built by the first complex: not counted
        name="First", slug=f"p-{cluster}-first", cluster=cluster,
        manager=NewManager(phone="081200000000", name="Manager"),
    )  # fmt: skip
    times = []
    for i in range(count):
        started = time.perf_counter()
        provision_tenant(
            name=f"Complex {i}", slug=f"p-{cluster}-{i}", cluster=cluster,
            manager=NewManager(phone=f"0813{i:08d}", name="Manager"),
        )  # fmt: skip
        times.append(time.perf_counter() - started)
    quantiles = statistics.quantiles(times, n=100)
    print(
        f"  provisioned {count} complexes: {sum(times):.1f} s, "
        f"{statistics.mean(times) * 1000:.0f} ms each (p50 {quantiles[49] * 1000:.0f} ms, "
        f"p95 {quantiles[94] * 1000:.0f} ms)"
    )
    chosen = list(Tenant.objects.filter(slug__startswith=f"p-{cluster}-"))
    for parallel in (1, 2):
        started = time.perf_counter()
        failed = migrate_all(tenants=chosen, report=lambda tenant, outcome: None, parallel=parallel)
        elapsed = time.perf_counter() - started
        print(
            f"  tenants migrate --parallel {parallel} over {len(chosen)} (up to date): "
            f"{elapsed:.1f} s, {elapsed / len(chosen) * 1000:.0f} ms each, {len(failed)} failed"
        )


def serve(pairs: list[tuple[str, str]], requests: int) -> dict[str, float]:
    from django.db import connections
    from django.test import Client

    from klustera.tenancy.connections import open_tenant_connections

    connections.close_all()
    client = Client()
    client.get("/api/v1/units", HTTP_AUTHORIZATION=f"Bearer {pairs[0][1]}")  # warm the code path
    latencies = []
    peak_open = 0
    for i in range(requests):
        slug, token = pairs[i % len(pairs)]
        started = time.perf_counter()
        response = client.get("/api/v1/units", HTTP_AUTHORIZATION=f"Bearer {token}")
        latencies.append(time.perf_counter() - started)
        assert response.status_code == 200 and response.json()["meta"]["total"] == 20, (
            slug,
            response.content[:200],
        )
        peak_open = max(peak_open, open_tenant_connections())
    total = sum(latencies)
    quantiles = statistics.quantiles(latencies, n=100)
    return {
        "rps": requests / total,
        "p50_ms": quantiles[49] * 1000,
        "p95_ms": quantiles[94] * 1000,
        "peak_open": peak_open,
        "open_after": open_tenant_connections(),
    }


def report(label: str, figures: dict[str, float]) -> None:
    print(
        f"  {label:<28} {figures['rps']:8.0f} req/s   p50 {figures['p50_ms']:6.2f} ms   "
        f"p95 {figures['p95_ms']:6.2f} ms   open tenant connections: peak "
        f"{figures['peak_open']:.0f}, after {figures['open_after']:.0f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tenants", type=int, default=200)
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--provision", type=int, default=1000, help="complexes to provision")
    parser.add_argument("--backends", default="sqlite,postgres")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="klustera-bench-") as var_dir:
        configure_in_process(Path(var_dir), pg_prefix=PG_PREFIX, tasks_immediate=True)
        from django.conf import settings

        bound = settings.TENANT_CONNECTIONS_MAX
        print(f"Tenancy benchmark: {args.tenants} tenants, {args.requests} requests, bound {bound}")
        for backend in args.backends.split(","):
            cluster = {"sqlite": "default", "postgres": "pg"}[backend]
            print(f"\n[{backend}]")
            if backend == "postgres":
                drop_databases(PG_PREFIX)
            try:
                if args.provision:
                    provision_and_migrate(args.provision, cluster)
                pairs = provision(args.tenants, cluster)
                single = serve(pairs[:1], args.requests)
                hot = serve(pairs[:bound], args.requests)
                many = serve(pairs, args.requests)
                report("single tenant", single)
                report(f"round-robin over {bound} (= bound)", hot)
                report(f"round-robin over {len(pairs)}", many)
                print(f"  ratio round-robin over all / single: {many['rps'] / single['rps']:.2f}")
                print(
                    f"  ratio round-robin over {bound} / single: {hot['rps'] / single['rps']:.2f}"
                )
                verdict = "within" if many["peak_open"] <= bound else "ABOVE"
                print(f"  open connections stayed {verdict} the bound of {bound}")
            finally:
                from django.db import connections

                connections.close_all()
                if backend == "postgres":
                    drop_databases(PG_PREFIX)


if __name__ == "__main__":
    main()

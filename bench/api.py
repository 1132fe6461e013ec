"""API benchmark: production settings under gunicorn, PostgreSQL and Redis, loaded by wrk.

Serves the app with gunicorn (gthread, 2 workers x 4 threads) in production
mode against a PostgreSQL platform database, a PostgreSQL tenant database and
Redis (cache, rate-limit counters), then loads three endpoints with wrk:

* ``GET /healthz``: a bare Django JSON view through the same middleware (the floor);
* ``GET /api/v1/auth/me``: bearer-token authentication, the tenant named by the token;
* ``GET /api/v1/units?per_page=20``: a paginated list of 200 units.

Prints requests/s, p50/p95/p99 and the server's CPU time per request for each,
and our overhead as the ratio to the floor; with the request log lines and
Prometheus metrics on and off, taking turns over rounds, and the cost of both
together per request from the medians, and each endpoint's ratio to the floor as the median
and spread over the rounds (the floor moves most between rounds). The CPU time per request is
the steadier figure on a shared machine: requests/s moves with whatever else runs. Rate
limits are raised for the run (they are still counted in Redis).
Needs ``wrk`` (Debian package) and the local PostgreSQL and Redis.

    python bench/api.py [--seconds 10] [--connections 32] [--rounds 3]
"""

from __future__ import annotations

import argparse
import os
import statistics
from pathlib import Path

import httpx
from common import LUA, SERVED_PORT, SERVERS, report, require_wrk, served_complex, wrk

SEED = """
from decimal import Decimal
from klustera.roles import Role
from klustera.accounts.services import create_user, issue_token
from klustera.estate.models import Unit
from klustera.tenancy.context import tenant_context
from klustera.tenancy.models import Tenant
with tenant_context(Tenant.objects.get(slug="bench")):
    Unit.objects.bulk_create(
        Unit(block="A", number=f"{n:03d}", land_area=Decimal(120)) for n in range(200)
    )
    user = create_user(phone="081300000001", name="Bench", roles=[Role.PROPERTY_MANAGER])
    print("TOKEN", issue_token(user=user, device_name="bench")[0])
"""


MODES = {
    # request log lines at INFO (JSON, to /dev/null) and Prometheus metrics counted
    "on": {"LOG_LEVEL": "INFO", "METRICS_ENABLED": "true"},
    # no request lines (WARNING) and no metrics: the cost of both together is the difference
    "off": {"LOG_LEVEL": "WARNING", "METRICS_ENABLED": "false"},
}


def measure(args: argparse.Namespace, mode: str) -> list[tuple[str, tuple[float, ...]]]:
    """Each target's requests/s, p50, p95, p99 and the server's CPU milliseconds a request."""
    with served_complex("api", SEED, args.server, **MODES[mode]) as (var_dir, seeded):
        token, base = seeded["TOKEN"], f"http://127.0.0.1:{SERVED_PORT}"
        me = httpx.get(f"{base}/api/v1/auth/me", headers={"Authorization": f"Bearer {token}"})
        assert me.status_code == 200, me.text
        script = var_dir / "report.lua"
        script.write_text(LUA)
        targets = [
            ("bare Django JSON view (/healthz)", f"{base}/healthz", ""),
            ("GET /api/v1/auth/me", f"{base}/api/v1/auth/me", token),
            ("GET /api/v1/units?per_page=20", f"{base}/api/v1/units?per_page=20", token),
        ]
        print(f"  logs and metrics {mode}:")
        results, floor = [], 0.0
        for label, url, bearer in targets:
            wrk(url, bearer, 2, args.connections, str(script))  # warm up
            before = server_cpu_seconds()
            figures = wrk(url, bearer, args.seconds, args.connections, str(script))
            cpu_ms = (server_cpu_seconds() - before) * 1000 / (figures[0] * args.seconds)
            floor = floor or figures[0]
            report(
                label,
                figures,
                ratio=f"   {figures[0] / floor:5.2f}x the floor   {cpu_ms:5.2f} ms CPU/request",
            )
            results.append((label, (*figures, cpu_ms)))
        return results


def server_cpu_seconds() -> float:
    """CPU time the server serving the benchmark (its process and every process under it) has
    used so far: unlike requests/s, a figure that other load on the machine (or a VM's stolen
    time) leaves alone."""
    tick, cpu, parent, roots = os.sysconf("SC_CLK_TCK"), {}, {}, set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            pid = int(stat.parent.name)
            parent[pid], cpu[pid] = int(fields[1]), (int(fields[11]) + int(fields[12])) / tick
            command = (stat.parent / "cmdline").read_bytes()
        except (OSError, IndexError, ValueError):
            continue  # a process that ended meanwhile
        if b"klustera.wsgi" in command and str(SERVED_PORT).encode() in command:
            roots.add(pid)

    def served(pid: int) -> bool:
        while pid > 1:
            if pid in roots:
                return True
            pid = parent.get(pid, 0)
        return False

    return sum(seconds for pid, seconds in cpu.items() if served(pid))


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--rounds", type=int, default=3, help="on/off runs, taking turns")
    parser.add_argument("--server", choices=sorted(SERVERS), default="gunicorn")
    args = parser.parse_args()
    require_wrk("bench/api.py")
    print(
        f"API benchmark: {args.server} 2 processes x 4 threads, production settings, "
        f"PostgreSQL + Redis, "
        f"wrk {args.connections} connections x {args.seconds} s"
    )
    # on and off take turns, so that the machine's other load falls on both alike
    rounds = [{mode: measure(args, mode) for mode in MODES} for _ in range(args.rounds)]
    print(
        f"  each endpoint against the floor, logs and metrics on "
        f"(median and spread of {args.rounds} round(s)):"
    )
    for index, (label, _) in enumerate(rounds[0]["on"][1:], start=1):
        ratios = [r["on"][index][1][0] / r["on"][0][1][0] for r in rounds]
        print(
            f"    {label:<34} {statistics.median(ratios):5.2f}x the floor "
            f"(from {min(ratios):.2f}x to {max(ratios):.2f}x)"
        )
    print(
        f"  cost of request logs and metrics together (time per request, on / off; "
        f"median of {args.rounds} round(s)):"
    )
    for index, (label, _) in enumerate(rounds[0]["on"]):
        on = statistics.median(r["on"][index][1][0] for r in rounds)
        off = statistics.median(r["off"][index][1][0] for r in rounds)
        cpu_on = statistics.median(r["on"][index][1][4] for r in rounds)
        cpu_off = statistics.median(r["off"][index][1][4] for r in rounds)
        print(
            f"    {label:<34} CPU {cpu_on / cpu_off - 1:+6.1%} ({cpu_on:.2f} vs {cpu_off:.2f} ms)"
            f"   throughput {off / on - 1:+6.1%} ({on:,.0f} vs {off:,.0f} requests/s)"
        )


if __name__ == "__main__":
    main()

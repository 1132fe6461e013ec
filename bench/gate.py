"""Gate benchmark: verifications of QR passes and guest codes against a live server.

Serves the app as ``bench/api.py`` does (gunicorn gthread 2x4, production
settings, PostgreSQL, Redis) and loads ``POST /api/v1/access/verify`` over
50 connections: a resident's signed pass (Ed25519 verification, the stay
lookup, a log row) and guest codes (200 multi-use invitations picked at
random: keyed-hash lookup, a use counted, a log row), beside the bare
``/healthz`` view of the same run as the floor.

Two loads, each printing requests/s, p50/p95/p99 and the ratio to the floor:

* **50 gates** (an asyncio client, see ``paced_load``): each connection is
  a gate device checking a visitor every 0.5-1.5 s (about 50 checks a
  second in all, far above any complex's peak), so checks overlap as they
  do at real gates. The gate's target is this p99: well under 100 ms.
* **saturated** (wrk): every connection sends its next check the moment the last
  one is answered; this measures throughput (latency is then queueing:
  50 / throughput on average).

    python bench/gate.py [--seconds 10] [--connections 50]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import re
import time
from pathlib import Path

import httpx
from common import LUA, SERVED_PORT, report, require_wrk, served_complex, wrk

SEED = """
from datetime import date, timedelta
from django.utils import timezone
from klustera.access.passes import issue_pass
from klustera.access.services import register_guest
from klustera.roles import Role
from klustera.accounts.services import create_user, issue_token
from klustera.estate.models import Occupancy, Resident, Unit
from klustera.tenancy.context import tenant_context
from klustera.tenancy.models import Tenant
with tenant_context(Tenant.objects.get(slug="bench")):
    unit = Unit.objects.create(block="A", number="001")
    user = create_user(phone="081300000002", name="Warga", roles=[Role.RESIDENT])
    resident = Resident.objects.create(name="Warga", phone=user.phone, user=user)
    Occupancy.objects.create(unit=unit, resident=resident, role="owner", start_on=date(2025, 1, 1))
    guard = create_user(phone="081300000003", name="Satpam", roles=[Role.SECURITY_STAFF])
    now = timezone.now()
    codes = [
        register_guest(host=user, unit=unit, guest_name=f"Tamu {n}", starts_at=now,
                       ends_at=now + timedelta(hours=2), multi_use=True)[1]
        for n in range(200)
    ]
    print("TOKEN", issue_token(user=guard, device_name="bench")[0])
    print("PASS", issue_pass(resident).token)
    print("CODES", ",".join(codes))
"""


async def gate_device(
    path: str, headers: str, bodies: list[str], seconds: float, latencies: list[float]
) -> None:
    """One gate: a kept-alive connection checking a visitor every 0.5-1.5 s.

    The connection's first request is not counted: it opens the connection
    and warms it, as a gate device does when the guard starts the shift.
    """
    reader, writer = await asyncio.open_connection("127.0.0.1", SERVED_PORT)
    method = "POST" if bodies else "GET"

    async def check() -> float:
        body = random.choice(bodies) if bodies else ""
        writer.write(
            f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{SERVED_PORT}\r\n{headers}"
            f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n{body}"
            .encode()
        )  # fmt: skip
        started = time.perf_counter()
        head = await reader.readuntil(b"\r\n\r\n")
        assert head.startswith(b"HTTP/1.1 200"), head
        length = re.search(rb"(?i)content-length: *(\d+)", head)
        assert length, head
        await reader.readexactly(int(length.group(1)))
        return time.perf_counter() - started

    await check()
    await asyncio.sleep(random.uniform(0, 1.5))
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        latencies.append(await check())
        await asyncio.sleep(random.uniform(0.5, 1.5))
    writer.close()


def paced_load(
    path: str, token: str, payloads: list[str], seconds: int, gates: int
) -> tuple[float, ...]:
    """``gates`` devices at once; requests/s and p50/p95/p99 in milliseconds.

    wrk cannot pace this load honestly: its ``delay()`` also runs before a
    connection's first request, so every new connection first sits open and
    idle. Since gunicorn 24, the gthread worker gives a new connection a
    thread at once and the thread waits for its first bytes, so idle
    connections hold the threads and the other checks wait behind them:
    hundreds of milliseconds that real gate devices, which send as soon as
    they connect, never see.
    """
    headers = f"Authorization: Bearer {token}\r\n" if token else ""
    bodies = [json.dumps({"payload": p, "gate": "Bench"}) for p in payloads]
    latencies: list[float] = []

    async def run() -> None:
        await asyncio.gather(
            *(gate_device(path, headers, bodies, seconds, latencies) for _ in range(gates))
        )

    asyncio.run(run())
    latencies.sort()
    ms = [1000 * latencies[int(len(latencies) * q)] for q in (0.5, 0.95, 0.99)]
    return (len(latencies) / seconds, *ms)


def post_script(directory: Path, name: str, payloads: list[str]) -> str:
    """A wrk script posting one of ``payloads`` at random."""
    bodies = ", ".join(
        "'" + json.dumps({"payload": p, "gate": "Bench"}).replace("'", "\\'") + "'"
        for p in payloads
    )
    script = directory / f"{name}.lua"
    script.write_text(
        'wrk.method = "POST"\n'
        'wrk.headers["Content-Type"] = "application/json"\n'
        f"local bodies = {{{bodies}}}\n"
        "request = function()\n"
        "  return wrk.format(nil, nil, nil, bodies[math.random(#bodies)])\n"
        "end\n" + LUA
    )
    return str(script)


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=50)
    args = parser.parse_args()
    require_wrk("bench/gate.py")
    with served_complex("gate", SEED) as (directory, seeded):
        token, pass_token = seeded["TOKEN"], seeded["PASS"]
        codes = [code.lower() for code in seeded["CODES"].split(",")]  # typed in any case
        base = f"http://127.0.0.1:{SERVED_PORT}"
        check = httpx.post(
            f"{base}/api/v1/access/verify",
            json={"payload": pass_token, "gate": "Bench"},
            headers={"Authorization": f"Bearer {token}"},
        )
        assert check.json()["data"]["result"] == "valid", check.text
        floor_script = directory / "floor.lua"
        floor_script.write_text(LUA)
        verify = "/api/v1/access/verify"
        targets = [
            ("bare Django JSON view (/healthz)", "/healthz", "", [], str(floor_script)),
            ("verify a resident's QR pass", verify, token, [pass_token],
             post_script(directory, "pass", [pass_token])),
            ("verify a guest code", verify, token, codes,
             post_script(directory, "code", codes)),
        ]  # fmt: skip
        print(
            "Gate benchmark: gunicorn gthread 2x4, production settings, PostgreSQL + Redis, "
            f"{args.connections} connections x {args.seconds} s"
        )
        print(f"{args.connections} gates, each checking every 0.5-1.5 s:")
        for label, path, bearer, payloads, script in targets:
            # every server thread warmed first (its database connection, its caches), as a
            # complex's gates have done long before the evening rush
            wrk(base + path, bearer, 2, args.connections, script)
            report(label, paced_load(path, bearer, payloads, args.seconds, args.connections))
        print("saturated (wrk: each connection checks again as soon as it is answered):")
        floor = 1.0
        for label, path, bearer, _, script in targets:
            wrk(base + path, bearer, 2, args.connections, script)  # warm up
            figures = wrk(base + path, bearer, args.seconds, args.connections, script)
            floor = figures[0] if not bearer else floor
            report(label, figures, ratio=f"   {figures[0] / floor:5.2f}x the floor")


if __name__ == "__main__":
    main()

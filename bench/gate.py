"""Gate benchmark: verifications of QR passes and guest codes against a live server.

Serves the app as ``bench/api.py`` does (gunicorn gthread 2x4, production
settings, PostgreSQL, Redis) and loads ``POST /api/v1/access/verify`` with wrk
at 50 connections: a resident's signed pass (Ed25519 verification, the stay
lookup, a log row) and guest codes (200 multi-use invitations picked at
random: keyed-hash lookup, a use counted, a log row), beside the bare
``/healthz`` view of the same run as the floor.

Two loads, each printing requests/s, p50/p95/p99 and the ratio to the floor:

* **50 gates**: each connection is a gate device checking a visitor every
  0.5-1.5 s (about 50 checks a second in all, far above any complex's peak),
  so checks overlap as they do at real gates. The gate's target is this
  p99: well under 100 ms.
* **saturated**: every connection sends its next check the moment the last
  one is answered; this measures throughput (latency is then queueing:
  50 / throughput on average).

    python bench/gate.py [--seconds 10] [--connections 50]
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
from pathlib import Path

import httpx
from api import LUA, PORT, PREFIX, wrk
from common import (
    create_bench_complex,
    create_database,
    drop_databases,
    production_environment,
    start_gunicorn,
)

SEED = """
from datetime import date, timedelta
from django.utils import timezone
from klustera.access.passes import issue_pass
from klustera.access.services import register_guest
from klustera.accounts.roles import Role
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

PACED = """
delay = function()
  return math.random(500, 1500)
end
"""


def post_script(directory: Path, name: str, payloads: list[str], *, paced: bool) -> str:
    """A wrk script posting one of ``payloads`` at random, paced like a gate or not."""
    bodies = ", ".join(
        "'" + json.dumps({"payload": p, "gate": "Bench"}).replace("'", "\\'") + "'"
        for p in payloads
    )
    script = directory / f"{name}-{'paced' if paced else 'saturated'}.lua"
    script.write_text(
        'wrk.method = "POST"\n'
        'wrk.headers["Content-Type"] = "application/json"\n'
        f"local bodies = {{{bodies}}}\n"
        "request = function()\n"
        "  return wrk.format(nil, nil, nil, bodies[math.random(#bodies)])\n"
        "end\n" + (PACED if paced else "") + LUA
    )
    return str(script)


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=50)
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("bench/gate.py needs wrk: apt-get install wrk")
    drop_databases(PREFIX)
    create_database(PREFIX + "platform")
    with tempfile.TemporaryDirectory(prefix="klustera-bench-gate-") as var_dir:
        env = production_environment(var_dir, prefix=PREFIX, redis_db=14)
        seeded = create_bench_complex(env, SEED)
        values = dict(line.split(" ", 1) for line in seeded.splitlines() if " " in line)
        token, pass_token = values["TOKEN"], values["PASS"]
        codes = [code.lower() for code in values["CODES"].split(",")]  # typed in any case
        server = start_gunicorn(env, PORT)
        try:
            base = f"http://127.0.0.1:{PORT}"
            directory = Path(var_dir)
            check = httpx.post(
                f"{base}/api/v1/access/verify",
                json={"payload": pass_token, "gate": "Bench"},
                headers={"Authorization": f"Bearer {token}"},
            )
            assert check.json()["data"]["result"] == "valid", check.text
            floor_scripts = {True: directory / "floor-paced.lua", False: directory / "floor.lua"}
            floor_scripts[True].write_text(PACED + LUA)
            floor_scripts[False].write_text(LUA)
            verify = f"{base}/api/v1/access/verify"
            print(
                f"Gate benchmark: gunicorn gthread 2x4, production settings, PostgreSQL + Redis, "
                f"wrk {args.connections} connections x {args.seconds} s"
            )
            floor = 1.0
            for paced in (True, False):
                targets = [
                    ("bare Django JSON view (/healthz)", f"{base}/healthz", "",
                     str(floor_scripts[paced])),
                    ("verify a resident's QR pass", verify, token,
                     post_script(directory, "pass", [pass_token], paced=paced)),
                    ("verify a guest code", verify, token,
                     post_script(directory, "code", codes, paced=paced)),
                ]  # fmt: skip
                print(
                    f"{args.connections} gates, each checking every 0.5-1.5 s:"
                    if paced
                    else "saturated (each connection checks again as soon as it is answered):"
                )
                for label, url, bearer, script in targets:
                    wrk(url, bearer, 2, args.connections, script)  # warm up
                    rps, p50, p95, p99 = wrk(url, bearer, args.seconds, args.connections, script)
                    floor = rps if not bearer else floor
                    ratio = "" if paced else f"   {rps / floor:5.2f}x the floor"
                    print(
                        f"  {label:<34} {rps:8.0f} req/s   p50 {p50:6.1f} ms   "
                        f"p95 {p95:6.1f} ms   p99 {p99:6.1f} ms{ratio}"
                    )
        finally:
            server.terminate()
            server.wait(timeout=30)
            drop_databases(PREFIX)


if __name__ == "__main__":
    main()

"""API benchmark: production settings under gunicorn, PostgreSQL and Redis, loaded by wrk.

Serves the app with gunicorn (gthread, 2 workers x 4 threads) in production
mode against a PostgreSQL platform database, a PostgreSQL tenant database and
Redis (cache, rate-limit counters), then loads three endpoints with wrk:

* ``GET /healthz``: a bare Django JSON view through the same middleware (the floor);
* ``GET /api/v1/auth/me``: bearer-token authentication, the tenant named by the token;
* ``GET /api/v1/units?per_page=20``: a paginated list of 200 units.

Prints requests/s and p50/p95/p99 for each, and our overhead as the ratio to
the floor. Rate limits are raised for the run (they are still counted in Redis).
Needs ``wrk`` (Debian package) and the local PostgreSQL and Redis.

    python bench/api.py [--seconds 10] [--connections 32]
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import httpx
from common import (
    create_bench_complex,
    create_database,
    drop_databases,
    production_environment,
    start_gunicorn,
)

ROOT = Path(__file__).resolve().parent.parent
PREFIX = "klustera_bench_api_"
PORT = 8765
LUA = """
done = function(summary, latency, requests)
  io.write(string.format("RESULT %f %f %f %f\\n", summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000))
end
"""


SEED = """
from decimal import Decimal
from klustera.accounts.roles import Role
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


def wrk(url: str, token: str, seconds: int, connections: int, script: str) -> tuple[float, ...]:
    command = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "-s", script, url]
    if token:
        command[1:1] = ["-H", f"Authorization: Bearer {token}"]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    match = re.search(r"RESULT ([\d.]+) ([\d.]+) ([\d.]+) ([\d.]+)", output)
    assert match, output
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    assert non_2xx is None, f"{url}: {non_2xx.group(0)}"
    return tuple(float(x) for x in match.groups())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=32)
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("bench/api.py needs wrk: apt-get install wrk")

    drop_databases(PREFIX)
    create_database(PREFIX + "platform")
    with tempfile.TemporaryDirectory(prefix="klustera-bench-api-") as var_dir:
        env = production_environment(var_dir, prefix=PREFIX, redis_db=14)
        klustera = [sys.executable, "-m", "klustera"]
        seeded = create_bench_complex(env, SEED)
        token = seeded.split("TOKEN ")[1].strip()
        subprocess.run(
            [*klustera, "collectstatic", "--noinput"], env=env, check=True, capture_output=True
        )
        server = start_gunicorn(env, PORT)
        try:
            base = f"http://127.0.0.1:{PORT}"
            me = httpx.get(f"{base}/api/v1/auth/me", headers={"Authorization": f"Bearer {token}"})
            assert me.status_code == 200, me.text
            script = Path(var_dir) / "report.lua"
            script.write_text(LUA)
            targets = [
                ("bare Django JSON view (/healthz)", f"{base}/healthz", ""),
                ("GET /api/v1/auth/me", f"{base}/api/v1/auth/me", token),
                ("GET /api/v1/units?per_page=20", f"{base}/api/v1/units?per_page=20", token),
            ]
            print(
                f"API benchmark: gunicorn gthread 2x4, production settings, PostgreSQL + Redis, "
                f"wrk {args.connections} connections x {args.seconds} s"
            )
            floor = None
            for label, url, bearer in targets:
                wrk(url, bearer, 2, args.connections, str(script))  # warm up
                rps, p50, p95, p99 = wrk(url, bearer, args.seconds, args.connections, str(script))
                floor = floor or rps
                print(
                    f"  {label:<34} {rps:8.0f} req/s   p50 {p50:6.1f} ms   p95 {p95:6.1f} ms   "
                    f"p99 {p99:6.1f} ms   {rps / floor:5.2f}x the floor"
                )
        finally:
            server.terminate()
            server.wait(timeout=30)
            drop_databases(PREFIX)


if __name__ == "__main__":
    main()

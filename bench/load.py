"""Load benchmark: the whole scaled-out stack (``stack/``: nginx, two gunicorn instances,
PgBouncer per cluster, two PostgreSQL clusters and a replica, Redis, a worker per queue) and
the Xendit simulator, under load, in one run, all on this machine (the load generators too).

1. **1,000 people across 100 complexes** (locust, headless; ``load_users.py``): residents
   open home, invoices and an invoice's PDF and pay through the simulator, guards check
   codes, managers open the dashboard and reports, with 5–15 s between actions. Prints
   requests/s, p50/p95/p99 per kind of request and the errors, against the target p95 < 200 ms,
   where the machine's CPU went, and how many of the payments started were confirmed by the
   simulator's callback. A second, lighter run (200 people by default) shows the load this
   one machine carries within the target.
2. **1,000 complexes on one PostgreSQL**: cluster b (its own PostgreSQL behind its own
   PgBouncer, as deployed: room for 1,200 server connections) is filled up to 1,000
   complexes, each asked once to open its pool; wrk asks ``auth/me`` (the token checked in the
   complex's database) of one complex, then of all 1,000 in turn, three times over, and
   prints each run (with where the machine's CPU went) and the ratio of the medians
   (target ≤ 1.2×). Then PgBouncer's bound is lowered to a fifth of the complexes and all are
   asked in turn again: the most connections PostgreSQL b had open stays within the bound,
   not the number of complexes, and the latency shows what that costs.

    python bench/load.py [--users 1000,200] [--complexes 100] [--minutes 4] [--many 1000]
                         [--part people|many|both]
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import httpx

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))  # the stack package lives beside klustera, not in it

from common import LUA, report, require_wrk, wrk  # noqa: E402

from stack import pgbouncer, topology  # noqa: E402
from stack.common import free_port, wait_for_port  # noqa: E402

LIMITS = {  # the load measures the stack, not the rate limits (tested on their own)
    "RATE_LIMIT_IP": "100000000/min",
    "RATE_LIMIT_USER": "100000000/hour",
    "RATE_LIMIT_GATE": "100000000/min",
}
TARGET_P95_MS = 200
ROUNDS = 3  # of part 2's one-complex and all-complexes runs
ROUND_ROBIN = """
local people = {}
init = function(args)
  for line in io.lines(args[1]) do
    local slug, token = line:match("(%S+) (%S+)")
    table.insert(people, {slug, token})
  end
  turn = math.random(#people)
end
request = function()
  turn = turn % #people + 1
  local who = people[turn]
  return wrk.format("GET", "/c/" .. who[1] .. "/api/v1/auth/me",
                    {["Authorization"] = "Bearer " .. who[2]})
end
"""


def seed(stack: topology.Stack, first: int, count: int, clusters: str, out: Path,
         *, bare: bool = False) -> list[dict]:  # fmt: skip
    """Provision complexes ``first …`` in two processes; returns what load_seed wrote."""
    halves = [(first, count // 2), (first + count // 2, count - count // 2)]
    parts = [out.with_suffix(f".{n}") for n in range(2)]
    script = [sys.executable, str(HERE / "load_seed.py")]
    processes = [
        subprocess.Popen(
            [*script, str(start), str(size), clusters, str(part), *(["--bare"] if bare else [])],
            env=stack.env,
            stderr=part.with_suffix(part.suffix + ".log").open("w"),
        )
        for (start, size), part in zip(halves, parts, strict=True)
    ]
    for process, part in zip(processes, parts, strict=True):
        if process.wait(timeout=3600):
            log = part.with_suffix(part.suffix + ".log").read_text()
            raise SystemExit(f"seeding failed:\n{log[-5000:]}")
    people = [json.loads(line) for part in parts for line in part.read_text().splitlines()]
    with out.open("a") as lines:
        lines.writelines(json.dumps(each) + "\n" for each in people)
    return people


def drain(stack: topology.Stack, timeout: float = 900) -> float:
    """Wait until the workers have done what was queued (PDFs, announcements); how long."""
    names = [name for queues in topology.WORKERS for name in queues]
    count = (
        f"from klustera.tasks import queue\nprint(sum(queue(n).pending_count() for n in {names}))"
    )
    started = time.monotonic()
    while int(stack.klustera("shell", "--no-imports", "-c", count).strip() or 0):
        if time.monotonic() > started + timeout:
            raise SystemExit("the queues did not drain")
        time.sleep(5)
    return time.monotonic() - started


@contextmanager
def xendit_simulator(stack: topology.Stack, port: int, people: list[dict]) -> Iterator[None]:
    accounts = stack.root / "xendit-sim.json"
    accounts.write_text(json.dumps([each["xendit"] for each in people]))
    process = subprocess.Popen(
        [sys.executable, "-m", "klustera", "xendit-sim", "--port", str(port),
         "--accounts", str(accounts)],
        env=stack.env, stdout=subprocess.DEVNULL, stderr=(stack.root / "xendit.log").open("ab"),
    )  # fmt: skip
    try:
        wait_for_port(port)
        yield
    finally:
        process.terminate()
        process.wait(30)


GROUPS = (  # where the machine's CPU went, by what the process runs
    ("the load generator (locust, wrk)", ("locust", "wrk")),
    ("app instances (gunicorn)", ("gunicorn",)),
    ("the documents worker (PDFs)", ("--queue documents",)),
    ("the other workers", ("klustera worker",)),
    ("PostgreSQL (a, b, replica)", ("postgres",)),
    ("PgBouncer", ("pgbouncer",)),
    ("nginx", ("nginx",)),
    ("Redis", ("redis-server",)),
    ("Xendit simulator, S3 server", ("xendit-sim", "moto.server")),
    # not the project's: on some machines the kernel's memory monitoring (DAMON) takes a
    # share that grows with the memory in use, and makes runs of the same thing differ
    ("the kernel's threads (kdamond, kworker)", ("kdamond", "kworker", "kswapd", "ksoftirqd")),
)


def _cpu_by_group() -> dict[str, float]:
    """CPU seconds so far per group: ended processes too — a PostgreSQL server's backends, a
    gunicorn master's workers (replaced after ``--max-requests``, some during a run) and this
    script's children (locust or wrk, which run and end inside the measured block)."""
    import psutil

    spent = dict.fromkeys([name for name, _ in GROUPS] + ["other"], 0.0)
    ended = resource.getrusage(resource.RUSAGE_CHILDREN)
    spent[GROUPS[0][0]] = ended.ru_utime + ended.ru_stime
    for process in psutil.process_iter(["name", "cmdline", "cpu_times"]):
        times = process.info["cpu_times"]
        if times is None:
            continue
        line = " ".join(process.info["cmdline"] or [process.info["name"] or ""])
        group = next((name for name, marks in GROUPS if any(m in line for m in marks)), "other")
        spent[group] += times.user + times.system
        server = process.info["name"] == "postgres" and "-D" in line
        if server or "gunicorn" in line:  # what its ended children spent
            spent[group] += times.children_user + times.children_system
    return spent


@contextmanager
def cpu_split() -> Iterator[None]:
    """Print where the machine's CPU went while the block ran."""
    before, started = _cpu_by_group(), time.monotonic()
    yield
    after, seconds = _cpu_by_group(), time.monotonic() - started
    cores = os.cpu_count() or 1
    parts = [
        f"{name} {100 * (after[name] - before[name]) / (seconds * cores):.0f} %"
        for name in after
        if after[name] - before[name] >= 0.01 * seconds * cores
    ]
    print(f"  CPU of the {cores} cores: {', '.join(parts)}")


def run_people(stack: topology.Stack, people_file: Path, users: int, minutes: float) -> None:
    stats = stack.root / "locust"
    locust = [
        sys.executable, "-m", "locust", "-f", str(HERE / "load_users.py"), "--headless",
        "--users", str(users), "--spawn-rate", "20", "--run-time", f"{int(minutes * 60)}s",
        "--host", stack.url, "--csv", str(stats), "--reset-stats", "--only-summary",
        "--loglevel", "ERROR", "--stop-timeout", "30",
    ]  # fmt: skip
    # (locust exits 1 when a request failed: the figures below say which, so no check)
    with cpu_split():
        subprocess.run(
            locust,
            env={**os.environ, "LOAD_PEOPLE": str(people_file)},
            stdout=subprocess.DEVNULL,
            stderr=(stack.root / "locust.log").open("ab"),
            timeout=minutes * 60 + 600,
            check=False,
        )
    rows = list(csv.DictReader((stack.root / "locust_stats.csv").open()))
    print(f"  {'':<30} {'requests':>9} {'errors':>7} {'req/s':>7} {'p50':>6} {'p95':>6} {'p99':>6}")
    for row in rows:
        name = row["Name"] if row["Name"] != "Aggregated" else "all requests"
        print(
            f"  {name:<30} {row['Request Count']:>9} {row['Failure Count']:>7} "
            f"{float(row['Requests/s']):7.1f} {row['50%']:>6} {row['95%']:>6} {row['99%']:>6}"
        )
    total = rows[-1]
    verdict = "met" if float(total["95%"]) < TARGET_P95_MS else "NOT met"
    print(f"  (ms) target p95 < {TARGET_P95_MS} ms over all requests: {verdict}")
    failures = stack.root / "locust_failures.csv"
    for row in list(csv.DictReader(failures.open()))[:10]:
        print(f"  error: {row['Name']}: {row['Error'][:400]} ×{row['Occurrences']}")


PAYMENTS = """
from collections import Counter
from klustera.payments.models import PaymentAttempt
from klustera.tenancy.context import tenant_context
from klustera.tenancy.models import Tenant
seen = Counter()
for tenant in Tenant.objects.filter(slug__startswith="load-"):
    with tenant_context(tenant):
        seen.update(PaymentAttempt.objects.values_list("status", flat=True))
print(" ".join(f"{status}={n}" for status, n in sorted(seen.items())))
"""


@contextmanager
def most_connections(stack: topology.Stack) -> Iterator[list[int]]:
    """The most client connections PostgreSQL b had open while the block ran (sampled)."""
    import psycopg

    seen = [0]
    stop = threading.Event()
    url = f"postgres://postgres@127.0.0.1:{stack.clusters['b'].port}/postgres"

    def sample() -> None:
        with psycopg.connect(url, autocommit=True) as conn:
            while not stop.wait(0.2):
                (open_,) = conn.execute(
                    "SELECT count(*) - 1 FROM pg_stat_activity"
                    " WHERE backend_type = 'client backend'"
                ).fetchone()  # type: ignore[misc]
                seen[0] = max(seen[0], open_)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    try:
        yield seen
    finally:
        stop.set()
        sampler.join(5)


def ask_each_once(stack: topology.Stack, who: Path) -> None:
    """``auth/me`` of every complex in ``who`` once, 8 at a time: each pool opened before wrk
    measures (a first request to a complex starts its PostgreSQL backend)."""
    people = [line.split() for line in who.read_text().splitlines()]
    with httpx.Client(base_url=stack.url, timeout=60) as client:

        def ask(person: list[str]) -> None:
            slug, token = person
            answer = client.get(
                f"/c/{slug}/api/v1/auth/me", headers={"Authorization": f"Bearer {token}"}
            )
            assert answer.status_code == 200, (slug, answer.status_code)

        with ThreadPoolExecutor(8) as pool:
            list(pool.map(ask, people))


def many_complexes(stack: topology.Stack, people_file: Path, many: int, seconds: int) -> None:
    people = [json.loads(line) for line in people_file.read_text().splitlines()]
    on_b = [each for each in people if int(each["slug"].split("-")[1]) % 2]  # odd: cluster b
    started = time.monotonic()
    added = seed(stack, 10_000, many - len(on_b), "b", stack.root / "many.jsonl", bare=True)
    print(f"  {len(added)} more complexes provisioned on b in {time.monotonic() - started:.0f} s")
    on_b += added
    everyone = stack.root / "everyone.txt"
    everyone.write_text("".join(f"{p['slug']} {p['managers'][0]['token']}\n" for p in on_b))
    one = stack.root / "one.txt"
    one.write_text(everyone.read_text().splitlines()[0] + "\n")
    script = stack.root / "round-robin.lua"
    script.write_text(ROUND_ROBIN + LUA)
    bound = int(pgbouncer.deployed("max_user_connections"))
    lower = len(on_b) // 5

    def measure(label: str, who: Path) -> tuple[float, ...]:
        ask_each_once(stack, who)
        wrk(stack.url, "", 5, 8, str(script), str(who))  # a warm-up, not counted
        with cpu_split():
            with most_connections(stack) as seen:
                figures = wrk(stack.url, "", seconds, 8, str(script), str(who))
            report(label, figures, f"   PostgreSQL b: at most {seen[0]} connections open")
        return figures

    # Taken in turns, three times, and compared by their medians: on a shared machine one run
    # alone can be a third slower or faster than the next.
    ones, alls = [], []
    for round_ in range(1, ROUNDS + 1):
        ones.append(measure(f"one complex ({round_})", one))
        alls.append(measure(f"all {len(on_b)} in turn ({round_})", everyone))
    one_figures, all_figures = _median(ones), _median(alls)
    print(f"  all/one, medians: {_ratios(all_figures, one_figures)} (target: latency <= 1.2x); "
          f"PgBouncer's bound: {bound} server connections (its deployed ini)")  # fmt: skip
    stack.pools["b"].admin(f"SET max_user_connections = {lower}")
    stack.pools["b"].admin("RECONNECT")  # the connections beyond it close as they come free
    fewer = measure(f"all {len(on_b)}, bound {lower}", everyone)
    print(f"  bound {lower} for {len(on_b)} complexes, against one complex's median: "
          f"{_ratios(fewer, one_figures)}")  # fmt: skip


def _median(runs: list[tuple[float, ...]]) -> tuple[float, ...]:
    return tuple(statistics.median(column) for column in zip(*runs, strict=True))


def _ratios(some: tuple[float, ...], base: tuple[float, ...]) -> str:
    (rps, p50, p95, _), (rps_1, p50_1, p95_1, _) = some, base
    return f"p50 {p50 / p50_1:.2f}x, p95 {p95 / p95_1:.2f}x, requests/s {rps / rps_1:.2f}x"


def run_people_part(
    stack: topology.Stack, people_file: Path, options: argparse.Namespace, simulator: int
) -> None:
    started = time.monotonic()
    people = seed(stack, 0, options.complexes, "default,b", people_file)
    drain(stack)
    took = time.monotonic() - started
    print(f"  {len(people)} complexes (half on each cluster) seeded in {took:.0f} s")
    with xendit_simulator(stack, simulator, people):
        for users in options.users:
            print(f"\n{users} people across {len(people)} complexes, "
                  f"{options.minutes:g} minutes after ramp-up:")  # fmt: skip
            run_people(stack, people_file, users, options.minutes)
            # the next run starts with empty queues: what this one queued is its own
            print(f"  the workers caught up {drain(stack):.0f} s after the run")
        time.sleep(5)  # the last callbacks' way back
    attempts = stack.klustera("shell", "--no-imports", "-c", PAYMENTS).strip()
    print(f"  payment attempts by status, all runs: {attempts}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--users", default="1000,200", help="simulated people in each run, comma-separated"
    )
    parser.add_argument("--complexes", type=int, default=100)
    parser.add_argument("--minutes", type=float, default=4)
    parser.add_argument("--many", type=int, default=1000, help="complexes on PostgreSQL b")
    parser.add_argument("--seconds", type=int, default=20, help="each wrk run of part 2")
    parser.add_argument("--part", choices=("people", "many", "both"), default="both")
    options = parser.parse_args()
    options.users = [int(n) for n in options.users.split(",")]
    require_wrk(__file__)
    root = Path(tempfile.mkdtemp(prefix="klustera-load-", dir="/tmp"))
    simulator = free_port()
    started = time.monotonic()
    simulated = {"XENDIT_API_URL": f"http://127.0.0.1:{simulator}"}
    stack = topology.up(root, extra_env={**LIMITS, **simulated})
    finished = False
    try:
        print(f"Load: the stack up in {time.monotonic() - started:.0f} s ({root})")
        people_file = root / "people.jsonl"
        people_file.touch()
        if options.part in ("people", "both"):
            run_people_part(stack, people_file, options, simulator)
        if options.part in ("many", "both"):
            print(f"\n{options.many} complexes on one PostgreSQL (through its PgBouncer):")
            many_complexes(stack, people_file, options.many, options.seconds)
        finished = True
    finally:
        stack.down()
        if finished:
            shutil.rmtree(root, ignore_errors=True)
        else:
            print(f"Logs and data kept in {root}")


if __name__ == "__main__":
    main()

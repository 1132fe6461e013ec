"""Where a request's time goes: the hot API paths profiled in-process with pyinstrument.

Production settings on PostgreSQL and Redis (as ``bench/api.py``), the WSGI application
called directly — no server, no network — ``--requests`` times per endpoint after a warm-up.
Prints each endpoint's microseconds per request and the costliest frames (own time summed by
module and function), so that what to cut is read off, not guessed.

    python bench/profile.py [--requests 2000] [--top 25] [--html DIR] [--only verify]
"""

from __future__ import annotations

import argparse
import collections
import io
import json
import os
import sys
import tempfile
import time
from pathlib import Path

from api import SEED as API_SEED
from common import (
    SERVED_PREFIX,
    create_bench_complex,
    create_database,
    drop_databases,
    production_environment,
)

# bench/api.py's complex (200 units, a manager's token), and a guard with a guest code to check
SEED = (
    API_SEED
    + """
from datetime import date, timedelta
from django.utils import timezone
from klustera.access.passes import issue_pass
from klustera.access.services import register_guest
from klustera.community.services.announcements import post_announcement
from klustera.estate.models import Occupancy, Resident
from klustera.privacy.services import accept_notice
with tenant_context(Tenant.objects.get(slug="bench")):
    unit = Unit.objects.get(number="000")
    host = create_user(phone="081300000002", name="Warga", roles=[Role.RESIDENT])
    resident = Resident.objects.create(name="Warga", phone=host.phone, user=host)
    Occupancy.objects.create(unit=unit, resident=resident, role="owner", start_on=date(2025, 1, 1))
    guard = create_user(phone="081300000003", name="Satpam", roles=[Role.SECURITY_STAFF])
    now = timezone.now()
    print("CODE", register_guest(host=host, unit=unit, guest_name="Tamu", starts_at=now,
                                 ends_at=now + timedelta(hours=2), multi_use=True)[1])
    print("GUARD", issue_token(user=guard, device_name="bench")[0])
    print("PASS", issue_pass(resident).token)
    print("RESIDENT", issue_token(user=host, device_name="bench")[0])
    for person in (user, host):  # people at work have accepted the privacy notice
        accept_notice(user=person, opt_ins={}, method="registration")
    for n in range(60):  # a year of notices by bench/api.py's manager, a third for block A
        post_announcement(actor=user, title=f"Info {n}", body="Kerja bakti Minggu. " * 20,
                          blocks=["A"] if n % 3 == 0 else None, pinned=n == 7, send=False)
"""
)


def environ(path: str, token: str, body: bytes) -> dict[str, object]:
    target, _, query = path.partition("?")
    return {
        "REQUEST_METHOD": "POST" if body else "GET", "PATH_INFO": target, "QUERY_STRING": query,
        "CONTENT_TYPE": "application/json", "CONTENT_LENGTH": str(len(body)),
        "SERVER_NAME": "localhost", "SERVER_PORT": "80", "HTTP_HOST": "localhost",
        "REMOTE_ADDR": "127.0.0.1", "HTTP_AUTHORIZATION": f"Bearer {token}" if token else "",
        "wsgi.input": io.BytesIO(body), "wsgi.url_scheme": "http", "wsgi.errors": sys.stderr,
        "wsgi.version": (1, 0), "wsgi.multithread": True, "wsgi.multiprocess": True,
        "wsgi.run_once": False,
    }  # fmt: skip


def call(app, path: str, token: str, body: bytes) -> None:  # type: ignore[no-untyped-def]
    statuses = []
    answer = app(environ(path, token, body), lambda status, headers: statuses.append(status))
    b"".join(answer)
    getattr(answer, "close", lambda: None)()
    assert statuses[0].startswith("200"), (path, statuses[0])


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--html", type=Path, help="also write pyinstrument's HTML per endpoint")
    parser.add_argument("--only", default="", help="only the endpoints whose label has this")
    args = parser.parse_args()
    from pyinstrument import Profiler

    drop_databases(SERVED_PREFIX)
    create_database(SERVED_PREFIX + "platform")
    with tempfile.TemporaryDirectory(prefix="klustera-bench-profile-") as var_dir:
        env = production_environment(var_dir, prefix=SERVED_PREFIX, redis_db=14)
        printed = create_bench_complex(env, SEED).splitlines()
        seeded = dict(line.split(" ", 1) for line in printed if " " in line)
        os.environ.update(env)
        import django
        from django.core.wsgi import get_wsgi_application

        django.setup()
        app = get_wsgi_application()
        token, guard, resident = seeded["TOKEN"], seeded["GUARD"], seeded["RESIDENT"]
        code = json.dumps({"payload": seeded["CODE"], "gate": "Bench"}).encode()
        qr = json.dumps({"payload": seeded["PASS"], "gate": "Bench"}).encode()
        targets = [
            ("bare Django JSON view (/healthz)", "/healthz", "", b""),
            ("GET /api/v1/auth/me", "/api/v1/auth/me", token, b""),
            ("GET /api/v1/units?per_page=20", "/api/v1/units?per_page=20", token, b""),
            ("GET /api/v1/announcements (a resident)", "/api/v1/announcements", resident, b""),
            ("POST /api/v1/access/verify (a QR pass)", "/api/v1/access/verify", guard, qr),
            ("POST /api/v1/access/verify (a guest code)", "/api/v1/access/verify", guard, code),
        ]
        targets = [target for target in targets if args.only in target[0]]
        try:
            for label, path, bearer, body in targets:
                for _ in range(200):
                    call(app, path, bearer, body)  # warm up: connections, caches, imports
                started = time.perf_counter()
                for _ in range(args.requests):
                    call(app, path, bearer, body)
                elapsed = (time.perf_counter() - started) / args.requests
                profiler = Profiler(interval=0.001)
                with profiler:
                    for _ in range(args.requests):
                        call(app, path, bearer, body)
                print(f"\n{label}: {elapsed * 1e6:,.0f} µs a request; where it goes (profiled):")
                frames = top_frames(profiler, args.top)
                profiled = sum(seconds for _, seconds in frames[1]) or 1.0
                for name, seconds in frames[0]:
                    share = seconds / profiled
                    print(f"  {share:6.1%} ≈{share * elapsed * 1e6:6.0f} µs  {name}")
                if args.html:
                    args.html.mkdir(parents=True, exist_ok=True)
                    name = path.strip("/").replace("/", "_").split("?")[0]
                    (args.html / f"{name}.html").write_text(profiler.output_html())
        finally:
            from django.db import connections

            connections.close_all()
            drop_databases(SERVED_PREFIX)


def top_frames(profiler, top: int):  # type: ignore[no-untyped-def]
    """Own time summed by who asked for it: the innermost frame of ours on the stack and the
    first library call it made (``accounts/authentication.py:authenticate → …query.py:first``)."""
    totals: collections.Counter[str] = collections.Counter()

    def walk(frame, ours: str, entry: str) -> None:  # type: ignore[no-untyped-def]
        path = frame.file_path_short or ""
        full = frame.file_path or ""
        if f"{os.sep}klustera{os.sep}" in full and "site-packages" not in full:
            path = full.rsplit(f"{os.sep}klustera{os.sep}", 1)[1]
            ours, entry = f"{path}:{frame.function}", ""
        elif path.endswith("profile.py"):
            ours, entry = "", ""
        elif not entry:
            entry = f"{path}:{frame.function}"
        totals[f"{ours or '-'} → {entry or '(own)'}"] += frame.total_self_time
        for child in frame.children:
            walk(child, ours, entry)

    session = profiler.last_session
    assert session is not None
    root = session.root_frame()
    if root is not None:
        walk(root, "", "")
    return totals.most_common(top), totals.items()


if __name__ == "__main__":
    main()

"""The whole scaled-out topology on this machine:

    nginx ──► gunicorn ×N ──┬──► PgBouncer a ──► PostgreSQL a ──(streaming)──► replica a'
                            ├──► PgBouncer b ──► PostgreSQL b
                            ├──► Redis (AOF) ◄── a worker per queue
                            └──► S3 bucket (media: uploads, PDFs, exports)

The platform database and the "default" cluster live on a, the "b" cluster on b; reports,
dashboards and exports of a's complexes read a's replica. Everything runs from Debian's own
packages as the files in `deploy/` configure them, under one folder, and stops with it.
"""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from stack import postgres
from stack.common import WAIT, free_port, wait_for_port
from stack.nginx import Balancer
from stack.objectstore import ObjectStore
from stack.pgbouncer import Pool
from stack.redis import Redis

ROOT = Path(__file__).resolve().parent.parent
# One worker process per queue (email and SMS share one), as deploy/ recommends.
WORKERS = (("billing",), ("documents",), ("notifications",), ("email", "sms"), ("default",))


@dataclass
class App:
    port: int
    process: subprocess.Popen[bytes] | None = None


@dataclass
class Stack:
    root: Path
    port: int  # nginx
    clusters: dict[str, postgres.Cluster] = field(default_factory=dict)
    pools: dict[str, Pool] = field(default_factory=dict)
    replica: postgres.Cluster | None = None
    redis: Redis | None = None
    objects: ObjectStore | None = None
    apps: list[App] = field(default_factory=list)
    workers: list[subprocess.Popen[bytes]] = field(default_factory=list)
    balancer: Balancer | None = None
    env: dict[str, str] = field(default_factory=dict)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def klustera(self, *args: str) -> str:
        """Run ``klustera …`` against the stack (migrations, complexes, moves)."""
        done = subprocess.run(
            [sys.executable, "-m", "klustera", *args], env=self.env, cwd=ROOT,
            capture_output=True, text=True, timeout=600, check=False,
        )  # fmt: skip
        if done.returncode != 0:
            raise RuntimeError(f"klustera {' '.join(args)} failed: {done.stdout}\n{done.stderr}")
        return done.stdout

    def start_app(self, app: App) -> None:
        app.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "klustera.wsgi", "-k", "gthread", "-w", "2",
             "--threads", "4", "-b", f"127.0.0.1:{app.port}", "--max-requests", "5000",
             "--max-requests-jitter", "500", "--timeout", "30", "--graceful-timeout", "20",
             "--config", "python:klustera.observability.gunicorn"],
            env=self.env, cwd=ROOT, stdout=subprocess.DEVNULL,
            stderr=(self.root / f"app-{app.port}.log").open("ab"),
        )  # fmt: skip
        process = app.process

        def alive() -> None:
            if process.poll() is not None:
                raise RuntimeError(f"app {app.port} exited; see {self.root}/app-{app.port}.log")

        wait_for_port(app.port, alive=alive)

    def stop_app(self, app: App, *, kill: bool = False) -> None:
        if app.process is None or app.process.poll() is not None:
            return
        if kill:
            app.process.kill()
        else:
            app.process.terminate()
        app.process.wait(WAIT)

    def start_workers(self) -> None:
        """A worker process per queue; the default queue's also runs the periodic jobs."""
        for queues in WORKERS:
            flags = [arg for name in queues for arg in ("--queue", name)]
            if queues != ("default",):
                flags.append("--no-periodic")
            log = (self.root / f"worker-{'-'.join(queues)}.log").open("ab")
            worker = [sys.executable, "-m", "klustera", "worker", *flags]
            self.workers.append(
                subprocess.Popen(worker, env=self.env, cwd=ROOT, stdout=log, stderr=log)
            )

    def stop_workers(self) -> None:
        for worker in self.workers:
            worker.terminate()
        for worker in self.workers:
            try:
                worker.wait(WAIT)
            except subprocess.TimeoutExpired:
                worker.kill()
        self.workers = []

    def down(self) -> None:
        """Stop everything, the front first; the data stays in the folder. A part that fails
        to stop does not keep the others running: its error is raised at the end."""
        steps: list[Any] = []
        if self.balancer is not None:
            steps.append(self.balancer.stop)
        steps += [lambda app=app: self.stop_app(app) for app in self.apps]
        steps.append(self.stop_workers)
        steps += [pool.stop for pool in self.pools.values()]
        steps += [part.stop for part in (self.redis, self.objects) if part is not None]
        steps += [
            cluster.stop
            for cluster in [self.replica, *self.clusters.values()]
            if cluster is not None and cluster.running()
        ]
        failures = []
        for step in steps:
            try:
                step()
            except Exception as exc:  # stop the rest, then tell
                failures.append(exc)
        if failures:
            raise RuntimeError(f"{len(failures)} part(s) did not stop cleanly: {failures}")


def _secrets(root: Path) -> dict[str, str]:
    """The stack's keys, made once and kept beside its data."""
    path = root / "secrets.json"
    if not path.exists():
        path.write_text(
            json.dumps(
                {
                    "SECRET_KEY": base64.urlsafe_b64encode(os.urandom(48)).decode(),
                    "ENCRYPTION_KEYS": base64.urlsafe_b64encode(os.urandom(32)).decode(),
                    "METRICS_TOKEN": base64.urlsafe_b64encode(os.urandom(24)).decode(),
                }
            )
        )
        path.chmod(0o600)
    return dict(json.loads(path.read_text()))


def _pooled(pool: Pool, cluster: postgres.Cluster, database: str) -> str:
    return (
        f"postgres://postgres@127.0.0.1:{pool.port}/{database}"
        f"?pgbouncer=transaction&direct=127.0.0.1:{cluster.port}"
    )


def up(
    root: Path, *, apps: int = 2, port: int = 0, extra_env: dict[str, Any] | None = None
) -> Stack:
    """Bring the whole stack up under ``root`` (a new folder); nginx on ``port`` (0: a free
    one). On a failure, whatever started is stopped again."""
    root.mkdir(parents=True, exist_ok=True)
    root.chmod(0o755)  # PostgreSQL and PgBouncer run as the postgres user
    stack = Stack(root=root, port=port or free_port())
    try:
        for name in ("a", "b"):
            stack.clusters[name] = postgres.Cluster.create(root / f"pg-{name}", free_port())
        stack.replica = stack.clusters["a"].standby(root / "pg-a-replica", free_port())
        for name, cluster in stack.clusters.items():
            stack.pools[name] = Pool(root / f"pgbouncer-{name}", free_port(),
                                     ("127.0.0.1", cluster.port))  # fmt: skip
            stack.pools[name].start()
        stack.redis = Redis(root / "redis", free_port())
        stack.redis.start()
        stack.objects = ObjectStore(root / "s3", free_port())
        stack.objects.start()
        a, b = stack.clusters["a"], stack.clusters["b"]
        stack.env = {
            **os.environ,
            **_secrets(root),
            "DJANGO_SETTINGS_MODULE": "klustera.settings",
            "KLUSTERA_ENV": "production",
            "KLUSTERA_VAR_DIR": str(root / "var"),
            "DATABASE_URL": _pooled(stack.pools["a"], a, "klustera"),
            "TENANT_DATABASE_URL": _pooled(stack.pools["a"], a, "klustera_tenant_{id}"),
            "TENANT_DATABASE_CLUSTERS": f"b={_pooled(stack.pools['b'], b, 'klustera_tenant_{id}')}",
            "TENANT_DATABASE_REPLICAS": f"default={stack.replica.url('klustera_tenant_{id}')}",
            "REDIS_URL": stack.redis.url,
            "MEDIA_STORAGE_URL": stack.objects.url,
            "BASE_DOMAIN": "localhost",
            "TRUSTED_PROXIES": "1",
            "TRUSTED_PROXY_NETWORKS": "127.0.0.1/32",
            "TENANT_URL_TEMPLATE": f"http://localhost:{stack.port}/c/{{slug}}",
            "LOG_LEVEL": "WARNING",
            **{key: str(value) for key, value in (extra_env or {}).items()},
        }
        a.sql('CREATE DATABASE "klustera"')
        stack.klustera("tenants", "migrate")
        stack.klustera("collectstatic", "--no-input", "-v", "0")
        for _ in range(apps):
            app = App(free_port())
            stack.apps.append(app)
            stack.start_app(app)
        stack.start_workers()
        stack.balancer = Balancer(
            root / "nginx", stack.port, [app.port for app in stack.apps], root / "var" / "static"
        )
        stack.balancer.start()
    except BaseException:
        stack.down()
        raise
    return stack

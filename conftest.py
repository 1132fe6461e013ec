"""Test harness: real tenant databases, provisioned once per session.

As in production, every tenant is a copy of its cluster's migrated template
(a file copy on SQLite, ``CREATE DATABASE … TEMPLATE`` on PostgreSQL), built
on the session's first provisioning: no tenant is migrated from scratch.

Two SQLite tenants (``alpha``, ``beta``) always exist; when PostgreSQL runs
here, two PostgreSQL tenants (``pg-alpha``, ``pg-beta``) exist too, and two more reached
through PgBouncer in transaction pooling mode (``pgb-alpha``, ``pgb-beta``), so the
isolation tests run on all three. Tests that use them get every database wrapped
in a transaction that is rolled back afterwards.

Services: with ``KLUSTERA_REQUIRE_SERVICES=1`` (CI) a missing PostgreSQL or
Redis fails the tests that need them; otherwise they are skipped with the reason.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import psycopg
import pytest
from django.conf import settings
from django.db import connections

from tests.pages import portal  # noqa: F401  (the page tests' fixture, for every app)

REQUIRE_SERVICES = os.environ.get("KLUSTERA_REQUIRE_SERVICES") == "1"
POSTGRES_SERVER = os.environ.get("KLUSTERA_TEST_POSTGRES", "postgres://postgres@127.0.0.1:5432")
# Each pytest-xdist worker its own Redis database (15, 14, …): clearing the cache between
# tests is FLUSHDB, which would reset another worker's rate-limit counters mid-test.
_WORKER = int(os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw") or 0)
REDIS_URL = os.environ.get("KLUSTERA_TEST_REDIS", f"redis://127.0.0.1:6379/{15 - _WORKER}")
# Per test session: two suites on one server (a developer's and CI's) must not collide.
PG_TEST_PREFIX = f"klustera_test_{os.getpid()}_"
TENANT_FIXTURES = {"tenant_a", "tenant_b", "tenant_pair", "tenants", "in_tenant_a", "api"}


def _allow_tenants_registered_during_a_test() -> None:
    """Let a test reach the tenant databases it provisions itself.

    Django's TestCase refuses connections to aliases that existed when the
    class was set up but are not in its ``databases``; an alias registered
    later by the test (a tenant it just created) is that test's own, so it
    is allowed through.
    """
    from django.db.backends.base.base import BaseDatabaseWrapper
    from django.test import testcases

    django_patch = testcases.SimpleTestCase.ensure_connection_patch_method.__func__

    def patch_method(cls):
        guarded = django_patch(cls)
        real = BaseDatabaseWrapper.ensure_connection
        known_at_setup = frozenset(connections)

        def ensure_connection(self, *args, **kwargs):
            if self.alias not in known_at_setup:
                return real(self, *args, **kwargs)
            return guarded(self, *args, **kwargs)

        return ensure_connection

    testcases.SimpleTestCase.ensure_connection_patch_method = classmethod(patch_method)


_allow_tenants_registered_during_a_test()


@cache
def postgres_available() -> bool:
    try:
        psycopg.connect(f"{POSTGRES_SERVER}/postgres", connect_timeout=2).close()
    except psycopg.Error:
        return False
    return True


@cache
def redis_available() -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(REDIS_URL, socket_timeout=2).ping())
    except redis.RedisError:
        return False


def need(service: str) -> None:
    """Skip (or, in CI, fail) a test whose service does not run here."""
    available = {"postgres": postgres_available, "redis": redis_available}[service]()
    if available:
        return
    message = f"{service} is not running on this machine"
    if REQUIRE_SERVICES:
        pytest.fail(f"{message}, and KLUSTERA_REQUIRE_SERVICES=1 requires it")
    pytest.skip(message)


def installed(program: str, package: str) -> str:
    """The path of a program from Debian's ``package``; skip (or, in CI, fail) without it."""
    path = shutil.which(program)
    if path is not None:
        return path
    message = f"{program} is missing (apt-get install {package})"
    if REQUIRE_SERVICES:
        pytest.fail(message)
    pytest.skip(message)


def _left_by_a_finished_session(name: str) -> bool:
    pid = name.removeprefix("klustera_test_").split("_", 1)[0]
    if not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


def drop_postgres_test_databases() -> None:
    """Drop this session's test databases and those left by sessions no longer running."""
    with psycopg.connect(f"{POSTGRES_SERVER}/postgres", autocommit=True) as conn:
        names = conn.execute(
            "SELECT datname FROM pg_database WHERE datname LIKE 'klustera_test_%'"
        ).fetchall()
        for (name,) in names:
            if not (name.startswith(PG_TEST_PREFIX) or _left_by_a_finished_session(name)):
                continue
            conn.execute(
                psycopg.sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
                    psycopg.sql.Identifier(name)
                )
            )


# The migrated templates are the slowest part of a session's setup (a minute of migrations on
# each worker): kept for the next session and shared by the workers, under the fingerprint of
# the migrations, as production keys them (``klustera.tenancy.services.template_of``).
SHARED_TEMPLATES = Path(tempfile.gettempdir()) / "klustera-test-templates"
SHARED_PG_TEMPLATE = "klustera_test_template_"  # + fingerprint; no session's prefix


@contextlib.contextmanager
def shared_templates(*, with_postgres: bool, timeout: float = 900) -> Iterator[None]:
    """Copy the clusters' templates a session before this one built (one worker builds them
    while the others wait for it), then let the block provision; publish what it built."""
    from klustera.tenancy.services import schema_fingerprint, template_of

    SHARED_TEMPLATES.mkdir(exist_ok=True)
    fingerprint = schema_fingerprint()
    sqlite = SHARED_TEMPLATES / f"{fingerprint}.sqlite3"
    mine = Path(template_of("default").db_name)
    with (SHARED_TEMPLATES / f"{fingerprint}.lock").open("w") as lock:
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)  # let go when the file closes
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise RuntimeError(f"another session held {lock.name} {timeout} s") from None
                time.sleep(0.5)
        if sqlite.exists():
            mine.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(sqlite, mine)
        if with_postgres:
            _copy_database(SHARED_PG_TEMPLATE + fingerprint, template_of("pg").db_name)
        yield
        if not sqlite.exists():
            for older in SHARED_TEMPLATES.glob("*.sqlite3"):
                older.unlink()
            shutil.copyfile(mine, f"{sqlite}.{os.getpid()}")
            os.replace(f"{sqlite}.{os.getpid()}", sqlite)
        if with_postgres:
            _copy_database(template_of("pg").db_name, SHARED_PG_TEMPLATE + fingerprint)


def _copy_database(source: str, target: str) -> None:
    """``CREATE DATABASE target TEMPLATE source`` unless there is no source, a target, or
    someone connected to the source (then the session migrates its own)."""
    errors = psycopg.errors
    with psycopg.connect(f"{POSTGRES_SERVER}/postgres", autocommit=True) as conn:
        with contextlib.suppress(
            errors.InvalidCatalogName, errors.DuplicateDatabase, errors.ObjectInUse
        ):
            conn.execute(
                psycopg.sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(
                    psycopg.sql.Identifier(target), psycopg.sql.Identifier(source)
                )
            )
        if target.startswith(SHARED_PG_TEMPLATE):  # the older migrations' go
            for (older,) in conn.execute(
                "SELECT datname FROM pg_database WHERE starts_with(datname, %s) AND datname <> %s",
                [SHARED_PG_TEMPLATE, target],
            ).fetchall():
                with contextlib.suppress(errors.ObjectInUse):  # being copied: the next time
                    conn.execute(
                        psycopg.sql.SQL("DROP DATABASE IF EXISTS {}").format(
                            psycopg.sql.Identifier(older)
                        )
                    )


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        uses_tenants = TENANT_FIXTURES & set(getattr(item, "fixturenames", ()))
        if uses_tenants and item.get_closest_marker("django_db") is None:
            item.add_marker(pytest.mark.django_db(databases="__all__"))
        # ``make test`` runs on two pytest-xdist workers with ``--dist loadgroup``, which
        # schedules by test id and groups by an ``@group`` suffix. pytest 9 keeps the id in
        # ``_id`` (xdist 3.8 still writes ``_nodeid``, in vain), so the ids are set here:
        # the browser journeys share one worker and its one live demo app, the stack's tests
        # one worker and its one stack (a minute and more to bring up), and each of
        # schemathesis's operations (all named alike) gets its own id.
        if hasattr(item, "operation_label"):
            _set_id(item, f"{item.parent.nodeid}::{item.name}")  # type: ignore[union-attr]
        if item.path.parent.name == "browser":
            _set_id(item, f"{item.nodeid}@browser")
        if item.path.name == "test_stack.py":
            _set_id(item, f"{item.nodeid}@stack")


def _set_id(item: pytest.Item, nodeid: str) -> None:
    from _pytest.nodes import coerce_node_id

    item._id = coerce_node_id(nodeid)  # type: ignore[attr-defined]


@pytest.fixture(scope="session", autouse=True)
def _own_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """This session's own file cache: each test's ``cache.clear()`` must not wipe the rate
    limits of a parallel worker (or of a ``make run`` beside the tests) in ``var/cache``."""
    from django.test.utils import override_settings

    default = settings.CACHES["default"]
    if not default["BACKEND"].endswith("FileBasedCache"):
        yield
        return
    own = {**default, "LOCATION": str(tmp_path_factory.mktemp("cache"))}
    with override_settings(CACHES={**settings.CACHES, "default": own}):
        yield


@pytest.fixture(scope="session", autouse=True)
def _immediate_tasks() -> None:
    from klustera.tasks import QUEUES, queue

    for name in QUEUES:
        queue(name).immediate = True


def pgbouncer_available() -> bool:
    if shutil.which("pgbouncer"):
        return True
    if REQUIRE_SERVICES:
        raise RuntimeError("pgbouncer is missing (apt-get install pgbouncer)")
    return False


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker, tmp_path_factory):
    from klustera.tenancy.services import NewManager, provision_tenant
    from stack import pgbouncer

    # Tests change tenants under the resolver's feet: no remembered lookups.
    settings.TENANT_CACHE_SECONDS = 0
    # Argon2 costs about 0.25 s a password here, and tests create and sign in many users;
    # production keeps Argon2 (the browser tests' live server too).
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # PDFs, proofs and logos written by tests stay out of the project's var/.
    settings.MEDIA_ROOT = tmp_path_factory.mktemp("media")
    root = tmp_path_factory.mktemp("tenant-dbs")
    settings.TENANT_DATABASE_CLUSTERS = {"default": f"sqlite:///{root}/{{slug}}.sqlite3"}
    with_postgres = postgres_available()
    services = contextlib.ExitStack()
    if with_postgres:
        settings.TENANT_DATABASE_CLUSTERS["pg"] = f"{POSTGRES_SERVER}/{PG_TEST_PREFIX}{{id}}"
        drop_postgres_test_databases()
    with_pgbouncer = with_postgres and pgbouncer_available()
    if with_pgbouncer:
        server = psycopg.conninfo.conninfo_to_dict(POSTGRES_SERVER)
        host, port = str(server.get("host", "127.0.0.1")), int(server.get("port", 5432))
        pool = services.enter_context(pgbouncer.running((host, port)))
        settings.TENANT_DATABASE_CLUSTERS["pgbouncer"] = (
            f"postgres://postgres@127.0.0.1:{pool}/{PG_TEST_PREFIX}{{id}}"
            f"?pgbouncer=transaction&direct={host}:{port}"
        )
    with django_db_blocker.unblock(), shared_templates(with_postgres=with_postgres):
        specs = [("alpha", "default"), ("beta", "default")]
        if with_postgres:
            specs += [("pg-alpha", "pg"), ("pg-beta", "pg")]
        if with_pgbouncer:
            specs += [("pgb-alpha", "pgbouncer"), ("pgb-beta", "pgbouncer")]
        for slug, cluster in specs:
            provision_tenant(
                name=f"Complex {slug}",
                slug=slug,
                cluster=cluster,
                manager=NewManager(
                    phone="081200000001", name=f"Manager {slug}", password="pw-x-123456"
                ),
            )
    yield
    connections.close_all()
    if with_postgres:
        drop_postgres_test_databases()
    services.close()


@pytest.fixture(autouse=True)
def _forget_tenant_aliases_made_by_the_test() -> Iterator[None]:
    from klustera.tenancy import connections as tenant_connections

    before = set(connections.settings)
    yield
    for alias in set(connections.settings) - before:
        tenant_connections.forget(alias)


@pytest.fixture(autouse=True)
def _fresh_rate_limits() -> None:
    """Each test starts with untouched rate-limit counters."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def tenant_a():
    from klustera.tenancy.models import Tenant

    return Tenant.objects.get(slug="alpha")


@pytest.fixture
def tenant_b():
    from klustera.tenancy.models import Tenant

    return Tenant.objects.get(slug="beta")


@pytest.fixture
def old_complex(settings, tmp_path, tenant_a):
    """``with old_complex(("estate", "0003_vehicle")) as old:``: a new complex at those."""
    from tests.migrations import complex_before

    scratch_default_cluster(settings, tmp_path)
    return complex_before


def scratch_default_cluster(settings: Any, directory: Path) -> None:
    """New complexes of the ``default`` cluster get their SQLite files in ``directory``, which
    starts with a copy of this session's migrated template (made with its first complexes):
    a template migrated from scratch would take some ten seconds of each such test."""
    from klustera.tenancy.services import template_of

    built = template_of("default").db_name
    settings.TENANT_DATABASE_CLUSTERS = {
        **settings.TENANT_DATABASE_CLUSTERS,
        "default": f"sqlite:///{directory}/{{slug}}.sqlite3",
    }
    shutil.copyfile(built, template_of("default").db_name)


@pytest.fixture
def in_tenant_a(tenant_a):
    """The whole test runs inside complex alpha: models and factories reach its database."""
    from klustera.tenancy.context import tenant_context

    with tenant_context(tenant_a):
        yield tenant_a


@dataclass(frozen=True)
class Reply:
    """An API answer with its envelope unwrapped."""

    status: int
    data: Any
    meta: dict[str, Any] | None
    error: dict[str, Any] | None
    headers: Any


class ApiClient:
    """The v1 API of one complex, as one signed-in user (a bearer token), or as nobody."""

    def __init__(self, tenant: Any, token: str | None = None) -> None:
        from django.test import Client

        self.base = f"/c/{tenant.slug}/api/v1/"
        headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
        self.client = Client(**headers)

    def get(self, path: str, **params: Any) -> Reply:
        return self._reply(self.client.get(self.base + path, params))

    def post(self, path: str, body: Any = None) -> Reply:
        return self._send("post", path, body)

    def put(self, path: str, body: Any = None) -> Reply:
        return self._send("put", path, body)

    def patch(self, path: str, body: Any = None) -> Reply:
        return self._send("patch", path, body)

    def delete(self, path: str) -> Reply:
        return self._reply(self.client.delete(self.base + path))

    def _send(self, method: str, path: str, body: Any) -> Reply:
        response = getattr(self.client, method)(
            self.base + path, body or {}, content_type="application/json"
        )
        return self._reply(response)

    @staticmethod
    def _reply(response: Any) -> Reply:
        envelope = response.json()
        assert envelope["success"] is (response.status_code < 400), envelope
        return Reply(
            status=response.status_code,
            data=envelope.get("data"),
            meta=envelope.get("meta"),
            error=envelope.get("error"),
            headers=response.headers,
        )


@pytest.fixture
def api(tenant_a):
    """``api(user)`` is complex alpha's API signed in as ``user``; ``api()`` is anonymous."""
    from klustera.accounts.services import issue_token
    from klustera.tenancy.context import tenant_context

    def as_user(user: Any = None) -> ApiClient:
        if user is None:
            return ApiClient(tenant_a)
        with tenant_context(tenant_a):
            token, _ = issue_token(user=user, device_name="test")
        return ApiClient(tenant_a, token)

    return as_user


@pytest.fixture(params=["sqlite", "postgres", "pgbouncer"])
def tenant_pair(request):
    """Two tenants on the same backend: SQLite files, PostgreSQL databases, or PostgreSQL
    databases through PgBouncer in transaction pooling mode."""
    from klustera.tenancy.models import Tenant

    if request.param == "postgres":
        need("postgres")
        return Tenant.objects.get(slug="pg-alpha"), Tenant.objects.get(slug="pg-beta")
    if request.param == "pgbouncer":
        need("postgres")
        if not pgbouncer_available():
            pytest.skip("pgbouncer is missing (apt-get install pgbouncer)")
        return Tenant.objects.get(slug="pgb-alpha"), Tenant.objects.get(slug="pgb-beta")
    return Tenant.objects.get(slug="alpha"), Tenant.objects.get(slug="beta")


@pytest.fixture
def sim(settings):
    """The messaging providers' simulator, served locally; the clients point at it."""
    from klustera.notifications.simulator import ProviderSimulator, serve

    simulator = ProviderSimulator()
    with serve(simulator) as base:
        settings.WHATSAPP_GRAPH_URL = f"{base}/v21.0"
        settings.FONNTE_URL = base
        settings.TWILIO_URL = base
        settings.PUSH_TEST_HOSTS = ["127.0.0.1"]
        simulator.base_url = base
        yield simulator


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Run ``func`` inside ``tenant``, then its on-commit work (the sends) as a commit would."""

    from klustera.tenancy.connections import alias_for
    from klustera.tenancy.context import tenant_context

    def run(tenant: Any, func: Callable[[], Any]) -> Any:
        with (
            tenant_context(tenant),
            django_capture_on_commit_callbacks(execute=True, using=alias_for(tenant)),
        ):
            return func()

    return run


@pytest.fixture
def clock(monkeypatch):
    """A controllable ``timezone.now`` for backoff, leases and quiet hours."""
    from datetime import timedelta

    from django.utils import timezone

    class Clock:
        def __init__(self) -> None:
            self.now = timezone.now()

        def advance(self, **delta: float) -> None:
            self.now += timedelta(**delta)

    clock = Clock()
    monkeypatch.setattr(timezone, "now", lambda: clock.now)
    return clock


@contextlib.contextmanager
def scratch_complex(cluster: str) -> Iterator[Any]:
    """A complex of the test's own on ``cluster`` ("default" for SQLite, "pg", "pgbouncer"),
    provisioned now and dropped after the block: its writes really commit."""
    from klustera.tenancy import services
    from klustera.tenancy.services import NewManager, provision_tenant

    if cluster != "default":
        need("postgres")
    if cluster == "pgbouncer" and not pgbouncer_available():
        pytest.skip("pgbouncer is missing (apt-get install pgbouncer)")
    on_sqlite = cluster == "default"
    tenant = provision_tenant(
        name="Scratch",
        slug="scratch-sqlite" if on_sqlite else "scratch",
        cluster=cluster,
        manager=NewManager(
            phone="081200000008" if on_sqlite else "081200000009",
            name="Pengelola",
            password="pw-x-123456",
        ),
    )
    try:
        yield tenant
    finally:
        connections.close_all()
        services.drop_database(tenant)


@contextlib.contextmanager
def own_postgres_root(prefix: str) -> Iterator[Path]:
    """A folder for PostgreSQL servers of the test's own (``stack.postgres``), removed after
    the block; skip (or, in CI, fail) without the server binaries."""
    from stack import postgres

    if not postgres.available():
        message = "PostgreSQL's server binaries are missing"
        pytest.fail(message) if REQUIRE_SERVICES else pytest.skip(message)
    root = Path(tempfile.mkdtemp(prefix=prefix, dir="/tmp"))
    root.chmod(0o755)  # the servers run as the postgres user
    try:
        yield root
    finally:
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(params=["pg", "pgbouncer"])
def pg_scratch(request, tenant_a):
    """A PostgreSQL complex of the test's own, for concurrency tests; each test runs twice: on
    the server, and through PgBouncer in transaction pooling mode.

    The session's complexes run inside a rolled-back transaction; threads
    cannot see each other's work there.
    """
    with scratch_complex(request.param) as tenant:
        yield tenant


@pytest.fixture
def sqlite_scratch(tenant_a):
    """A SQLite complex of the test's own, its file outside the session's transactions: for
    tests where several processes write it at once."""
    with scratch_complex("default") as tenant:
        yield tenant


@pytest.fixture(scope="session")
def s3_server() -> Iterator[str]:
    """A local S3-protocol server (moto's, in a thread of this test process): its endpoint."""
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def media_bucket(s3_server: str, settings: Any) -> Any:
    """Media in a fresh private bucket of the local S3 server, as ``MEDIA_STORAGE_URL`` sets."""
    import uuid

    import boto3
    from django.core.files.storage import storages

    from klustera.objectstore import s3_options

    name = f"media-{uuid.uuid4().hex[:12]}"
    url = (
        f"s3://test-key:test-secret@{name}/klustera?endpoint_url={s3_server}&region=ap-southeast-3"
    )
    options = s3_options(url)
    boto3.client(
        "s3",
        endpoint_url=s3_server,
        region_name="ap-southeast-3",
        aws_access_key_id="test-key",
        aws_secret_access_key="test-secret",
    ).create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": "ap-southeast-3"})
    settings.MEDIA_STORAGE_URL = url
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": options},
    }
    return storages["default"]

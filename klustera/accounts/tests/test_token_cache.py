"""A device token's user and roles are cached between requests, and every change that
matters reaches the other processes on their next request."""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.contrib.auth.models import Group
from django.db import connections
from django.test import Client
from django.test.utils import CaptureQueriesContext

from conftest import REDIS_URL, need
from klustera.accounts import services
from klustera.accounts.models import ApiToken
from klustera.accounts.services import create_user, issue_token, issue_tokens
from klustera.roles import Role
from klustera.tenancy.connections import alias_for
from klustera.tenancy.context import tenant_context

ROOT = Path(__file__).resolve().parents[3]
REDIS_CACHE = {
    "BACKEND": "klustera.redis_cache.RedisCache",
    "LOCATION": REDIS_URL,
    "KEY_FUNCTION": "klustera.tenancy.cache.tenant_cache_key",
}


class OtherProcess:
    """A second process authenticating tokens of ``tenant`` (tests/token_client.py)."""

    def __init__(self, tenant: Any, tmp: Path) -> None:
        keys = ",".join(
            base64.urlsafe_b64encode(k).decode() for k in django_settings.ENCRYPTION_KEYS
        )
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "klustera.settings",
            "KLUSTERA_VAR_DIR": str(tmp),
            "DATABASE_URL": f"sqlite:///{tmp}/platform.sqlite3",
            "TENANT_DATABASE_URL": django_settings.TENANT_DATABASE_CLUSTERS["default"],
            "TENANT_DATABASE_CLUSTERS": "",
            "REDIS_URL": REDIS_URL,
            "SECRET_KEY": django_settings.SECRET_KEY,
            "ENCRYPTION_KEYS": keys,
        }
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tests.token_client"],
            cwd=ROOT, env=env, text=True,
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        )  # fmt: skip
        fields = ["id", "name", "slug", "db_cluster", "db_name", "key_scope", "status"]
        self._send(json.dumps({f: getattr(tenant, f) for f in fields}))

    def _send(self, line: str) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(line + "\n")
        self.process.stdin.flush()

    def sign_in(self, token: str) -> dict[str, Any]:
        """What the other process answers for ``token``: its roles or "refused", and queries."""
        assert self.process.stdout is not None
        self._send(token)
        try:
            line = self.process.stdout.readline()  # bounded by pytest-timeout
            return json.loads(line)
        except json.JSONDecodeError:
            self.process.kill()
            raise AssertionError(self.process.communicate(timeout=10)[1]) from None

    def close(self) -> None:
        assert self.process.stdin is not None
        self.process.stdin.close()
        self.process.wait(timeout=30)


@pytest.fixture
def redis_cache(settings) -> Iterator[None]:
    need("redis")
    settings.CACHES = {"default": REDIS_CACHE}
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def other(sqlite_scratch, redis_cache, tmp_path) -> Iterator[OtherProcess]:
    process = OtherProcess(sqlite_scratch, tmp_path)
    yield process
    process.close()


@pytest.fixture
def rina(sqlite_scratch) -> Any:
    with tenant_context(sqlite_scratch):
        return create_user(
            phone="081355550000", name="Rina", password="pw-123456", roles=[Role.RESIDENT]
        )


def _token(tenant: Any, user: Any) -> tuple[str, ApiToken]:
    with tenant_context(tenant):
        return issue_token(user=user, device_name="Android Rina")


def _cached(other: OtherProcess, token: str) -> None:
    """The other process has the token cached: its second sign-in asks no database."""
    assert other.sign_in(token) == {"answer": ["resident"], "queries": 3}  # token, roles, use
    assert other.sign_in(token) == {"answer": ["resident"], "queries": 0}


def test_a_revoked_token_is_refused_at_once_in_another_process(other, sqlite_scratch, rina) -> None:
    token, record = _token(sqlite_scratch, rina)
    _cached(other, token)
    with tenant_context(sqlite_scratch):
        services.revoke_token(token=record)
    assert other.sign_in(token)["answer"] == "refused"


def test_signing_out_is_effective_at_once_in_another_process(other, sqlite_scratch, rina) -> None:
    with tenant_context(sqlite_scratch):
        pair = issue_tokens(user=rina, device_name="Android Rina")
    _cached(other, pair.access_token)
    client = Client(HTTP_AUTHORIZATION=f"Bearer {pair.access_token}")
    assert client.post("/c/scratch-sqlite/api/v1/auth/logout").status_code == 200
    assert other.sign_in(pair.access_token)["answer"] == "refused"


def test_a_changed_password_signs_every_device_out_at_once(other, sqlite_scratch, rina) -> None:
    token, _record = _token(sqlite_scratch, rina)
    _cached(other, token)
    with tenant_context(sqlite_scratch):
        services.change_password(user=rina, new_password="a-new-pass-789")
    assert other.sign_in(token)["answer"] == "refused"


def test_changed_roles_hold_at_once_in_another_process(other, sqlite_scratch, rina) -> None:
    token, _record = _token(sqlite_scratch, rina)
    _cached(other, token)
    with tenant_context(sqlite_scratch):
        rina.groups.add(Group.objects.create(name=Role.SECURITY_STAFF))
    assert other.sign_in(token)["answer"] == ["resident", "security_staff"]
    with tenant_context(sqlite_scratch):
        rina.groups.remove(Group.objects.get(name=Role.RESIDENT))
    assert other.sign_in(token)["answer"] == ["security_staff"]


def test_a_staff_account_switched_off_is_refused_at_once(other, sqlite_scratch) -> None:
    with tenant_context(sqlite_scratch):
        guard = create_user(phone="081355550001", name="Budi", roles=[Role.SECURITY_STAFF])
        manager = create_user(phone="081355550002", name="Bu Ani", roles=[Role.PROPERTY_MANAGER])
        token, _record = issue_token(user=guard)
    assert other.sign_in(token)["answer"] == ["security_staff"]
    with tenant_context(sqlite_scratch):
        services.set_staff_active(user=guard, active=False, actor=manager)
    assert other.sign_in(token)["answer"] == "refused"


def test_a_reader_that_loaded_before_a_revocation_cannot_put_it_back(
    redis_cache, sqlite_scratch, rina
) -> None:
    """The race: a request reads the token, the device is revoked, the request then caches
    what it read. The tombstone wins: the cache is only ever added to."""
    from klustera.accounts import token_cache

    token, record = _token(sqlite_scratch, rina)
    with tenant_context(sqlite_scratch):
        stale = ApiToken.objects.select_related("user").get(pk=record.pk)
        services.revoke_token(token=record)
        from django.core.cache import cache

        cache.add(f"auth:token:{record.digest}", stale, timeout=300)  # the late reader
        assert token_cache.cached_token(record.digest) is None
    reply = Client(HTTP_AUTHORIZATION=f"Bearer {token}").get("/c/scratch-sqlite/api/v1/auth/me")
    assert reply.status_code == 401


def test_with_the_cache_down_tokens_are_read_from_the_database(settings, tenant_a, caplog) -> None:
    settings.CACHES = {"default": {**REDIS_CACHE, "LOCATION": "redis://127.0.0.1:1/0"}}
    with tenant_context(tenant_a):
        user = create_user(phone="081355550003", name="Dewi", roles=[Role.RESIDENT])
        token, record = issue_token(user=user)
    me = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    with CaptureQueriesContext(connections[alias_for(tenant_a)]) as queries:
        assert me.get("/c/alpha/api/v1/auth/me").status_code == 200
    assert any("accounts_apitoken" in q["sql"] for q in queries.captured_queries)
    with tenant_context(tenant_a):
        services.revoke_token(token=record)  # the tombstone cannot be written: not an error
    assert me.get("/c/alpha/api/v1/auth/me").status_code == 401
    assert "token_cache.unreachable" in caplog.text

"""Rate limits, with the shared local store and with Redis."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.test import Client
from rest_framework.throttling import SimpleRateThrottle

from tests.seed import seed_complex


@pytest.fixture(params=["local", "redis"])
def store(request, settings):
    if request.param == "redis":
        from conftest import REDIS_URL, need

        need("redis")
        settings.CACHES = {
            "default": {
                "BACKEND": "klustera.redis_cache.RedisCache",
                "LOCATION": REDIS_URL,
                "KEY_FUNCTION": "klustera.tenancy.cache.tenant_cache_key",
            }
        }
    cache.clear()
    yield request.param
    cache.clear()


def _login(phone: str):
    return Client().post(
        "/c/alpha/api/v1/auth/login",
        {"phone": phone, "password": "wrong"},
        content_type="application/json",
    )


def test_five_sign_ins_a_minute_per_phone(store, tenant_a) -> None:
    for _ in range(5):
        assert _login("081211112222").status_code == 401
    limited = _login("+62 812 1111 2222")  # the same phone, spelt differently
    assert limited.status_code == 429
    assert limited.json()["error"]["code"] == "RATE_LIMITED"
    assert 1 <= int(limited["Retry-After"]) <= 61
    assert _login("081233334444").status_code == 401  # another phone is not held up


def test_requests_per_ip_and_per_user(store, tenant_a, monkeypatch) -> None:
    monkeypatch.setitem(SimpleRateThrottle.THROTTLE_RATES, "ip", "3/min")
    monkeypatch.setitem(SimpleRateThrottle.THROTTLE_RATES, "user", "2/hour")
    token = seed_complex(tenant_a, marker="alpha").manager_token
    signed_in = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    assert [signed_in.get("/c/alpha/api/v1/auth/me").status_code for _ in range(3)] == [
        200,
        200,
        429,
    ]
    cache.clear()
    anonymous = Client(REMOTE_ADDR="10.1.2.3")
    codes = [anonymous.get("/c/alpha/api/v1/units").status_code for _ in range(4)]
    assert codes == [401, 401, 401, 429]
    assert Client(REMOTE_ADDR="10.9.9.9").get("/c/alpha/api/v1/units").status_code == 401


def test_the_gate_is_limited_per_guard_not_per_ip(store, tenant_a, monkeypatch) -> None:
    """A complex's gates and its residents often share one public IP."""
    from klustera.accounts.services import create_user, issue_token
    from klustera.roles import Role
    from klustera.tenancy.context import tenant_context

    monkeypatch.setitem(SimpleRateThrottle.THROTTLE_RATES, "ip", "2/min")
    monkeypatch.setitem(SimpleRateThrottle.THROTTLE_RATES, "gate", "3/min")
    seed_complex(tenant_a, marker="alpha")
    with tenant_context(tenant_a):
        guards = [
            create_user(phone=f"08130000009{n}", name=f"Satpam {n}", roles=[Role.SECURITY_STAFF])
            for n in (1, 2)
        ]
        tokens = [issue_token(user=guard)[0] for guard in guards]

    def check(token: str) -> int:
        return (
            Client(HTTP_AUTHORIZATION=f"Bearer {token}", REMOTE_ADDR="10.9.9.9")
            .post(
                "/c/alpha/api/v1/access/verify",
                {"payload": "KP1.x.y", "gate": "Utama", "device": token[-6:]},
                content_type="application/json",
            )
            .status_code
        )

    assert [check(tokens[0]) for _ in range(4)] == [200, 200, 200, 429]
    assert check(tokens[1]) == 200  # the other guard, from the same IP, still checks


def test_all_the_limits_of_a_request_are_counted_at_once(store, tenant_a, monkeypatch) -> None:
    """One round trip to the store a request: the IP's limit with the user's."""
    from klustera import throttling

    calls: list[list[str]] = []
    real_hit = throttling.hit

    def spy(limits):
        calls.append([limit.key.split("_")[1] for limit in limits])
        return real_hit(limits)

    monkeypatch.setattr(throttling, "hit", spy)
    token = seed_complex(tenant_a, marker="alpha").manager_token
    assert (
        Client(HTTP_AUTHORIZATION=f"Bearer {token}").get("/c/alpha/api/v1/auth/me").status_code
        == 200
    )
    assert calls == [["ip", "user"]]
    if store == "redis":  # counted by the script: each window a sorted set of request times
        from django.core.cache import caches

        client = caches["default"].client()
        windows = client.keys("*window_*")
        assert len(windows) == 2 and {client.type(key) for key in windows} == {b"zset"}
    calls.clear()
    assert Client().get("/c/alpha/api/v1/units").status_code == 401  # refused before throttles
    assert calls == [["ip"]]

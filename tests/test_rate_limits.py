"""Rate limits, with the shared local store and with Redis."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.test import Client
from rest_framework.throttling import SimpleRateThrottle

from tests.seed import seed_complex


@pytest.fixture(params=["local", "redis"])
def store(request, settings):  # type: ignore[no-untyped-def]
    if request.param == "redis":
        from conftest import REDIS_URL, need

        need("redis")
        settings.CACHES = {
            "default": {
                "BACKEND": "django.core.cache.backends.redis.RedisCache",
                "LOCATION": REDIS_URL,
                "KEY_FUNCTION": "klustera.tenancy.cache.tenant_cache_key",
            }
        }
    cache.clear()
    yield request.param
    cache.clear()


def _login(phone: str):  # type: ignore[no-untyped-def]
    return Client().post(
        "/c/alpha/api/v1/auth/login",
        {"phone": phone, "password": "wrong"},
        content_type="application/json",
    )


def test_five_sign_ins_a_minute_per_phone(store, tenant_a) -> None:  # type: ignore[no-untyped-def]
    for _ in range(5):
        assert _login("081211112222").status_code == 401
    limited = _login("+62 812 1111 2222")  # the same phone, spelt differently
    assert limited.status_code == 429
    assert limited.json()["error"]["code"] == "RATE_LIMITED"
    assert 1 <= int(limited["Retry-After"]) <= 61
    assert _login("081233334444").status_code == 401  # another phone is not held up


def test_requests_per_ip_and_per_user(store, tenant_a, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setitem(SimpleRateThrottle.THROTTLE_RATES, "ip", "3/min")
    monkeypatch.setitem(SimpleRateThrottle.THROTTLE_RATES, "user", "2/hour")
    token = seed_complex(tenant_a, marker="alpha")["manager_token"]
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

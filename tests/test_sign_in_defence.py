"""One sign-in defence for the portal and the API: limits, lock-outs, and who the client is."""

from __future__ import annotations

import pytest
from django.test import Client
from rest_framework.throttling import SimpleRateThrottle

from klustera.accounts.models import AuthFailure, User
from klustera.accounts.services import LOCKOUT_FAILURES, create_user
from klustera.roles import Role
from klustera.tenancy.context import platform_context, tenant_context

PASSWORD = "rahasia-dewi-1"


@pytest.fixture
def dewi(tenant_a) -> User:
    with tenant_context(tenant_a):
        return create_user(
            phone="081277770000", name="Dewi", password=PASSWORD, roles=[Role.RESIDENT]
        )


@pytest.fixture
def no_rate_limits(monkeypatch) -> None:
    """Lock-outs alone: the per-minute limits would stop a test's guessing first."""
    for scope in ("ip", "public", "phone"):
        monkeypatch.setitem(SimpleRateThrottle.THROTTLE_RATES, scope, "10000/min")


def _portal(phone: str, password: str, ip: str = "10.0.0.1"):
    return Client(REMOTE_ADDR=ip).post("/c/alpha/login", {"username": phone, "password": password})


def _api(phone: str, password: str, ip: str = "10.0.0.1"):
    return Client(REMOTE_ADDR=ip).post(
        "/c/alpha/api/v1/auth/login", {"phone": phone, "password": password}, "application/json"
    )


def test_portal_failures_lock_the_phone_out_of_the_api_too(dewi, tenant_a, no_rate_limits) -> None:
    for n in range(LOCKOUT_FAILURES):
        assert _portal("081277770000", f"salah-{n}", ip=f"10.0.1.{n}").status_code == 200
    with tenant_context(tenant_a):
        assert AuthFailure.objects.filter(phone="+6281277770000").count() == LOCKOUT_FAILURES
    locked_api = _api("081277770000", PASSWORD)
    assert locked_api.status_code == 429
    assert locked_api.json()["error"]["code"] == "RATE_LIMITED"
    assert 14 * 60 <= int(locked_api["Retry-After"]) <= 15 * 60
    locked_portal = _portal("081277770000", PASSWORD)  # the right password, too late
    assert locked_portal.status_code == 429 and int(locked_portal["Retry-After"]) > 0
    assert not locked_portal.cookies.get("sessionid_alpha")  # not signed in


def test_api_failures_lock_the_phone_out_of_the_portal(dewi, no_rate_limits) -> None:
    for n in range(LOCKOUT_FAILURES):
        assert _api("081277770000", f"salah-{n}", ip=f"10.0.2.{n}").status_code == 401
    assert _portal("081277770000", PASSWORD).status_code == 429


def test_one_address_guessing_many_phones_is_locked_out(dewi, tenant_a, no_rate_limits) -> None:
    for n in range(30):
        _portal(f"08127777{n:04d}", "tebakan", ip="10.0.3.3")
    assert _portal("081277770000", PASSWORD, ip="10.0.3.3").status_code == 429
    assert _portal("081277770000", PASSWORD, ip="10.0.3.4").status_code == 302


def test_the_platform_admins_password_cannot_be_guessed_without_limit(
    tenant_a, no_rate_limits
) -> None:
    with platform_context():
        User.objects.create_superuser("081999000009", "pw-platform-1", name="Operator")
    for n in range(LOCKOUT_FAILURES):
        response = Client(REMOTE_ADDR=f"10.0.4.{n}").post(
            "/login", {"username": "081999000009", "password": f"tebak-{n}"}
        )
        assert response.status_code == 200
    locked = Client().post("/login", {"username": "081999000009", "password": "pw-platform-1"})
    assert locked.status_code == 429


def test_the_portal_forms_are_rate_limited_per_phone_and_per_address(dewi) -> None:
    answers = [_portal("081277770000", "salah", ip=f"10.0.5.{n}").status_code for n in range(6)]
    assert answers == [200] * 5 + [429]
    limited = _portal("081277770000", PASSWORD, ip="10.0.5.99")
    assert limited.status_code == 429 and 1 <= int(limited["Retry-After"]) <= 60
    codes = [
        Client(REMOTE_ADDR="10.0.6.1")
        .post("/c/alpha/login/code", {"step": "request", "phone": f"0812000000{n:02d}"})
        .status_code
        for n in range(61)
    ]
    assert codes[:60] == [200] * 60 and codes[60] == 429


def test_a_spoofed_forwarded_for_header_does_not_reset_the_per_ip_limit(
    tenant_a, monkeypatch
) -> None:
    monkeypatch.setitem(SimpleRateThrottle.THROTTLE_RATES, "ip", "3/min")

    def units(forwarded: str) -> int:
        client = Client(REMOTE_ADDR="10.1.2.3", HTTP_X_FORWARDED_FOR=forwarded)
        return client.get("/c/alpha/api/v1/units").status_code

    assert [units(f"203.0.113.{n}") for n in range(4)] == [401, 401, 401, 429]


def test_behind_a_trusted_proxy_the_address_it_saw_counts(tenant_a, monkeypatch, settings) -> None:
    settings.TRUSTED_PROXIES = 1
    monkeypatch.setitem(SimpleRateThrottle.THROTTLE_RATES, "ip", "2/min")

    def units(forwarded: str) -> int:
        client = Client(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR=forwarded)
        return client.get("/c/alpha/api/v1/units").status_code

    # The client writes anything on the left; nginx appends the address it saw.
    assert [units(f"1.1.1.{n}, 198.51.100.7") for n in range(3)] == [401, 401, 429]
    assert units("198.51.100.8") == 401


def test_a_client_past_the_proxy_cannot_name_its_own_address(tenant_a, monkeypatch, settings):
    """X-Forwarded-For is read on requests from the proxies' networks alone."""
    settings.TRUSTED_PROXIES = 1
    settings.TRUSTED_PROXY_NETWORKS = ["127.0.0.1/32"]
    monkeypatch.setitem(SimpleRateThrottle.THROTTLE_RATES, "ip", "2/min")

    def units(forwarded: str) -> int:
        client = Client(REMOTE_ADDR="203.0.113.50", HTTP_X_FORWARDED_FOR=forwarded)
        return client.get("/c/alpha/api/v1/units").status_code

    assert [units(f"198.51.100.{n}") for n in range(3)] == [401, 401, 429]


def test_one_address_gets_its_limit_once_across_complexes(tenant_a, tenant_b, monkeypatch) -> None:
    monkeypatch.setitem(SimpleRateThrottle.THROTTLE_RATES, "ip", "3/min")
    client = Client(REMOTE_ADDR="10.7.7.7")
    codes = [client.get(f"/c/{slug}/api/v1/units").status_code for slug in ("alpha", "beta") * 2]
    assert codes == [401, 401, 401, 429]


def test_a_token_of_another_complex_is_refused_and_logged(tenant_a, tenant_b, caplog) -> None:
    from tests.seed import seed_complex

    beta = seed_complex(tenant_b, marker="beta")
    intruder = Client(HTTP_AUTHORIZATION=f"Bearer {beta.manager_token}", REMOTE_ADDR="10.8.8.8")
    with caplog.at_level("WARNING", logger="klustera.security"):
        assert intruder.get("/c/alpha/api/v1/admin/units").status_code == 401
    [event] = [r.getMessage() for r in caplog.records if r.name == "klustera.security"]
    assert "security.foreign_token complex=alpha token_complex=beta" in event
    assert "route=/c/alpha/api/v1/admin/units ip=10.8.8.8" in event
    assert beta.manager_token.split(".")[1] not in event  # the secret is never logged


def test_token_answers_and_the_pass_are_never_cached(dewi, tenant_a) -> None:
    from klustera.estate.models import Occupancy, Resident, Unit

    signed_in = _api("081277770000", PASSWORD)
    assert signed_in.status_code == 200
    assert "no-store" in signed_in["Cache-Control"]
    refresh_token = signed_in.json()["data"]["refresh_token"]
    refreshed = Client().post(
        "/c/alpha/api/v1/auth/refresh", {"refresh_token": refresh_token}, "application/json"
    )
    assert refreshed.status_code == 200 and "no-store" in refreshed["Cache-Control"]
    with tenant_context(tenant_a):
        resident = Resident.objects.create(name="Dewi", phone=dewi.phone, user=dewi)
        Occupancy.objects.create(
            unit=Unit.objects.create(number="9"),
            resident=resident,
            role="owner",
            start_on="2025-01-01",
        )
    token = refreshed.json()["data"]["access_token"]
    api_pass = Client(HTTP_AUTHORIZATION=f"Bearer {token}").get("/c/alpha/api/v1/access/pass")
    assert api_pass.status_code == 200 and "no-store" in api_pass["Cache-Control"]
    browser = Client()
    browser.post("/c/alpha/login", {"username": "081277770000", "password": PASSWORD})
    page = browser.get("/c/alpha/pass/")
    assert page.status_code == 200 and "no-store" in page["Cache-Control"]

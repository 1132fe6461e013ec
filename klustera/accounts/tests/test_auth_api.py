"""Signing in through the API: passwords, refresh rotation, devices, lock-out."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from klustera.accounts.models import AuthFailure, RefreshToken
from klustera.accounts.services import LOCKOUT_FAILURES, create_user
from klustera.roles import Role
from klustera.tenancy.context import tenant_context

BASE = "/c/alpha/api/v1/auth"


@pytest.fixture
def dewi(tenant_a):
    with tenant_context(tenant_a):
        return create_user(
            phone="081277770000", name="Dewi", password="rahasia-dewi-1", roles=[Role.RESIDENT]
        )


def _login(phone: str = "0812-7777-0000", password: str = "rahasia-dewi-1", device: str = "HP"):
    return Client().post(
        f"{BASE}/login",
        {"phone": phone, "password": password, "device_name": device},
        content_type="application/json",
    )


def _bearer(token: str) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Bearer {token}")


def test_login_answers_tokens_and_the_user(dewi) -> None:
    body = _login().json()
    data = body["data"]
    assert body["success"] is True
    assert data["access_token"].startswith("alpha.") and data["refresh_token"].startswith("alpha.")
    assert data["user"]["phone"] == "+6281277770000" and data["user"]["roles"] == ["resident"]
    me = _bearer(data["access_token"]).get(f"{BASE}/me").json()
    assert me["data"]["name"] == "Dewi"


@pytest.mark.parametrize("phone,password", [("081277770000", "salah"), ("081299990000", "x")])
def test_wrong_credentials_are_401_in_the_envelope(dewi, phone: str, password: str) -> None:
    response = _login(phone, password)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "UNAUTHENTICATED"


@pytest.mark.parametrize("phone", ["0000", "+1 555 0100", "0812abc"])
def test_a_phone_that_is_not_indonesian_is_a_422_on_its_field(dewi, phone: str) -> None:
    response = _login(phone, "rahasia-dewi-1")  # nothing about any account is revealed
    assert response.status_code == 422 and "phone" in response.json()["error"]["details"]


def test_bad_bodies_are_validation_errors(dewi) -> None:
    missing = Client().post(
        f"{BASE}/login", {"phone": "081277770000"}, content_type="application/json"
    )
    assert missing.status_code == 422 and "password" in missing.json()["error"]["details"]
    not_json = Client().post(f"{BASE}/login", "phone=1", content_type="text/plain")
    assert not_json.status_code == 415
    broken = Client().post(f"{BASE}/login", "{oops", content_type="application/json")
    assert broken.status_code == 400 and broken.json()["error"]["code"] == "VALIDATION_ERROR"


def test_repeated_failures_lock_the_phone_out_and_are_recorded(dewi, tenant_a, settings) -> None:
    with tenant_context(tenant_a):
        AuthFailure.objects.bulk_create(
            AuthFailure(phone="+6281277770000", kind="password") for _ in range(LOCKOUT_FAILURES)
        )
    locked = _login()  # even the right password
    assert locked.status_code == 429 and locked.json()["error"]["code"] == "RATE_LIMITED"
    with tenant_context(tenant_a):
        AuthFailure.objects.update(created_at=timezone.now() - timedelta(minutes=16))
    assert _login().status_code == 200


def test_refresh_rotates_and_a_reused_refresh_token_revokes_the_family(dewi) -> None:
    first = _login().json()["data"]
    second = (
        Client()
        .post(
            f"{BASE}/refresh",
            {"refresh_token": first["refresh_token"]},
            content_type="application/json",
        )
        .json()["data"]
    )
    assert second["access_token"] != first["access_token"]
    assert _bearer(first["access_token"]).get(f"{BASE}/me").status_code == 401  # rotated out
    assert _bearer(second["access_token"]).get(f"{BASE}/me").status_code == 200
    # A thief replays the first refresh token: the whole family dies, the new pair included.
    replay = Client().post(
        f"{BASE}/refresh",
        {"refresh_token": first["refresh_token"]},
        content_type="application/json",
    )
    assert replay.status_code == 401
    assert _bearer(second["access_token"]).get(f"{BASE}/me").status_code == 401
    assert (
        Client()
        .post(
            f"{BASE}/refresh",
            {"refresh_token": second["refresh_token"]},
            content_type="application/json",
        )
        .status_code
        == 401
    )


def test_an_expired_refresh_token_says_so(dewi, tenant_a) -> None:
    pair = _login().json()["data"]
    with tenant_context(tenant_a):
        RefreshToken.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    response = Client().post(
        f"{BASE}/refresh", {"refresh_token": pair["refresh_token"]}, content_type="application/json"
    )
    assert response.status_code == 401 and response.json()["error"]["code"] == "TOKEN_EXPIRED"


def test_devices_are_listed_and_signed_out_one_by_one(dewi) -> None:
    phone = _login(device="HP Android").json()["data"]
    tablet = _login(device="Tablet").json()["data"]
    devices = _bearer(phone["access_token"]).get(f"{BASE}/tokens").json()["data"]
    assert {d["device_name"]: d["current"] for d in devices} == {
        "HP Android": True,
        "Tablet": False,
    }
    tablet_id = next(d["id"] for d in devices if d["device_name"] == "Tablet")
    assert _bearer(phone["access_token"]).delete(f"{BASE}/tokens/{tablet_id}").status_code == 200
    assert _bearer(tablet["access_token"]).get(f"{BASE}/me").status_code == 401
    assert (
        Client()
        .post(
            f"{BASE}/refresh",
            {"refresh_token": tablet["refresh_token"]},
            content_type="application/json",
        )
        .status_code
        == 401
    )


def test_logout_and_password_change_end_sessions(dewi) -> None:
    one = _login().json()["data"]
    two = _login(device="Laptop").json()["data"]
    assert _bearer(one["access_token"]).post(f"{BASE}/logout").status_code == 200
    assert _bearer(one["access_token"]).get(f"{BASE}/me").status_code == 401
    assert _bearer(two["access_token"]).get(f"{BASE}/me").status_code == 200
    weak = _bearer(two["access_token"]).post(
        f"{BASE}/password",
        {"current_password": "rahasia-dewi-1", "new_password": "123"},
        content_type="application/json",
    )
    assert weak.status_code == 422
    changed = _bearer(two["access_token"]).post(
        f"{BASE}/password",
        {"current_password": "rahasia-dewi-1", "new_password": "kata-sandi-baru-9"},
        content_type="application/json",
    )
    assert changed.status_code == 200
    assert _bearer(two["access_token"]).get(f"{BASE}/me").status_code == 401
    assert _login(password="kata-sandi-baru-9").status_code == 200


def test_passwords_are_hashed_with_argon2_in_production() -> None:
    from klustera import settings as configured

    assert configured.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"

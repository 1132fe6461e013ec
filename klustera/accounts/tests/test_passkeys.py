"""Passkeys: added in the profile (API), signing in through the API and the portal."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from conftest import ApiClient
from klustera.accounts.models import Passkey, PasskeyChallenge
from klustera.accounts.services import create_user
from klustera.accounts.tests.authenticator import Authenticator
from klustera.audit.models import AuditEntry
from klustera.privacy.services import accept_notice
from klustera.roles import Role
from klustera.tenancy.context import tenant_context


@pytest.fixture
def dewi(tenant_a):
    with tenant_context(tenant_a):
        user = create_user(
            phone="081277770000", name="Dewi", password="rahasia-dewi-1", roles=[Role.RESIDENT]
        )
        accept_notice(user=user, opt_ins={}, method="registration")
        return user


def add_passkey(client: ApiClient, device: Authenticator, name: str = "Pixel") -> dict:
    ceremony = client.post("auth/passkeys/options").data
    reply = client.post(
        "auth/passkeys",
        {
            "challenge_id": ceremony["challenge_id"],
            "credential": device.create(ceremony["options"]),
            "name": name,
        },
    )
    assert reply.status == 201, reply.error
    return reply.data


def sign_in(client: ApiClient, device: Authenticator, **tamper):
    ceremony = client.post("auth/passkeys/sign-in/options").data
    return client.post(
        "auth/passkeys/sign-in",
        {
            "challenge_id": ceremony["challenge_id"],
            "credential": device.get(ceremony["options"], **tamper),
            "device_name": "Pixel",
        },
    )


@pytest.fixture
def device(api, dewi) -> Authenticator:
    device = Authenticator()
    add_passkey(api(dewi), device)
    return device


def test_a_passkey_added_in_the_profile_signs_in_through_the_api(api, dewi, device, tenant_a):
    listed = api(dewi).get("auth/passkeys")
    assert [p["name"] for p in listed.data] == ["Pixel"]

    reply = sign_in(api(), device)

    assert reply.status == 200
    assert reply.data["user"]["name"] == "Dewi"
    me = ApiClient(tenant_a, reply.data["access_token"]).get("auth/me")
    assert me.data["phone"] == "+6281277770000"
    with tenant_context(tenant_a):
        assert Passkey.objects.get().sign_count == 1
        actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"passkey.added", "passkey.signed_in"} <= actions


def test_the_same_credential_is_refused_in_another_complex(api, device, tenant_b):
    reply = sign_in(ApiClient(tenant_b), device)

    assert reply.status == 401
    assert reply.error["details"] == {"reason": "passkey_refused"}


def test_an_answer_made_for_another_origin_is_refused(api, device):
    reply = sign_in(api(), device, origin="https://phish.example")

    assert reply.status == 401
    assert reply.error["details"] == {"reason": "passkey_refused"}


def test_a_replayed_answer_is_refused(api, device):
    client = api()
    ceremony = client.post("auth/passkeys/sign-in/options").data
    body = {"challenge_id": ceremony["challenge_id"], "credential": device.get(ceremony["options"])}

    assert client.post("auth/passkeys/sign-in", body).status == 200
    again = client.post("auth/passkeys/sign-in", body)

    assert again.status == 401
    assert again.error["details"] == {"reason": "passkey_expired"}


def test_a_counter_that_goes_back_means_a_cloned_passkey_and_is_refused(api, device):
    assert sign_in(api(), device).status == 200
    assert sign_in(api(), device).status == 200
    device.sign_count = 0  # the clone's counter: behind the one the server has seen

    reply = sign_in(api(), device)

    assert reply.status == 401
    assert reply.error["details"] == {"reason": "passkey_refused"}


def test_an_expired_challenge_is_refused(api, device, tenant_a):
    client = api()
    ceremony = client.post("auth/passkeys/sign-in/options").data
    with tenant_context(tenant_a):
        PasskeyChallenge.objects.update(expires_at=timezone.now() - timedelta(seconds=1))

    reply = client.post(
        "auth/passkeys/sign-in",
        {"challenge_id": ceremony["challenge_id"], "credential": device.get(ceremony["options"])},
    )

    assert reply.status == 401


def test_a_removed_passkey_signs_in_no_more(api, dewi, device, tenant_a):
    with tenant_context(tenant_a):
        pk = Passkey.objects.get().pk

    assert api(dewi).delete(f"auth/passkeys/{pk}").status == 200

    assert sign_in(api(), device).status == 401


def test_someone_else_cannot_remove_my_passkey(api, device, tenant_a):
    with tenant_context(tenant_a):
        other = create_user(phone="081277770001", name="Eko", roles=[Role.RESIDENT])
        pk = Passkey.objects.get().pk

    assert api(other).delete(f"auth/passkeys/{pk}").status == 404


def test_an_account_switched_off_cannot_sign_in_with_its_passkey(api, dewi, device, tenant_a):
    with tenant_context(tenant_a):
        type(dewi).objects.filter(pk=dewi.pk).update(is_active=False)

    assert sign_in(api(), device).status == 401


def test_garbage_gets_a_clear_answer_never_a_500(api, dewi):
    client = api(dewi)
    ceremony = client.post("auth/passkeys/options").data
    bad = client.post(
        "auth/passkeys",
        {"challenge_id": ceremony["challenge_id"], "credential": {"id": "x", "response": {}}},
    )
    assert bad.status == 422
    assert bad.error["details"]

    unreadable = api().post(
        "auth/passkeys/sign-in",
        {"challenge_id": "5b3c3cb0-52ce-4a3f-bf1b-7e1b2f6d9f10", "credential": {"rawId": "%%"}},
    )
    assert unreadable.status == 401
    assert api().post("auth/passkeys/sign-in", {"credential": "no"}).status == 422


def portal_sign_in(browser: Client, device: Authenticator, next_url: str = ""):
    options = browser.post("/c/alpha/api/v1/auth/passkeys/sign-in/options").json()["data"]
    return browser.post(
        "/c/alpha/login/passkey",
        {
            "challenge_id": options["challenge_id"],
            "credential": json.dumps(device.get(options["options"])),
            "next": next_url,
        },
    )


def test_the_portal_signs_in_with_a_passkey(device, dewi):
    browser = Client()

    response = portal_sign_in(browser, device, "/c/alpha/invoices/")

    assert response.status_code == 200
    assert response.json() == {"next": "/c/alpha/invoices/"}
    assert browser.get("/c/alpha/profile").status_code == 200
    assert b"Pixel" in browser.get("/c/alpha/profile").content


def test_the_portal_refuses_a_passkey_it_does_not_know(dewi):
    browser = Client()
    stranger = Authenticator()
    stranger.user_handle = b"x"

    response = portal_sign_in(browser, stranger, "https://phish.example/")

    assert response.status_code == 401
    assert browser.get("/c/alpha/profile").status_code == 302


def test_the_profile_removes_a_passkey(device, dewi, tenant_a):
    browser = Client()
    assert portal_sign_in(browser, device, "https://phish.example/").json() == {"next": "/c/alpha/"}
    with tenant_context(tenant_a):
        pk = Passkey.objects.get().pk

    browser.post("/c/alpha/profile", {"remove_passkey": str(pk)})

    with tenant_context(tenant_a):
        assert not Passkey.objects.exists()

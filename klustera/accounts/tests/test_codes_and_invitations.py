"""One-time codes, password reset, invitations, registration and staff accounts."""

from __future__ import annotations

import re

import pytest
from django.core.cache import cache
from django.test import Client

from klustera.accounts.models import AuthFailure, OneTimeCode, User
from klustera.accounts.services import create_user
from klustera.estate.models import Invitation, Occupancy, Unit
from klustera.notifications.models import Channel, Consent
from klustera.notifications.services import set_consent
from klustera.notifications.tests.conftest import configure
from klustera.privacy.models import ConsentRecord
from klustera.roles import Role
from klustera.tenancy.context import tenant_context

BASE = "/c/alpha/api/v1"


def _post(path: str, body: dict, token: str = ""):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
    return Client(**headers).post(f"{BASE}{path}", body, content_type="application/json")


def _code_sent_to(sim, provider: str = "whatsapp") -> str:
    last = sim.sent(provider)[-1]
    if provider == "whatsapp":
        return str(last.body["template"]["components"][0]["parameters"][0]["text"])
    return re.findall(r"\b[0-9A-Z]{6,8}\b", last.body["Body"])[0]


@pytest.fixture
def rina(tenant_a, sim):
    configure(tenant_a, sim)
    with tenant_context(tenant_a):
        user = create_user(
            phone="081266660000", name="Rina", password="lama-sekali-1", roles=[Role.RESIDENT]
        )
        set_consent(
            user=user, channel=Channel.WHATSAPP, granted=True, method=Consent.Method.REGISTRATION
        )
    return user


def _request_code(phone: str, committed, tenant, purpose: str = "login"):
    return committed(
        tenant, lambda: _post("/auth/otp/request", {"phone": phone, "purpose": purpose})
    )


def test_sign_in_with_a_code_sent_on_whatsapp(tenant_a, rina, sim, committed) -> None:
    answer = _request_code("081266660000", committed, tenant_a)
    assert answer.status_code == 200
    code = _code_sent_to(sim)
    with tenant_context(tenant_a):
        assert OneTimeCode.objects.get().code_hash != code  # only a keyed hash is stored
    tokens = _post("/auth/otp/verify", {"phone": "+62 812 6666 0000", "code": code}).json()["data"]
    assert tokens["user"]["name"] == "Rina"
    again = _post("/auth/otp/verify", {"phone": "081266660000", "code": code})
    assert again.status_code == 401  # a code works once


def test_unknown_numbers_get_the_same_answer_and_no_message(tenant_a, rina, sim, committed) -> None:
    known = _request_code("081266660000", committed, tenant_a).json()
    unknown = _request_code("081299999999", committed, tenant_a).json()
    assert known == unknown
    assert len(sim.sent("whatsapp")) == 1


def test_five_wrong_codes_burn_the_code(tenant_a, rina, sim, committed) -> None:
    _request_code("081266660000", committed, tenant_a)
    code = _code_sent_to(sim)
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(5):
        cache.clear()  # a patient guesser, one try a minute: the per-phone rate limit allows it
        response = _post("/auth/otp/verify", {"phone": "081266660000", "code": wrong})
        assert response.status_code == 401
    cache.clear()
    assert _post("/auth/otp/verify", {"phone": "081266660000", "code": code}).status_code == 401
    with tenant_context(tenant_a):
        assert AuthFailure.objects.filter(kind="otp").count() == 5


def test_without_whatsapp_opt_in_the_code_goes_by_sms(tenant_a, sim, committed) -> None:
    configure(tenant_a, sim)
    with tenant_context(tenant_a):
        create_user(phone="081266661111", name="Joko", roles=[Role.SECURITY_STAFF])
    _request_code("081266661111", committed, tenant_a)
    assert sim.sent("whatsapp") == [] and len(sim.sent("twilio")) == 1


def test_password_reset_by_code(tenant_a, rina, sim, committed) -> None:
    _request_code("081266660000", committed, tenant_a, purpose="password_reset")
    code = _code_sent_to(sim)
    login_code_rejected = _post("/auth/otp/verify", {"phone": "081266660000", "code": code})
    assert login_code_rejected.status_code == 401  # a reset code is not a sign-in code
    reset = _post(
        "/auth/password/reset",
        {"phone": "081266660000", "code": code, "new_password": "baru-sekali-22"},
    )
    assert reset.status_code == 200
    login = _post("/auth/login", {"phone": "081266660000", "password": "baru-sekali-22"})
    assert login.status_code == 200


def test_a_manager_invites_and_the_resident_registers(tenant_a, sim, committed) -> None:
    from tests.seed import seed_complex

    configure(tenant_a, sim)
    data = seed_complex(tenant_a, marker="alpha")
    unit = data.units[1]
    invited = committed(
        tenant_a,
        lambda: _post(
            "/admin/invitations",
            {
                "unit_id": unit.pk,
                "name": "Hendra",
                "phone": "081255554444",
                "occupancy_role": "renter",
            },
            token=data.manager_token,
        ),
    )
    assert invited.status_code == 201
    code = _code_sent_to(sim, "twilio")
    assert len(code) == 8
    with tenant_context(tenant_a):
        assert Invitation.objects.get().code_hash != code
    wrong_phone = _post(
        "/auth/register",
        {
            "code": code,
            "phone": "081200000000",
            "password": "x-kuat-123",
            "privacy_notice_version": 1,
        },
    )
    assert wrong_phone.status_code == 422
    registered = _post(
        "/auth/register",
        {
            "code": code.lower(),
            "phone": "081255554444",
            "password": "hendra-kuat-123",
            "whatsapp_opt_in": True,
            "privacy_notice_version": 1,
            "community_opt_in": True,
        },
    )
    assert registered.status_code == 201
    assert registered.json()["data"]["user"]["roles"] == ["resident"]
    with tenant_context(tenant_a):
        occupancy = Occupancy.objects.get(resident__phone="+6281255554444")
        assert (
            occupancy.unit == unit and occupancy.role == "renter" and occupancy.is_billing_contact
        )
        assert Consent.objects.filter(user__phone="+6281255554444", channel="whatsapp").exists()
    units = (
        Client(HTTP_AUTHORIZATION=f"Bearer {registered.json()['data']['access_token']}")
        .get(f"{BASE}/units")
        .json()
    )
    assert [u["number"] for u in units["data"]] == ["02"]
    with tenant_context(tenant_a):  # each choice its own proof, at registration
        proof = set(
            ConsentRecord.objects.filter(user__phone="+6281255554444").values_list(
                "purpose", "granted", "notice_version", "method"
            )
        )
    assert proof == {
        ("whatsapp", True, 1, "registration"),
        ("notice", True, 1, "registration"),
        ("community", True, 1, "registration"),
        ("marketing", False, 1, "registration"),
    }
    reused = _post(
        "/auth/register",
        {
            "code": code,
            "phone": "081255554444",
            "password": "x-kuat-123",
            "privacy_notice_version": 1,
        },
    )
    assert reused.status_code == 422


def test_invitations_to_existing_users_or_other_complexes_units_are_refused(
    tenant_a, tenant_b, sim
) -> None:
    from tests.seed import seed_complex

    configure(tenant_a, sim)
    data = seed_complex(tenant_a, marker="alpha")
    existing = _post(
        "/admin/invitations",
        {
            "unit_id": data.units[0].pk,
            "name": "x",
            "phone": "081300000002",
            "occupancy_role": "owner",
        },
        token=data.manager_token,
    )
    assert existing.status_code == 422
    with tenant_context(tenant_b):
        foreign = Unit.objects.create(block="Z", number="9", pk=99_001)
    response = _post(
        "/admin/invitations",
        {"unit_id": foreign.pk, "name": "x", "phone": "081255550000", "occupancy_role": "owner"},
        token=data.manager_token,
    )
    assert response.status_code == 422 and "unit_id" in response.json()["error"]["details"]


def test_managers_create_staff_and_residents_cannot(tenant_a) -> None:
    from tests.seed import seed_complex

    data = seed_complex(tenant_a, marker="alpha")
    created = _post(
        "/admin/staff",
        {
            "phone": "081244443333",
            "name": "Agus",
            "role": "security_staff",
            "password": "satpam-kuat-1",
        },
        token=data.manager_token,
    )
    assert created.status_code == 201 and created.json()["data"]["roles"] == ["security_staff"]
    not_staff = _post(
        "/admin/staff",
        {"phone": "081244443334", "name": "X", "role": "property_manager"},
        token=data.manager_token,
    )
    assert not_staff.status_code == 422
    denied = _post(
        "/admin/staff",
        {"phone": "081244443335", "name": "Y", "role": "cleaning_staff"},
        token=data.resident_token,
    )
    assert denied.status_code == 403
    with tenant_context(tenant_a):
        assert list(
            User.objects.filter(groups__name="security_staff").values_list("name", flat=True)
        ) == ["Agus"]


def test_asking_for_a_code_does_the_same_work_for_known_and_unknown_phones(
    tenant_a, rina, monkeypatch
) -> None:
    """No timing tells a registered phone: the lookup and the sending happen in the worker."""
    from django.db import connections
    from django.test.utils import CaptureQueriesContext

    from klustera.accounts import tasks
    from klustera.tenancy.connections import alias_for

    queued: list[tuple[str, str]] = []
    monkeypatch.setattr(
        tasks.send_code, "wrapper", lambda slug, *args, **kwargs: queued.append(args)
    )
    queries = []
    for phone in ("081266660000", "081299999999"):
        with CaptureQueriesContext(connections[alias_for(tenant_a)]) as tenant_queries:
            assert _post("/auth/otp/request", {"phone": phone}).status_code == 200
        queries.append(len(tenant_queries))
    assert queries[0] == queries[1] == 0
    assert queued == [("081266660000", "login"), ("081299999999", "login")]

"""Signing in to a complex's portal with phone and password."""

from __future__ import annotations

from urllib.parse import urlencode

from django.test import Client

from klustera.accounts.services import create_user
from klustera.privacy.services import accept_notice
from klustera.roles import Role
from klustera.tenancy.context import tenant_context


def _user(tenant, *, agreed: bool = True):
    """Dewi; ``agreed``: she already accepted the privacy notice in force."""
    with tenant_context(tenant):
        user = create_user(
            phone="081277770000", name="Dewi", password="rahasia-dewi-1", roles=[Role.RESIDENT]
        )
        if agreed:
            accept_notice(user=user, opt_ins={}, method="registration")
        return user


def test_a_resident_signs_in_with_any_spelling_of_their_phone(tenant_a) -> None:
    _user(tenant_a, agreed=False)
    client = Client()
    response = client.post(
        "/c/alpha/login", {"username": "+62 812-7777-0000", "password": "rahasia-dewi-1"}
    )
    # Signed in; first the privacy notice, then the WhatsApp question, then home.
    assert response.status_code == 302
    whatsapp = "/c/alpha/notifications/?first=1&next=%2Fc%2Falpha%2F"
    assert response["Location"] == f"/c/alpha/privacy/consent?{urlencode({'next': whatsapp})}"
    assert "Keluar" in client.get("/c/alpha/").content.decode()  # "Sign out" in Indonesian


def test_wrong_passwords_and_malformed_phones_get_a_form_error(tenant_a) -> None:
    _user(tenant_a)
    for phone, password in [("081277770000", "wrong"), ("not-a-phone", "x"), ("", "")]:
        response = Client().post("/c/alpha/login", {"username": phone, "password": password})
        assert response.status_code == 200, phone
        expected = "Nomor telepon atau kata sandi salah." if phone else "Bidang ini harus diisi."
        assert expected in response.content.decode()


def test_a_session_of_one_complex_means_nothing_in_another(tenant_a, tenant_b) -> None:
    _user(tenant_a)
    _user(tenant_b)
    client = Client()
    client.post("/c/alpha/login", {"username": "081277770000", "password": "rahasia-dewi-1"})
    # Same browser, same cookie, other complex: not signed in there.
    response = client.get("/c/beta/manage/notifications/")
    assert response.status_code == 302 and response["Location"].startswith("/c/beta/login")


def _last_code(sim) -> str:
    return str(sim.sent("twilio")[-1].body["Body"].split(": ")[1][:6])


def test_sign_in_with_a_code_on_the_portal(tenant_a, sim, committed) -> None:
    from klustera.notifications.tests.conftest import configure

    configure(tenant_a, sim)
    _user(tenant_a)
    client = Client()
    with_code = committed(
        tenant_a,
        lambda: client.post("/c/alpha/login/code", {"step": "request", "phone": "0812 7777 0000"}),
    )
    assert "Jika nomor ini terdaftar" in with_code.content.decode()
    code = _last_code(sim)
    wrong = client.post(
        "/c/alpha/login/code",
        {
            "step": "verify",
            "phone": "081277770000",
            "code": "000000" if code != "000000" else "111111",
        },
    )
    assert "Kode salah atau sudah kedaluwarsa." in wrong.content.decode()
    signed_in = client.post(
        "/c/alpha/login/code", {"step": "verify", "phone": "081277770000", "code": code}
    )
    assert signed_in.status_code == 302 and signed_in["Location"] == "/c/alpha/"
    assert "Keluar" in client.get("/c/alpha/").content.decode()


def test_reset_a_forgotten_password_on_the_portal(tenant_a, sim, committed) -> None:
    from klustera.notifications.tests.conftest import configure

    configure(tenant_a, sim)
    _user(tenant_a)
    client = Client()
    committed(
        tenant_a,
        lambda: client.post(
            "/c/alpha/password/reset", {"step": "request", "phone": "081277770000"}
        ),
    )
    code = _last_code(sim)
    weak = client.post(
        "/c/alpha/password/reset",
        {"step": "verify", "phone": "081277770000", "code": code, "new_password": "123"},
    )
    assert weak.status_code == 200 and "error" in weak.content.decode()
    committed(
        tenant_a,
        lambda: client.post(
            "/c/alpha/password/reset", {"step": "request", "phone": "081277770000"}
        ),
    )
    done = client.post(
        "/c/alpha/password/reset",
        {
            "step": "verify",
            "phone": "081277770000",
            "code": _last_code(sim),
            "new_password": "baru-dan-kuat-7",
        },
    )
    assert done.status_code == 302 and done["Location"] == "/c/alpha/login"
    assert (
        Client()
        .post("/c/alpha/login", {"username": "081277770000", "password": "baru-dan-kuat-7"})
        .status_code
        == 302
    )


def test_at_most_three_codes_per_phone_in_fifteen_minutes(tenant_a, sim, committed) -> None:
    from klustera.notifications.tests.conftest import configure

    configure(tenant_a, sim)
    _user(tenant_a)
    for _ in range(5):
        committed(
            tenant_a,
            lambda: Client().post(
                "/c/alpha/login/code", {"step": "request", "phone": "081277770000"}
            ),
        )
    assert len(sim.sent("twilio")) == 3

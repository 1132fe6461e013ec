"""Signing in to a complex's portal with phone and password."""

from __future__ import annotations

from django.test import Client

from klustera.accounts.roles import Role
from klustera.accounts.services import create_user
from klustera.tenancy.context import tenant_context


def _user(tenant):  # type: ignore[no-untyped-def]
    with tenant_context(tenant):
        return create_user(
            phone="081277770000", name="Dewi", password="rahasia-dewi-1", roles=[Role.RESIDENT]
        )


def test_a_resident_signs_in_with_any_spelling_of_their_phone(tenant_a) -> None:  # type: ignore[no-untyped-def]
    _user(tenant_a)
    client = Client()
    response = client.post(
        "/c/alpha/login", {"username": "+62 812-7777-0000", "password": "rahasia-dewi-1"}
    )
    assert response.status_code == 302 and response["Location"] == "/c/alpha/"
    assert "Keluar" in client.get("/c/alpha/").content.decode()  # "Sign out" in Indonesian


def test_wrong_passwords_and_malformed_phones_get_a_form_error(tenant_a) -> None:  # type: ignore[no-untyped-def]
    _user(tenant_a)
    for phone, password in [("081277770000", "wrong"), ("not-a-phone", "x"), ("", "")]:
        response = Client().post("/c/alpha/login", {"username": phone, "password": password})
        assert response.status_code == 200, phone
        expected = "Nomor telepon atau kata sandi salah." if phone else "Bidang ini harus diisi."
        assert expected in response.content.decode()


def test_a_session_of_one_complex_means_nothing_in_another(tenant_a, tenant_b) -> None:  # type: ignore[no-untyped-def]
    _user(tenant_a)
    _user(tenant_b)
    client = Client()
    client.post("/c/alpha/login", {"username": "081277770000", "password": "rahasia-dewi-1"})
    # Same browser, same cookie, other complex: not signed in there.
    response = client.get("/c/beta/manage/notifications/")
    assert response.status_code == 302 and response["Location"].startswith("/c/beta/login")

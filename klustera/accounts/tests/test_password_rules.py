"""Every account with a password meets the password rules, however it is created."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from klustera.accounts.models import User
from klustera.accounts.services import create_staff
from klustera.tenancy.context import tenant_context
from tests.seed import seed_complex


@pytest.mark.parametrize("weak", ["1", "password", "12345678"])
def test_a_staff_account_with_a_weak_password_is_refused(tenant_a, weak: str) -> None:
    data = seed_complex(tenant_a, marker="alpha")
    with tenant_context(tenant_a):
        manager = User.objects.get(phone="+6281300000001")
        with pytest.raises(ValidationError) as refused:
            create_staff(
                phone="081244440000",
                name="Agus",
                role="security_staff",
                password=weak,
                actor=manager,
            )
        assert "password" in refused.value.message_dict
        assert not User.objects.filter(phone="+6281244440000").exists()
    api = Client(HTTP_AUTHORIZATION=f"Bearer {data.manager_token}").post(
        "/c/alpha/api/v1/admin/staff",
        {"phone": "081244440000", "name": "Agus", "role": "cleaning_staff", "password": weak},
        "application/json",
    )
    assert api.status_code == 422 and "password" in api.json()["error"]["details"]


def test_the_staff_page_shows_a_weak_password_on_its_field(tenant_a) -> None:
    seed_complex(tenant_a, marker="alpha")
    browser = Client()
    browser.post("/c/alpha/login", {"username": "081300000001", "password": "x-pass-123"})
    page = browser.post(
        "/c/alpha/manage/staff/",
        {"name": "Agus", "phone": "081244440000", "role": "security_staff", "password": "password"},
    )
    assert page.status_code == 200
    assert 'class="error"' in page.content.decode()
    with tenant_context(tenant_a):
        assert not User.objects.filter(phone="+6281244440000").exists()

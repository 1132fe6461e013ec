"""Accounts' portal pages: staff accounts and the profile."""

from __future__ import annotations

from django.test import Client

from klustera.tenancy.context import tenant_context


def test_a_manager_creates_and_switches_off_a_staff_account(portal, tenant_a) -> None:
    from klustera.accounts.models import User

    manager = portal["clients"]["manager"]
    form = {
        "name": "Bu Cleaning",
        "phone": "081366660001",
        "role": "cleaning_staff",
        "password": "clean-123-x",
    }
    assert manager.post("/c/alpha/manage/staff/", form).status_code == 302
    again = manager.post("/c/alpha/manage/staff/", form)
    assert 'class="error"' in again.content.decode()  # the phone has an account already
    page = manager.get("/c/alpha/manage/staff/").content.decode()
    assert "Bu Cleaning" in page and "Pak Satpam" in page
    with tenant_context(tenant_a):
        cleaner = User.objects.get(phone="+6281366660001")
        resident = User.objects.get(phone="+6281300000002")
    manager.post("/c/alpha/manage/staff/", {"toggle": cleaner.pk, "active": "0"})
    signed_in = Client().post(
        "/c/alpha/login", {"username": "081366660001", "password": "clean-123-x"}
    )
    assert signed_in.status_code == 200  # refused: switched off
    refused = manager.post(
        "/c/alpha/manage/staff/", {"toggle": resident.pk, "active": "0"}, follow=True
    )
    assert "notice error" in refused.content.decode()  # a resident is not staff
    assert manager.post("/c/alpha/manage/staff/", {"toggle": "x", "active": "0"}).status_code == 404
    with tenant_context(tenant_a):
        assert User.objects.get(pk=resident.pk).is_active


def test_a_user_edits_the_profile_and_signs_a_device_out(portal, tenant_a) -> None:
    from klustera.accounts.models import ApiToken, User

    resident = portal["clients"]["resident"]
    app = Client(HTTP_AUTHORIZATION=f"Bearer {portal['resident_token']}")
    assert app.get("/c/alpha/api/v1/auth/me").status_code == 200
    page = resident.get("/c/alpha/profile").content.decode()
    assert "test" in page  # the device the seed signed in as
    bad = resident.post(
        "/c/alpha/profile", {"name": "Siti", "email": "not-an-email", "language": "en"}
    )
    assert 'class="error"' in bad.content.decode()
    resident.post(
        "/c/alpha/profile", {"name": "Siti R.", "email": "siti@example.com", "language": "en"}
    )
    with tenant_context(tenant_a):
        user = User.objects.get(phone="+6281300000002")
        assert (user.name, user.email, user.language) == ("Siti R.", "siti@example.com", "en")
        family = ApiToken.objects.get(user=user).family
    resident.post("/c/alpha/profile", {"sign_out": str(family)})
    assert app.get("/c/alpha/api/v1/auth/me").status_code == 401  # that device is signed out
    # Another user's device cannot be signed out from here.
    with tenant_context(tenant_a):
        manager_family = ApiToken.objects.get(user__phone="+6281300000001").family
    resident.post("/c/alpha/profile", {"sign_out": str(manager_family)})
    manager_app = Client(HTTP_AUTHORIZATION=f"Bearer {portal['manager_token']}")
    assert manager_app.get("/c/alpha/api/v1/auth/me").status_code == 200
    assert resident.post("/c/alpha/profile", {"sign_out": "garbage"}).status_code == 302


def test_the_language_chosen_on_the_sign_in_page_holds_after_signing_in(tenant_a) -> None:
    from django.test import Client

    from klustera.accounts.models import User
    from tests.seed import seed_complex

    seed_complex(tenant_a, marker="alpha")
    browser = Client()
    browser.post("/c/alpha/language", {"language": "en", "next": "/c/alpha/login"})
    signed_in = browser.post(
        "/c/alpha/login", {"username": "081300000002", "password": "x-pass-123"}, follow=True
    )
    assert '<html lang="en"' in signed_in.content.decode()
    with tenant_context(tenant_a):
        assert User.objects.get(phone="+6281300000002").language == "en"


def test_a_resident_changes_their_password_and_stays_signed_in_here(portal, tenant_a) -> None:
    from tests.pages import PASSWORD

    resident = portal["clients"]["resident"]
    change = {"change_password": "1", "password-old_password": PASSWORD}
    wrong = resident.post(
        "/c/alpha/profile",
        {
            **change,
            "password-old_password": "nope",
            "password-new_password1": "baru-rahasia-99",
            "password-new_password2": "baru-rahasia-99",
        },
    )
    assert wrong.status_code == 200 and 'role="alert"' in wrong.content.decode()
    done = resident.post(
        "/c/alpha/profile",
        {
            **change,
            "password-new_password1": "baru-rahasia-99",
            "password-new_password2": "baru-rahasia-99",
        },
        follow=True,
    )
    assert "Kata sandi diganti" in done.content.decode()
    assert resident.get("/c/alpha/profile").status_code == 200  # still signed in here
    fresh = Client()
    old = fresh.post("/c/alpha/login", {"username": "081300000002", "password": PASSWORD})
    assert old.status_code != 302
    new = fresh.post("/c/alpha/login", {"username": "081300000002", "password": "baru-rahasia-99"})
    assert new.status_code == 302

"""What every portal page shares: the language switcher and the security headers."""

from __future__ import annotations

from django.test import Client

from klustera.accounts.models import User
from klustera.tenancy.context import tenant_context
from tests.seed import seed_complex


def _lang(page) -> str:
    return page.content.decode().split('<html lang="', 1)[1].split('"', 1)[0]


def test_the_language_switcher_is_remembered_in_a_cookie_and_on_the_account(tenant_a) -> None:
    seed_complex(tenant_a, marker="alpha")
    visitor = Client()
    assert _lang(visitor.get("/c/alpha/login")) == "id"  # Indonesian by default
    switched = visitor.post("/c/alpha/language", {"language": "en", "next": "/c/alpha/login"})
    assert (switched.status_code, switched["Location"]) == (302, "/c/alpha/login")
    assert _lang(visitor.get("/c/alpha/login")) == "en"

    # Signed in, the choice is stored on the account and follows the user to another device.
    visitor.post("/c/alpha/login", {"username": "081300000002", "password": "x-pass-123"})
    visitor.post("/c/alpha/language", {"language": "en", "next": "/c/alpha/"})
    with tenant_context(tenant_a):
        assert User.objects.get(phone="+6281300000002").language == "en"
    phone = Client(HTTP_ACCEPT_LANGUAGE="id")
    phone.post("/c/alpha/login", {"username": "081300000002", "password": "x-pass-123"})
    assert _lang(phone.get("/c/alpha/")) == "en"


def test_the_switcher_refuses_unknown_languages_and_foreign_redirects(tenant_a) -> None:
    client = Client()
    odd = client.post("/c/alpha/language", {"language": "xx", "next": "/c/alpha/login"})
    assert odd.status_code == 302 and "django_language" not in odd.cookies
    away = client.post("/c/alpha/language", {"language": "en", "next": "https://evil.example/"})
    assert away["Location"] == "/c/alpha/"
    assert client.get("/c/alpha/language").status_code == 405


def test_pages_carry_a_strict_content_security_policy(tenant_a) -> None:
    page = Client().get("/c/alpha/login")
    policy = page["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "frame-ancestors 'none'" in policy
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert page["X-Frame-Options"] == "DENY"
    assert "style=" not in page.content.decode()  # inline styles would be blocked


def test_the_500_page_is_styled_in_both_languages_without_touching_the_database() -> None:
    from django.test import RequestFactory

    from klustera.views import server_error

    # No database here (pytest-django refuses it): what failed may be the database itself.
    page = server_error(RequestFactory().get("/c/alpha/invoices/"))
    html = page.content.decode()
    assert page.status_code == 500 and "portal.css" in html
    assert "Terjadi kesalahan" in html and "Something went wrong" in html

"""Bad input gets a clear 4xx, never a 500: one test per finding of the outside probe."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from klustera.access.models import Parcel, WalkIn
from klustera.accounts.services import create_user, issue_token
from klustera.billing.models import BillingSettings, Invoice, Payment, Tariff
from klustera.billing.services import generate_invoices
from klustera.estate.models import Resident, Unit
from klustera.roles import Role
from klustera.tenancy.context import tenant_context
from klustera.tenancy.models import Tenant
from tests.seed import seed_complex

NUL_FILTERS = [
    "admin/residents?q=a%00b",
    "admin/residents?status=active%00",
    "admin/units?block=A%00",
    "admin/access-logs?gate=Utama%00",
    "admin/access-logs?date=2026-11-25%00",
    "admin/audit?action=x%00",
    "admin/invoices?status=pending%00",
    "admin/invoices?block=A%00",
    "admin/notifications/outbox?template=otp%00",
    "access/walk-ins?status=waiting%00",
]


@pytest.mark.parametrize("path", NUL_FILTERS)
def test_a_nul_byte_in_a_filter_is_a_422_on_both_databases(tenant_pair, path: str) -> None:
    tenant, _other = tenant_pair
    data = seed_complex(tenant, marker="alpha")
    manager = Client(HTTP_AUTHORIZATION=f"Bearer {data.manager_token}")
    answer = manager.get(f"/c/{tenant.slug}/api/v1/{path}")
    assert answer.status_code == 422, answer.content[:200]
    assert answer.json()["error"]["code"] == "VALIDATION_ERROR"


@pytest.mark.parametrize("page", ["/manage/units/?q=a%00", "/invoices/?block=A%00"])
def test_a_nul_byte_on_a_portal_list_is_no_500(tenant_pair, page: str) -> None:
    tenant, _other = tenant_pair
    seed_complex(tenant, marker="alpha")
    browser = Client()
    browser.post(f"/c/{tenant.slug}/login", {"username": "081300000001", "password": "x-pass-123"})
    assert browser.get(f"/c/{tenant.slug}{page}").status_code in (200, 400)


@pytest.mark.parametrize("slug", ["pg%00x", "a" * 300, "ALPHA%00"])
def test_a_complex_slug_that_cannot_exist_is_unknown_before_any_query(
    tenant_pair, slug: str
) -> None:
    assert Client().get(f"/c/{slug}/api/v1/units").status_code == 404
    assert Client().get(f"/c/{slug}/login").status_code == 404


def test_an_invoice_prefix_is_letters_digits_and_hyphens(tenant_a) -> None:
    data = seed_complex(tenant_a, marker="alpha")
    manager = Client(HTTP_AUTHORIZATION=f"Bearer {data.manager_token}")
    for prefix in ('INV"\r\n', "IN/V", "inv"):
        answer = manager.patch(
            "/c/alpha/api/v1/admin/billing-settings",
            {"invoice_prefix": prefix},
            content_type="application/json",
        )
        assert answer.status_code == 422, prefix
        assert "invoice_prefix" in answer.json()["error"]["details"]
    ok = manager.patch(
        "/c/alpha/api/v1/admin/billing-settings",
        {"invoice_prefix": "IPL-GI"},
        content_type="application/json",
    )
    assert ok.status_code == 200


def test_a_pdf_named_by_an_old_odd_prefix_still_downloads(tenant_a, settings, tmp_path) -> None:
    settings.MEDIA_ROOT = tmp_path
    data = seed_complex(tenant_a, marker="alpha")
    with tenant_context(tenant_a):
        BillingSettings.objects.update_or_create(pk=1, defaults={"invoice_prefix": 'I"\r\nV'})
        Tariff.objects.create(charge="IPL", rate=Decimal("250000"), effective_from=date(2026, 1, 1))
        generate_invoices(period=date(2026, 11, 1))
        invoice = Invoice.objects.filter(unit=data.units[0]).get()
    manager = Client(HTTP_AUTHORIZATION=f"Bearer {data.manager_token}")
    pdf = manager.get(f"/c/alpha/api/v1/invoices/{invoice.pk}/pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert "\n" not in pdf["Content-Disposition"]


def _image(fmt: str, size: tuple[int, int] = (40, 40)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, "white").save(out, fmt)
    return out.getvalue()


@pytest.fixture
def guard(tenant_a) -> Client:
    seed_complex(tenant_a, marker="alpha")
    with tenant_context(tenant_a):
        user = create_user(phone="081300000007", name="Pak Satpam", roles=[Role.SECURITY_STAFF])
        return Client(HTTP_AUTHORIZATION=f"Bearer {issue_token(user=user)[0]}")


def test_a_parcel_photo_is_stored_under_its_real_format(
    guard, tenant_a, settings, tmp_path
) -> None:
    settings.MEDIA_ROOT = tmp_path
    with tenant_context(tenant_a):
        unit = Unit.objects.get(number="01")
    disguised = SimpleUploadedFile("foto.jpg", _image("PNG"), content_type="image/jpeg")
    answer = guard.post(
        "/c/alpha/api/v1/access/parcels",
        {"unit": unit.pk, "recipient_name": "Bu Ani", "courier": "JNE", "gate": "Utama",
         "photo": disguised},
    )  # fmt: skip
    assert answer.status_code == 201, answer.content[:300]
    with tenant_context(tenant_a):
        assert Parcel.objects.get().photo.name.endswith(".png")


def test_a_walk_in_photo_over_5_mb_is_refused(guard, tenant_a, settings) -> None:
    settings.UPLOAD_MAX_BYTES = 50 * 1024 * 1024  # the per-photo limit, not the request's
    with tenant_context(tenant_a):
        unit = Unit.objects.get(number="01")
    big = _image("BMP", (1800, 1200))  # about 6.5 MB, a real image
    answer = guard.post(
        "/c/alpha/api/v1/access/walk-ins",
        {"unit": unit.pk, "visitor_name": "Budi", "purpose": "tamu", "gate": "Utama",
         "photo": SimpleUploadedFile("besar.bmp", big)},
    )  # fmt: skip
    assert answer.status_code == 422 and "photo" in answer.json()["error"]["details"]
    with tenant_context(tenant_a):
        assert not WalkIn.objects.exists()


def test_an_upload_past_the_request_limit_is_cut_off_while_it_streams(guard, settings) -> None:
    settings.UPLOAD_MAX_BYTES = 1024 * 1024
    answer = guard.post(
        "/c/alpha/api/v1/access/walk-ins",
        {"unit": 1, "visitor_name": "Budi", "purpose": "tamu", "gate": "Utama",
         "photo": SimpleUploadedFile("besar.jpg", b"\xff" * (2 * 1024 * 1024))},
    )  # fmt: skip
    assert answer.status_code == 413
    assert answer.json()["error"]["code"] == "VALIDATION_ERROR"


def test_a_complex_gets_no_more_units_than_its_plan_allows(tenant_a) -> None:
    data = seed_complex(tenant_a, marker="alpha")  # two units
    Tenant.objects.filter(slug="alpha").update(max_units=3)
    manager = Client(HTTP_AUTHORIZATION=f"Bearer {data.manager_token}")
    url = "/c/alpha/api/v1/admin/units"
    assert manager.post(url, {"block": "B", "number": "1"}, "application/json").status_code == 201
    refused = manager.post(url, {"block": "B", "number": "2"}, "application/json")
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "PLAN_LIMIT"
    sheet = SimpleUploadedFile("units.csv", b"block,number\nC,1\nC,2\n")
    imported = manager.post(f"{url}/import", {"file": sheet, "commit": "true"})
    assert imported.status_code == 409 and imported.json()["error"]["code"] == "PLAN_LIMIT"
    with tenant_context(tenant_a):
        assert Unit.objects.count() == 3


def test_one_phone_is_one_resident(tenant_a) -> None:
    data = seed_complex(tenant_a, marker="alpha")  # the resident of A-01 has 081300000002
    manager = Client(HTTP_AUTHORIZATION=f"Bearer {data.manager_token}")
    twice = manager.post(
        "/c/alpha/api/v1/admin/residents",
        {"name": "Orang Lain", "phone": "0813-0000-0002"},
        "application/json",
    )
    assert twice.status_code == 409 and "phone" in twice.json()["error"]["details"]
    with tenant_context(tenant_a):
        assert Resident.objects.filter(phone="+6281300000002").count() == 1


def test_a_payment_dated_before_2000_is_refused(tenant_a) -> None:
    data = seed_complex(tenant_a, marker="alpha")
    manager = Client(HTTP_AUTHORIZATION=f"Bearer {data.manager_token}")
    for paid_at in ("0001-01-01T10:00:00+07:00", "1999-12-31T10:00:00+07:00"):
        answer = manager.post(
            "/c/alpha/api/v1/admin/payments",
            {"unit": data.units[0].pk, "amount": "100000", "method": "cash", "paid_at": paid_at},
            "application/json",
        )
        assert answer.status_code == 422, paid_at
    with tenant_context(tenant_a):
        assert not Payment.objects.exists()


def test_a_number_where_text_belongs_is_refused(guard) -> None:
    answer = guard.post(
        "/c/alpha/api/v1/access/verify",
        {"payload": "ABCDEFGH", "gate": "Utama", "plate": 0},
        "application/json",
    )
    assert answer.status_code == 422 and "plate" in answer.json()["error"]["details"]

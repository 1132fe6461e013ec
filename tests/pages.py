"""The portal fixture of the page tests: a complex with an invoice, signed in as each role."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from klustera.accounts.services import create_user
from klustera.billing.models import Invoice, Payment, Tariff
from klustera.billing.services import generate_invoices, record_payment
from klustera.roles import Role
from klustera.tenancy.context import current_alias, tenant_context
from tests.seed import seed_complex

PASSWORD = "x-pass-123"


@pytest.fixture
def portal(tenant_a) -> dict[str, Any]:
    data = seed_complex(tenant_a, marker="alpha").as_dict()
    with tenant_context(tenant_a):
        create_user(
            phone="081300000007", name="Pak Satpam", password=PASSWORD, roles=[Role.SECURITY_STAFF]
        )
        Tariff.objects.create(charge="IPL", rate=Decimal("250000"), effective_from=date(2026, 1, 1))
        generate_invoices(period=timezone.localdate().replace(day=1))
        data["invoice"] = Invoice.objects.get(unit__number="01")
    clients = {"anonymous": Client()}
    for role, phone in (
        ("manager", "081300000001"),
        ("resident", "081300000002"),
        ("guard", "081300000007"),
    ):
        client = Client()
        assert (
            client.post("/c/alpha/login", {"username": phone, "password": PASSWORD}).status_code
            == 302
        )
        clients[role] = client
    data["clients"] = clients
    return data


def current_alias_of(tenant) -> str:
    with tenant_context(tenant):
        return current_alias()


def pay_the_invoice(portal: dict[str, Any], tenant: Any) -> None:
    """The fixture's resident pays their Rp 250.000 invoice in cash at the office."""
    with tenant_context(tenant):
        record_payment(
            unit=portal["invoice"].unit,
            amount=Decimal("250000"),
            method=Payment.Method.CASH,
            paid_at=timezone.now(),
            actor=None,
        )

"""A complex billed and set up for Xendit, with the simulator answering for Xendit."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from klustera.billing.models import Invoice, Tariff
from klustera.billing.services import generate_invoices
from klustera.payments.simulator import Account, XenditSimulator, serve
from tests.seed import seed_complex

SECRET = "xnd_development_alpha"
TOKEN = "cb-token-alpha"


@pytest.fixture
def xsim(settings) -> Iterator[XenditSimulator]:
    """The simulator on a local port; its callbacks go to the app through the test client."""
    simulator = XenditSimulator(
        accounts=[Account(SECRET, TOKEN, "/c/alpha/api/v1/payments/xendit/callback")],
        synchronous=True,
    )

    def send(url: str, headers: dict[str, str], body: bytes) -> int:
        extra = {f"HTTP_{k.upper().replace('-', '_')}": v for k, v in headers.items()}
        response = Client().post(url, body, content_type="application/json", **extra)
        return int(response.status_code)

    simulator.send = send
    with serve(simulator) as base:
        settings.XENDIT_API_URL = base
        yield simulator


@pytest.fixture
def billed(tenant_a, xsim) -> dict[str, Any]:
    from klustera.accounts.models import User
    from klustera.payments.services import update_xendit_account
    from klustera.tenancy.context import tenant_context

    data = seed_complex(tenant_a, marker="alpha").as_dict()
    with tenant_context(tenant_a):
        Tariff.objects.create(charge="IPL", rate=Decimal("250000"), effective_from=date(2026, 1, 1))
        generate_invoices(period=date(2026, 11, 1))
        update_xendit_account(
            changes={"secret_key": SECRET, "callback_token": TOKEN},
            actor=User.objects.get(phone="+6281300000001"),
        )
        data["invoice"] = Invoice.objects.get(unit__number="01")
    data["resident"] = Client(HTTP_AUTHORIZATION=f"Bearer {data['resident_token']}")
    data["manager"] = Client(HTTP_AUTHORIZATION=f"Bearer {data['manager_token']}")
    return data

"""The queries of the hot endpoints, pinned: a change that adds one to every request fails
here and says which. Counted after a first request (which records the token's use and puts
the token, its user and their roles in the cache: none of them is a query after it)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.db import connections
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from klustera.access.passes import issue_pass
from klustera.access.services import register_guest
from klustera.accounts.services import create_user, issue_token
from klustera.community.models import Poll
from klustera.community.services import cast_vote, create_poll
from klustera.estate.models import Resident, Unit
from klustera.privacy.services import accept_notice
from klustera.roles import Role
from klustera.tenancy.connections import alias_for
from klustera.tenancy.context import tenant_context
from tests.seed import seed_complex

BASE = "/c/alpha/api/v1"


@pytest.fixture
def signed_in(tenant_a) -> dict[str, Any]:
    seeded = seed_complex(tenant_a, marker="alpha")
    with tenant_context(tenant_a):
        Unit.objects.bulk_create(
            Unit(block="B", number=f"{n:02d}", land_area=Decimal(90)) for n in range(30)
        )
        guard = create_user(phone="081300000007", name="Pak Satpam", roles=[Role.SECURITY_STAFF])
        guard_token, _ = issue_token(user=guard)
        accept_notice(user=seeded.manager, opt_ins={}, method="registration")  # as they work
        resident = Resident.objects.select_related("user").get(user__phone="+6281300000002")
        resident_pass = issue_pass(resident).token
        now = timezone.now()
        _, code = register_guest(
            host=resident.user, unit=seeded.units[0], guest_name="Tamu", starts_at=now,
            ends_at=now + timedelta(hours=2), multi_use=True,
        )  # fmt: skip
    return {
        "manager": Client(HTTP_AUTHORIZATION=f"Bearer {seeded.manager_token}"),
        "guard": Client(HTTP_AUTHORIZATION=f"Bearer {guard_token}"),
        "pass": resident_pass,
        "code": code,
    }


def _queries(tenant: Any, call: Any) -> tuple[int, int, Any]:
    call()  # the first: records the token's use
    with (
        CaptureQueriesContext(connections["default"]) as platform,
        CaptureQueriesContext(connections[alias_for(tenant)]) as complex_,
    ):
        answer = call()
    return len(platform), len(complex_), answer


def test_the_hot_endpoints_keep_their_query_counts(signed_in, tenant_a, settings) -> None:
    settings.TENANT_CACHE_SECONDS = 60  # as in production: the complex is remembered
    manager, guard = signed_in["manager"], signed_in["guard"]
    me = _queries(tenant_a, lambda: manager.get(f"{BASE}/auth/me"))
    units = _queries(tenant_a, lambda: manager.get(f"{BASE}/units?per_page=20"))

    def check(payload: str) -> Any:
        body = {"payload": payload, "gate": "Utama"}
        return guard.post(f"{BASE}/access/verify", body, "application/json")

    verify = _queries(tenant_a, lambda: check(signed_in["pass"]))
    guest = _queries(tenant_a, lambda: check(signed_in["code"]))
    assert me[2].status_code == units[2].status_code == verify[2].status_code == 200
    assert len(units[2].json()["data"]) == 20
    assert verify[2].json()["data"]["result"] == guest[2].json()["data"]["result"] == "valid"
    # (platform database, the complex's database)
    assert me[:2] == (0, 1)  # the unread inbox (the notice in force and its acceptance: cached)
    assert units[:2] == (0, 2)  # count, the page
    assert verify[:2] == (0, 2)  # the stay, the log row (the gate settings are cached)
    assert guest[:2] == (0, 3)  # the code with its host's stay, the use counted, the log row


def test_the_resident_home_asks_as_much_with_three_open_polls_as_with_one(portal, tenant_a) -> None:
    """The home lists each open poll with whether the household has voted: the occupancies
    and the votes are read once for all of them, not once (or twice) a poll."""
    resident = portal["clients"]["resident"]
    now = timezone.now()

    def open_poll(question: str) -> Poll:
        with tenant_context(tenant_a), time_machine.travel(now - timedelta(minutes=2)):
            return create_poll(
                actor=portal["manager"], question=question, options=["Ya", "Tidak"],
                opens_at=now - timedelta(minutes=1), closes_at=now + timedelta(days=3),
            )  # fmt: skip

    def queries() -> tuple[int, str]:
        resident.get("/c/alpha/")
        with CaptureQueriesContext(connections[alias_for(tenant_a)]) as captured:
            page = resident.get("/c/alpha/").content.decode()
        return len(captured), page

    open_poll("Ganti satpam?")
    one, _ = queries()
    voted = open_poll("Cat pagar hijau?")
    open_poll("Portal ditutup jam 23?")
    with tenant_context(tenant_a):
        cast_vote(user=portal["resident_user"], poll=voted, options=[voted.options.first().pk])
    three, page = queries()
    assert three == one == 11  # session, user, roles; open and latest invoices; the
    # occupancies and the announcements they are shown (none here); open polls, the
    # occupancies again, the votes; the unread inbox
    assert page.count('class="poll-row"') == 3 and page.count("data-voted") == 1


def test_the_resident_invoice_list_keeps_its_query_count(portal, tenant_a) -> None:
    resident = portal["clients"]["resident"]
    resident.get("/c/alpha/invoices/")
    with CaptureQueriesContext(connections[alias_for(tenant_a)]) as captured:
        page = resident.get("/c/alpha/invoices/")
    assert page.status_code == 200 and portal["invoice"].number in page.content.decode()
    assert len(captured) == 6  # session, user, roles; the count and the page (no lines: not
    # shown); the unread inbox

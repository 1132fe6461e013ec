"""Guard mode: the gate page checks codes, shows the answer and what waits at the gate."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from django.test import Client
from django.utils import timezone

from klustera.access.models import AccessLog, WalkIn
from klustera.access.services import FAILURE_LIMIT, register_guest
from klustera.tenancy.context import tenant_context

PAGE = "/c/alpha/gate/"


def _signed_in(gate: dict[str, Any], tenant_a, who: str = "guard_user") -> Client:
    with tenant_context(tenant_a):
        gate[who].set_password("gate-pass-123")
        gate[who].save(update_fields=["password"])
    client = Client()
    answer = client.post(
        "/c/alpha/login", {"username": gate[who].phone, "password": "gate-pass-123"}
    )
    assert answer.status_code == 302, answer.content
    return client


def test_the_guard_checks_a_typed_code_and_sees_the_answer_and_the_log(gate, tenant_a) -> None:
    now = timezone.now()
    with tenant_context(tenant_a):
        _, code = register_guest(
            host=gate["host"],
            unit=gate["units"][0],
            guest_name="Bu Ani",
            starts_at=now,
            ends_at=now + timedelta(hours=2),
            people=3,
        )
    guard = _signed_in(gate, tenant_a)
    page = guard.get(PAGE)
    assert page.status_code == 200
    assert b'id="payload"' in page.content and b"htmx-2.0.11.min.js" in page.content
    check = {"payload": f"{code[:4].lower()} {code[4:]}", "gate": "Pos Barat", "device": "tab-1"}
    allowed = guard.post("/c/alpha/gate/verify", check)
    assert "gate-checked" in json.loads(allowed["HX-Trigger"])  # the recent checks refresh
    assert b"verdict allowed" in allowed.content and b"Bu Ani" in allowed.content
    again = guard.post("/c/alpha/gate/verify", check)
    assert b"verdict refused" in again.content  # a single-use code, already used
    with tenant_context(tenant_a):
        logs = list(AccessLog.objects.order_by("at").values_list("result", "gate", "device"))
    assert logs == [("valid", "Pos Barat", "tab-1"), ("used", "Pos Barat", "tab-1")]
    # The gate is remembered, and the activity shows the checks.
    assert b'value="Pos Barat"' in guard.get(PAGE).content
    activity = guard.get("/c/alpha/gate/activity")
    assert activity.content.count(b"Bu Ani") == 2
    empty = guard.post("/c/alpha/gate/verify", {"payload": "  ", "gate": "Pos Barat"})
    assert empty.status_code == 200 and b"notice error" in empty.content


def test_repeated_failures_lock_the_page_too(gate, tenant_a) -> None:
    guard = _signed_in(gate, tenant_a)
    for n in range(FAILURE_LIMIT):
        guard.post("/c/alpha/gate/verify", {"payload": f"WRONG{n:03d}", "gate": "Utama"})
    locked = guard.post("/c/alpha/gate/verify", {"payload": "ANYTHING", "gate": "Utama"})
    assert b"verdict refused" in locked.content
    with tenant_context(tenant_a):
        assert AccessLog.objects.count() == FAILURE_LIMIT  # the locked attempt is not checked


def test_a_walk_in_nobody_answered_is_decided_from_the_page(gate, tenant_a) -> None:
    from klustera.access.services import register_walk_in

    with tenant_context(tenant_a):
        walk_in = register_walk_in(
            guard=gate["guard_user"],
            unit=gate["units"][0],
            visitor_name="Tukang AC",
            purpose="Servis",
            gate="Utama",
        )
    guard = _signed_in(gate, tenant_a)
    waiting = guard.get("/c/alpha/gate/activity").content
    assert b"Tukang AC" in waiting and b"/decide" not in waiting  # the unit may still answer
    assert b"Resident alpha" in waiting  # who lives there, for the guard to ask about
    early = guard.post(f"/c/alpha/gate/walk-ins/{walk_in.pk}/decide", {"allow": "1"})
    assert b"notice error" in early.content
    with tenant_context(tenant_a):
        WalkIn.objects.filter(pk=walk_in.pk).update(answer_by=timezone.now() - timedelta(seconds=1))
    assert b"/decide" in guard.get("/c/alpha/gate/activity").content
    guard.post(f"/c/alpha/gate/walk-ins/{walk_in.pk}/decide", {"allow": "1"})
    with tenant_context(tenant_a):
        assert WalkIn.objects.get(pk=walk_in.pk).status == WalkIn.Status.GUARD_ALLOWED


def test_only_the_gate_opens_guard_mode_and_only_in_its_own_complex(gate, tenant_a) -> None:
    assert Client().get(PAGE).status_code == 302  # to the sign-in
    resident = _signed_in(gate, tenant_a, who="host")
    assert resident.get(PAGE).status_code == 403
    assert resident.post("/c/alpha/gate/verify", {"payload": "X", "gate": "U"}).status_code == 403
    assert resident.get("/c/alpha/gate/activity").status_code == 403
    guard = _signed_in(gate, tenant_a)
    assert guard.get("/c/beta/gate/").status_code == 302  # alpha's session means nothing at beta
    assert guard.post("/c/beta/gate/verify", {"payload": "X", "gate": "U"}).status_code in (
        302,
        403,
    )

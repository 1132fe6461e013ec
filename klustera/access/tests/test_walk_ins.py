"""Unannounced visitors: the unit answers, or after a while the guard; exits and presence."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone

from klustera.access.models import AccessLog, WalkIn
from klustera.access.tests.conftest import BASE, post_json
from klustera.notifications.models import Message
from klustera.tenancy.context import tenant_context


def _walk_in(gate: dict[str, Any], **extra: Any) -> dict[str, Any]:
    body = {
        "unit": gate["units"][0].pk,
        "visitor_name": "Kurir JNE",
        "purpose": "Antar paket",
        "gate": "Utama",
        **extra,
    }
    answer = post_json(gate["guard"], "access/walk-ins", body)
    assert answer.status_code == 201, answer.content
    return dict(answer.json()["data"])


def test_the_unit_allows_a_walk_in_and_the_guard_sees_it(gate, tenant_a) -> None:
    walk_in = _walk_in(gate)
    with tenant_context(tenant_a):
        asked = Message.objects.filter(template="walkin_approval", to_name="Resident alpha")
        assert asked.exists()  # the unit's resident is asked at once
    waiting = gate["resident"].get(f"{BASE}/access/walk-ins?status=waiting").json()["data"]
    assert [w["id"] for w in waiting] == [walk_in["id"]]
    # The guard cannot decide while the unit may still answer.
    early = post_json(gate["guard"], f"access/walk-ins/{walk_in['id']}/answer", {"allow": True})
    assert early.status_code == 422
    allowed = post_json(
        gate["resident"], f"access/walk-ins/{walk_in['id']}/answer", {"allow": True}
    )
    assert allowed.json()["data"]["status"] == "allowed"
    seen = gate["guard"].get(f"{BASE}/access/walk-ins").json()["data"][0]
    assert seen["status"] == "allowed"
    again = post_json(gate["resident"], f"access/walk-ins/{walk_in['id']}/answer", {"allow": False})
    assert again.status_code == 422
    with tenant_context(tenant_a):
        log = AccessLog.objects.get()
        assert (log.result, log.method) == ("valid", "manual")
        assert "answered by Resident alpha" in log.detail


def test_no_answer_in_time_lets_the_guard_decide_and_the_log_says_so(gate, tenant_a) -> None:
    walk_in = _walk_in(gate, visitor_name="Sales")
    with tenant_context(tenant_a):
        WalkIn.objects.filter(pk=walk_in["id"]).update(
            answer_by=timezone.now() - timedelta(seconds=1)
        )
    refused = post_json(gate["guard"], f"access/walk-ins/{walk_in['id']}/answer", {"allow": False})
    assert refused.json()["data"]["status"] == "guard_refused"
    with tenant_context(tenant_a):
        log = AccessLog.objects.get()
        assert log.result == "invalid" and "decided by the guard" in log.detail
    # Another unit's resident cannot answer a walk-in that is not theirs.
    other = _walk_in(gate, unit=gate["units"][1].pk)
    assert (
        post_json(
            gate["resident"], f"access/walk-ins/{other['id']}/answer", {"allow": True}
        ).status_code
        == 404
    )


def test_exits_close_a_visit_and_presence_lists_who_is_inside(gate, tenant_a) -> None:
    first = _walk_in(gate)
    post_json(gate["resident"], f"access/walk-ins/{first['id']}/answer", {"allow": True})
    now = timezone.now()
    token = post_json(
        gate["resident"],
        "guests/register",
        {
            "unit": gate["units"][0].pk,
            "guest_name": "Keluarga Hadi",
            "starts_at": now.isoformat(),
            "ends_at": (now + timedelta(hours=2)).isoformat(),
        },
    ).json()["data"]["code"]
    post_json(gate["guard"], "access/verify", {"payload": token, "gate": "Utama"})
    inside = gate["guard"].get(f"{BASE}/access/inside").json()
    assert inside["meta"]["total"] == 2
    entry = next(row for row in inside["data"] if row["who"] == "Keluarga Hadi")
    left = post_json(gate["guard"], "access/exit", {"entry": entry["id"], "gate": "Belakang"})
    assert left.status_code == 201
    assert gate["guard"].get(f"{BASE}/access/inside").json()["meta"]["total"] == 1
    twice = post_json(gate["guard"], "access/exit", {"entry": entry["id"], "gate": "Belakang"})
    assert twice.status_code == 409  # the visit has left: a conflict with what is stored
    assert (
        post_json(gate["resident"], "access/exit", {"entry": entry["id"], "gate": "X"}).status_code
        == 403
    )

"""The offline sync API: a guard's phone sends what it queued during an outage; each entry is
stored once with its device time, answered one by one, and a gate's offline answers are
judged again (a single-use code let in at two gates, a code cancelled meanwhile)."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.utils import timezone, translation

from klustera.access.models import AccessLog, GuestInvitation, Parcel, WalkIn
from klustera.access.passes import issue_pass
from klustera.access.services import cancel_guest, register_guest, verify
from klustera.accounts.services import create_user, issue_token
from klustera.operations import sync
from klustera.operations.models import Checkpoint, Incident, PatrolScan, Shift, Task
from klustera.operations.services import checkpoint_token
from klustera.roles import Role
from klustera.tenancy.context import tenant_context
from tests.concurrency import at_once
from tests.pages import PASSWORD
from tests.seed import seed_complex

JAKARTA = ZoneInfo("Asia/Jakarta")


def _moment(at: datetime) -> str:
    return at.astimezone(JAKARTA).isoformat()


@pytest.fixture
def gate(tenant_a) -> dict[str, Any]:
    """Complex alpha with a guard and a cleaner signed in on their phones, a resident's pass,
    two guest codes (one single-use), a checkpoint and a task."""
    seeded = seed_complex(tenant_a, marker="alpha")
    now = timezone.now()
    with tenant_context(tenant_a):
        guard = create_user(phone="081300000007", name="Pak Satpam", roles=[Role.SECURITY_STAFF])
        cleaner = create_user(phone="081300000008", name="Bu Rina", roles=[Role.CLEANING_STAFF])
        window = {"starts_at": now - timedelta(hours=3), "ends_at": now + timedelta(hours=3)}
        once, once_code = register_guest(
            host=seeded.resident_user, unit=seeded.units[0], guest_name="Budi", **window
        )
        _, many_code = register_guest(
            host=seeded.resident_user,
            unit=seeded.units[0],
            guest_name="Katering",
            multi_use=True,
            **window,
        )
        checkpoint = Checkpoint.objects.create(
            name="Pos timur", latitude=Decimal("-6.2"), longitude=Decimal("106.8"), radius_m=30
        )
        task = Task.objects.create(
            title="Sapu lobi", assignee=cleaner, starts_at=now, due_at=now + timedelta(hours=1)
        )
        pass_token = issue_pass(seeded.resident, now=now - timedelta(hours=2)).token
        sticker = checkpoint_token(checkpoint)
        tokens = {
            who: issue_token(user=user)[0] for who, user in (("guard", guard), ("cleaner", cleaner))
        }
    return {
        "tenant": tenant_a,
        "guard": Client(HTTP_AUTHORIZATION=f"Bearer {tokens['guard']}"),
        "cleaner": Client(HTTP_AUTHORIZATION=f"Bearer {tokens['cleaner']}"),
        "resident": Client(HTTP_AUTHORIZATION=f"Bearer {seeded.resident_token}"),
        "manager_api": Client(HTTP_AUTHORIZATION=f"Bearer {seeded.manager_token}"),
        "guard_user": guard,
        "once": once,
        "once_code": once_code,
        "many_code": many_code,
        "pass": pass_token,
        "sticker": sticker,
        "task": task,
        "now": now,
    }


def _send(client: Client, entries: list[Any], *, sent_at: datetime | None = None) -> Any:
    body = {"sent_at": _moment(sent_at or timezone.now()), "device": "pos-1", "entries": entries}
    response = client.post("/c/alpha/api/v1/sync", body, content_type="application/json")
    assert response.status_code == 200, response.content
    return response.json()["data"]


def _check(payload: str, answer: str, at: datetime, gate_name: str = "Pos 1") -> dict[str, Any]:
    return {
        "type": "gate_check",
        "client_id": str(uuid.uuid4()),
        "device_time": _moment(at),
        "payload": payload,
        "answer": answer,
        "gate": gate_name,
    }


def _outage(gate: dict[str, Any]) -> list[dict[str, Any]]:
    """What a guard's phone queued during the two hours the network was down."""
    at = gate["now"] - timedelta(hours=2)
    return [
        _check(gate["pass"], "valid", at),
        _check(gate["once_code"].lower(), "valid", at + timedelta(minutes=5)),
        _check("ZZZZ2222", "invalid", at + timedelta(minutes=6)),
        {
            "type": "patrol_scan",
            "client_id": str(uuid.uuid4()),
            "token": gate["sticker"],
            "scanned_at": _moment(at + timedelta(minutes=30)),
            "latitude": "-6.200010",
            "longitude": "106.800000",
        },
        {
            "type": "incident",
            "client_id": str(uuid.uuid4()),
            "device_time": _moment(at + timedelta(minutes=40)),
            "kind": "damage",
            "severity": "minor",
            "occurred_at": _moment(at + timedelta(minutes=35)),
            "location": "Gerbang utara",
            "description": "Palang pintu patah",
        },
        {
            "type": "shift_check_in",
            "client_id": str(uuid.uuid4()),
            "device_time": _moment(at - timedelta(minutes=10)),
        },
    ]


def test_an_outage_is_synced_once_with_its_device_times(gate) -> None:
    entries = _outage(gate)
    first = _send(gate["guard"], entries)
    assert (first["stored"], first["duplicates"], first["refused"]) == (6, 0, 0)
    assert [entry["status"] for entry in first["entries"]] == ["stored"] * 6
    assert all(entry["flags"] == [] for entry in first["entries"])  # queued long, clock right
    with tenant_context(gate["tenant"]):
        logs = {log.client_id: log for log in AccessLog.objects.filter(offline=True)}
        assert len(logs) == 3
        for sent in entries[:3]:
            log = logs[uuid.UUID(sent["client_id"])]
            assert log.at == datetime.fromisoformat(sent["device_time"])
            assert log.result == sent["answer"] and log.received_at > log.at
            assert log.guard == gate["guard_user"] and log.device == "pos-1"
        assert GuestInvitation.objects.get(pk=gate["once"].pk).status == "used"
        scan = PatrolScan.objects.get()
        assert scan.scanned_at == datetime.fromisoformat(entries[3]["scanned_at"])
        assert Incident.objects.get().reported_at == datetime.fromisoformat(
            entries[4]["device_time"]
        )
        assert Shift.objects.get().started_at == datetime.fromisoformat(entries[5]["device_time"])
        counts = (AccessLog.objects.count(), PatrolScan.objects.count(), Incident.objects.count())

    again = _send(gate["guard"], entries)  # the phone did not hear the answer and sends again

    assert (again["stored"], again["duplicates"], again["refused"]) == (0, 6, 0)
    assert [e["id"] for e in again["entries"]] == [e["id"] for e in first["entries"]]
    with tenant_context(gate["tenant"]):
        assert (
            AccessLog.objects.count(),
            PatrolScan.objects.count(),
            Incident.objects.count(),
        ) == counts
        assert Shift.objects.count() == 1
        # the code let in offline is taken: the gate refuses it online now
        decision = verify(payload=gate["once_code"], guard=gate["guard_user"], gate="Pos 2")
        assert decision.result == "used"


def test_walk_ins_parcels_and_exits_logged_offline_are_stored_once(gate) -> None:
    at = gate["now"] - timedelta(hours=1)
    with tenant_context(gate["tenant"]):
        unit = gate["once"].unit_id
        entry = AccessLog.objects.create(
            kind="guest_entry", method="manual", result="valid", gate="Pos 1", unit_id=unit, at=at
        )
    walk_in = {
        "type": "walk_in",
        "client_id": str(uuid.uuid4()),
        "device_time": _moment(at),
        "unit": unit,
        "visitor_name": "Kurir air galon",
        "purpose": "Antar galon",
        "gate": "Pos 1",
        "allowed": True,
    }
    parcel = {
        "type": "parcel",
        "client_id": str(uuid.uuid4()),
        "device_time": _moment(at + timedelta(minutes=1)),
        "unit": unit,
        "recipient_name": "Siti",
        "courier": "JNE",
        "gate": "Pos 1",
    }
    leaving = {
        "type": "exit",
        "client_id": str(uuid.uuid4()),
        "device_time": _moment(at + timedelta(minutes=20)),
        "entry": entry.pk,
        "gate": "Pos 2",
    }

    first = _send(gate["guard"], [walk_in, parcel, leaving])
    again = _send(gate["guard"], [walk_in, parcel, leaving])
    other_gate = _send(gate["guard"], [{**leaving, "client_id": str(uuid.uuid4())}])

    assert [e["status"] for e in first["entries"]] == ["stored"] * 3, first
    assert [e["status"] for e in again["entries"]] == ["duplicate"] * 3
    assert other_gate["entries"][0]["code"] == "visit_already_left"  # the first exit counts
    with tenant_context(gate["tenant"]):
        walked = WalkIn.objects.get()
        assert walked.status == "guard_allowed" and walked.log.offline
        assert walked.log.at == datetime.fromisoformat(walk_in["device_time"])
        assert Parcel.objects.get().received_at == datetime.fromisoformat(parcel["device_time"])
        exit_log = AccessLog.objects.get(kind="exit")
        assert exit_log.entry_id == entry.pk and exit_log.offline
        assert exit_log.at == datetime.fromisoformat(leaving["device_time"])


def test_a_single_use_code_let_in_at_two_gates_is_flagged_once(gate) -> None:
    at = gate["now"] - timedelta(minutes=20)
    east = _send(gate["guard"], [_check(gate["once_code"], "valid", at, "Pos timur")])
    west = _send(
        gate["guard"], [_check(gate["once_code"], "valid", at + timedelta(minutes=1), "Pos barat")]
    )
    caterer = [_check(gate["many_code"], "valid", at + timedelta(minutes=n)) for n in range(3)]
    many = _send(gate["guard"], caterer)

    assert east["entries"][0]["flags"] == []
    assert west["entries"][0]["flags"] == ["conflict"]
    assert all(entry["flags"] == [] for entry in many["entries"])  # a multi-use code, used thrice
    with tenant_context(gate["tenant"]):
        flagged = AccessLog.objects.exclude(flag="")
        assert [(log.gate, log.flag, log.result) for log in flagged] == [
            ("Pos barat", "conflict", "valid")
        ]
    manager = Client()
    manager.post("/c/alpha/login", {"username": "081300000001", "password": PASSWORD})
    page = manager.get("/c/alpha/manage/access-log/?flag=any").content.decode()
    with translation.override("id"):  # the manager's language
        flag = str(AccessLog.Flag.CONFLICT.label)
    assert page.count(f'badge failed">{flag}') == 1
    assert "Pos barat" in page and "Pos timur" not in page
    listed = gate["manager_api"].get("/c/alpha/api/v1/admin/access-logs?flag=conflict").json()
    assert [(row["gate"], row["offline"]) for row in listed["data"]] == [("Pos barat", True)]


def test_a_code_cancelled_while_the_gate_was_offline_is_flagged(gate) -> None:
    with tenant_context(gate["tenant"]):
        cancel_guest(invitation=gate["once"], actor=gate["once"].host)
        cancelled_at = GuestInvitation.objects.get(pk=gate["once"].pk).cancelled_at
    before = _check(gate["once_code"], "valid", cancelled_at - timedelta(minutes=1))
    after = _check(gate["once_code"], "valid", cancelled_at + timedelta(minutes=1))
    stale = _check(gate["pass"][:-4] + "AAAA", "valid", gate["now"])  # the device erred

    answers = _send(gate["guard"], [before, after, stale])["entries"]

    assert [entry["flags"] for entry in answers] == [[], ["cancelled"], ["disputed"]]


def test_a_clock_hours_off_is_flagged_and_a_long_queue_is_not(gate) -> None:
    hours_off = gate["now"] + timedelta(hours=3)
    entry = _check(gate["many_code"], "valid", hours_off - timedelta(minutes=1))
    answer = _send(gate["guard"], [entry], sent_at=hours_off)["entries"][0]
    assert answer["status"] == "stored" and answer["flags"] == ["clock_skewed"]


def test_bad_entries_are_refused_one_by_one_and_the_rest_stored(gate, monkeypatch) -> None:
    monkeypatch.setattr(sync, "MAX_ENTRIES", 7)
    good = _check(gate["many_code"], "valid", gate["now"])
    entries: list[Any] = [
        "not an object",
        {"type": "teleport", "client_id": str(uuid.uuid4())},
        {**_check(gate["many_code"], "valid", gate["now"]), "client_id": 12},
        {**_check(gate["many_code"], "valid", gate["now"]), "answer": "maybe"},
        {**_check(gate["many_code"], "valid", gate["now"]), "extra": 1},
        {
            "type": "task_completion",
            "client_id": str(uuid.uuid4()),
            "device_time": _moment(gate["now"]),
            "task": 999999,
            "done": True,
        },
        good,
        _check(gate["many_code"], "valid", gate["now"]),  # the eighth: over the limit
    ]
    answers = _send(gate["guard"], entries)

    assert [(e["status"], e.get("code")) for e in answers["entries"]] == [
        ("refused", "invalid"),
        ("refused", "invalid"),
        ("refused", "invalid"),
        ("refused", "invalid"),
        ("refused", "invalid"),
        ("refused", "not_found"),
        ("stored", None),
        ("refused", "too_many"),
    ]
    assert "answer" in answers["entries"][3]["details"]
    with tenant_context(gate["tenant"]):
        assert list(AccessLog.objects.values_list("client_id", flat=True)) == [
            uuid.UUID(good["client_id"])
        ]


def test_each_role_syncs_only_its_own_work(gate) -> None:
    now = gate["now"]
    done = {
        "type": "task_completion",
        "client_id": str(uuid.uuid4()),
        "device_time": _moment(now),
        "task": gate["task"].pk,
        "done": True,
        "notes": "Bersih",
    }
    answers = _send(gate["cleaner"], [_check(gate["many_code"], "valid", now), done])["entries"]
    assert [(e["status"], e.get("code")) for e in answers] == [
        ("refused", "forbidden"),
        ("stored", None),
    ]
    with tenant_context(gate["tenant"]):
        assert Task.objects.get(pk=gate["task"].pk).status == "done"
    resident = gate["resident"].post(
        "/c/alpha/api/v1/sync",
        {"sent_at": _moment(now), "entries": [done]},
        content_type="application/json",
    )
    assert resident.status_code == 403
    assert (
        Client().post("/c/alpha/api/v1/sync", {}, content_type="application/json").status_code
        == 401
    )


def test_the_same_batch_from_two_connections_at_once_is_stored_once(pg_scratch) -> None:
    with tenant_context(pg_scratch):
        guard = create_user(phone="081300000009", name="Pak Satpam", roles=[Role.SECURITY_STAFF])
        checkpoint = Checkpoint.objects.create(name="Pos", radius_m=30)
        sticker = checkpoint_token(checkpoint)
    at = timezone.now() - timedelta(hours=1)
    entries = [_check("ZZZZ2222", "invalid", at + timedelta(seconds=n)) for n in range(10)] + [
        {
            "type": "patrol_scan",
            "client_id": str(uuid.uuid4()),
            "token": sticker,
            "scanned_at": _moment(at + timedelta(minutes=n)),
        }
        for n in range(10)
    ]
    checked = sync.Batch(data={"sent_at": _moment(timezone.now()), "entries": entries})
    assert checked.is_valid(), checked.errors
    answers = at_once(
        pg_scratch, [lambda: sync.sync_batch(user=guard, **checked.validated_data)] * 2
    )
    assert sorted(answer["refused"] for answer in answers) == [0, 0]
    assert sum(answer["stored"] for answer in answers) == 20  # each entry stored by one of them
    with tenant_context(pg_scratch):
        assert AccessLog.objects.count() == 10 and PatrolScan.objects.count() == 10


def test_entries_naming_another_complexs_things_are_refused(gate, tenant_b) -> None:
    beta = seed_complex(tenant_b, marker="beta")
    now = timezone.now()
    with tenant_context(tenant_b):
        beta_task = Task.objects.create(
            pk=7_000_001, title="Sapu", starts_at=now, due_at=now, queue="cleaning"
        )
        beta_sticker = checkpoint_token(Checkpoint.objects.create(name="Pos beta", radius_m=30))
        _, beta_code = register_guest(
            host=beta.resident_user,
            unit=beta.units[0],
            guest_name="Tamu beta",
            starts_at=now - timedelta(hours=1),
            ends_at=now + timedelta(hours=1),
        )
    entries = [
        {
            "type": "task_completion",
            "client_id": str(uuid.uuid4()),
            "device_time": _moment(now),
            "task": beta_task.pk,
            "done": True,
        },
        {
            "type": "patrol_scan",
            "client_id": str(uuid.uuid4()),
            "token": beta_sticker,
            "scanned_at": _moment(now),
        },
        _check(beta_code, "valid", now),
    ]

    answers = _send(gate["guard"], entries)["entries"]

    assert [(e["status"], e.get("code"), e.get("flags")) for e in answers] == [
        ("refused", "not_found", None),
        ("refused", "foreign_checkpoint", None),
        ("stored", None, ["disputed"]),  # let in on a code this complex never gave
    ]
    with tenant_context(tenant_b):
        assert Task.objects.get(pk=beta_task.pk).status == "open"
        assert GuestInvitation.objects.get().status == "active"

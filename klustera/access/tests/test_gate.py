"""The gate: passes verified with the public key alone, guest codes, the log, lock-outs."""

from __future__ import annotations

import os
import threading
import time
from datetime import timedelta

from django.db import connections
from django.utils import timezone

from klustera.access.models import AccessLog, GuestInvitation
from klustera.access.passes import check_pass, issue_pass, rotate_key, verifying_keys
from klustera.access.services import FAILURE_LIMIT, register_guest, verify
from klustera.access.tests.conftest import BASE, post_json
from klustera.accounts.models import User
from klustera.accounts.services import create_user
from klustera.estate.models import Unit
from klustera.notifications.models import Message
from klustera.roles import Role
from klustera.tenancy.context import current_alias, tenant_context


def _keys() -> dict[str, str]:
    return {key.kid: key.public_key for key in verifying_keys()}


def test_a_pass_verifies_with_the_public_key_alone_and_only_while_fresh(gate, tenant_a) -> None:
    with tenant_context(tenant_a):
        issued = issue_pass(gate["resident_record"])
        keys = _keys()  # all a guard's device holds
    at = issued.expires_at
    ok = check_pass(issued.token, public_keys=keys, complex_slug="alpha", now=at)
    assert (ok.result, ok.resident_id) == ("valid", gate["resident_record"].pk)
    late = at + timedelta(seconds=59)  # a device's clock a minute behind still accepts it
    assert check_pass(issued.token, public_keys=keys, complex_slug="alpha", now=late).result == (
        "valid"
    )


def test_old_tampered_truncated_or_foreign_passes_are_refused(gate, tenant_a) -> None:
    with tenant_context(tenant_a):
        issued = issue_pass(gate["resident_record"])
        keys = _keys()
    now = issued.expires_at - timedelta(minutes=4)
    head, body, signature = issued.token.split(".")
    tampered = f"{head}.{body[:-2]}{'A' if body[-2] != 'A' else 'B'}{body[-1]}.{signature}"
    cases = {
        "yesterday's screenshot": (issued.token, now + timedelta(days=1), "expired"),
        "two minutes after expiry": (
            issued.token,
            issued.expires_at + timedelta(minutes=2),
            "expired",
        ),
        "tampered": (tampered, now, "invalid"),
        "truncated": (issued.token[:40], now, "invalid"),
        "garbage": ("KP1.!!!.???", now, "invalid"),
    }
    for label, (token, at, expected) in cases.items():
        result = check_pass(token, public_keys=keys, complex_slug="alpha", now=at).result
        assert result == expected, label
    # The same pass shown at another complex's gate.
    assert check_pass(issued.token, public_keys=keys, complex_slug="beta", now=now).result == (
        "invalid"
    )


def test_key_rotation_keeps_passes_of_the_last_minutes_working(gate, tenant_a) -> None:
    with tenant_context(tenant_a):
        before = issue_pass(gate["resident_record"])
        rotate_key()
        after = issue_pass(gate["resident_record"])
        keys = _keys()
    assert len(keys) == 2
    now = timezone.now()
    for issued in (before, after):
        assert check_pass(issued.token, public_keys=keys, complex_slug="alpha", now=now).result == (
            "valid"
        )
    with tenant_context(tenant_a):
        later = {k.kid: k.public_key for k in verifying_keys(now + timedelta(minutes=10))}
    assert len(later) == 1  # the retired key is gone once its passes have expired


def test_guest_codes_are_encrypted_at_rest_and_typed_any_way(gate, tenant_a) -> None:
    now = timezone.now()
    with tenant_context(tenant_a):
        invitation, code = register_guest(
            host=gate["host"],
            unit=gate["units"][0],
            guest_name="Bu Ani",
            starts_at=now,
            ends_at=now + timedelta(hours=3),
            people=2,
            plate="b 1234 xyz",
        )
        with connections[current_alias()].cursor() as cursor:  # the raw row, as in a dump
            cursor.execute("SELECT * FROM access_guestinvitation WHERE id = %s", [invitation.pk])
            raw = " ".join(str(value) for value in cursor.fetchone())
        assert code not in raw
        typed = f" {code[:4].lower()}-{code[4:]} "
        first = verify(payload=typed, guard=gate["guard_user"], gate="Gerbang Utama")
        assert (first.result, first.name, first.unit) == ("valid", "Bu Ani", "A-01")
        assert first.allows and first.allows["people"] == 2 and first.allows["plate"] == "B1234XYZ"
        again = verify(payload=code, guard=gate["guard_user"], gate="Gerbang Utama")
        assert again.result == "used"  # single use
        logs = list(AccessLog.objects.order_by("at").values_list("result", "method", "gate"))
        assert logs == [
            ("valid", "guest_code", "Gerbang Utama"),
            ("used", "guest_code", "Gerbang Utama"),
        ]


def test_a_code_issued_before_an_encryption_key_rotation_still_opens_the_gate(
    gate, tenant_a, settings
) -> None:
    now = timezone.now()
    with tenant_context(tenant_a):
        _invitation, code = register_guest(
            host=gate["host"], unit=gate["units"][0], guest_name="Pak Ujang", starts_at=now,
            ends_at=now + timedelta(hours=3),
        )  # fmt: skip
        old = settings.ENCRYPTION_KEYS[0]
        settings.ENCRYPTION_KEYS = [os.urandom(32), old]  # a new current key; the old one kept
        decision = verify(payload=code, guard=gate["guard_user"], gate="Gerbang Utama")
        assert (decision.result, decision.name) == ("valid", "Pak Ujang")
        _invitation, fresh = register_guest(
            host=gate["host"], unit=gate["units"][0], guest_name="Bu Tini", starts_at=now,
            ends_at=now + timedelta(hours=3),
        )  # fmt: skip
        settings.ENCRYPTION_KEYS = [os.urandom(32)]  # the keys of both codes dropped
        assert verify(payload=fresh, guard=gate["guard_user"], gate="Gerbang Utama").result == (
            "invalid"
        )


def test_cancelled_expired_and_unknown_codes_are_answered_and_logged(gate, tenant_a) -> None:
    now = timezone.now()
    with tenant_context(tenant_a):
        cancelled, code1 = register_guest(
            host=gate["host"], unit=gate["units"][0], guest_name="X", starts_at=now,
            ends_at=now + timedelta(hours=1),
        )  # fmt: skip
        GuestInvitation.objects.filter(pk=cancelled.pk).update(status="cancelled")
        expired, code2 = register_guest(
            host=gate["host"], unit=gate["units"][0], guest_name="Y", starts_at=now,
            ends_at=now + timedelta(hours=1),
        )  # fmt: skip
        GuestInvitation.objects.filter(pk=expired.pk).update(
            starts_at=now - timedelta(days=2), ends_at=now - timedelta(days=1)
        )
        answers = [
            verify(payload=p, guard=gate["guard_user"], gate="G2").result
            for p in (code1, code2, "ZZZZZZZZ", "", "'; DROP TABLE x; --" * 20)
        ]
        assert answers == ["cancelled", "expired", "invalid", "invalid", "invalid"]
        assert AccessLog.objects.filter(result="valid").count() == 0
        assert AccessLog.objects.count() == 5


def test_repeated_failures_lock_the_gate_and_alert_the_managers(gate, tenant_a) -> None:
    url = f"{BASE}/access/verify"
    for n in range(FAILURE_LIMIT):
        answer = gate["guard"].post(
            url, {"payload": f"WRONG{n:03d}", "gate": "Belakang"}, "application/json"
        )
        assert answer.status_code == 200 and answer.json()["data"]["result"] == "invalid"
    locked = gate["guard"].post(
        url, {"payload": "ABCDEFGH", "gate": "Belakang"}, "application/json"
    )
    assert locked.status_code == 429
    assert locked.json()["error"]["code"] == "RATE_LIMITED"
    assert 14 * 60 <= int(locked["Retry-After"]) <= 15 * 60
    with tenant_context(tenant_a):
        alerts = list(
            Message.objects.filter(template="gate_alert").values_list("recipient", "channel")
        )
        assert len(alerts) == len(set(alerts))  # each manager told once on each channel
        assert Message.objects.filter(template="gate_alert", to_name="Manager alpha").exists()
        assert all(  # a push opens the access log
            link.endswith("/manage/access-log/")
            for link in Message.objects.filter(template="gate_alert").values_list(
                "context__link", flat=True
            )
        )


def test_a_guard_who_varies_gate_and_device_is_still_locked_out(gate, tenant_a) -> None:
    url = f"{BASE}/access/verify"
    for n in range(FAILURE_LIMIT):
        body = {"payload": f"WRONG{n:03d}", "gate": f"Gerbang {n}", "device": f"tablet-{n}"}
        assert gate["guard"].post(url, body, "application/json").status_code == 200
    dodge = {"payload": "ABCDEFGH", "gate": "Gerbang baru", "device": "tablet-baru"}
    locked = gate["guard"].post(url, dodge, "application/json")
    assert locked.status_code == 429 and int(locked["Retry-After"]) > 0
    with tenant_context(tenant_a):
        alerts = list(
            Message.objects.filter(template="gate_alert").values_list("recipient", "channel")
        )
        assert alerts and len(alerts) == len(set(alerts))
        # Another guard at another gate still works.
        other = create_user(phone="081300000088", name="Pak Jaga", roles=[Role.SECURITY_STAFF])
        assert verify(payload="ABCDEFGH", guard=other, gate="Utara").result == "invalid"


def test_residents_passes_and_guests_through_the_api(gate, tenant_a) -> None:
    own = gate["resident"].get(f"{BASE}/access/pass")
    assert own.status_code == 200
    token = own.json()["data"]["token"]
    assert gate["manager"].get(f"{BASE}/access/pass").status_code == 403  # not a resident
    # Only the gate may verify.
    body = {"payload": token, "gate": "Utama", "plate": "B 1 AB"}
    odd = {**body, "plate": "🚗 ?!"}  # whatever the guard types, the gate answers
    assert post_json(gate["guard"], "access/verify", odd).status_code == 200
    assert (
        gate["resident"].post(f"{BASE}/access/verify", body, "application/json").status_code == 403
    )
    checked = gate["guard"].post(f"{BASE}/access/verify", body, "application/json").json()["data"]
    assert (checked["result"], checked["name"], checked["unit"]) == (
        "valid",
        "Resident alpha",
        "A-01",
    )
    keys = gate["guard"].get(f"{BASE}/access/keys").json()["data"]
    assert keys["algorithm"] == "Ed25519" and keys["complex"] == "alpha"

    a01, a02 = (unit.pk for unit in gate["units"])
    start = timezone.now().isoformat()
    end = (timezone.now() + timedelta(hours=2)).isoformat()
    guest = {"unit": a01, "guest_name": "Pak Budi", "starts_at": start, "ends_at": end}
    made = post_json(gate["resident"], "guests/register", guest)
    assert made.status_code == 201, made.content
    invitation = made.json()["data"]
    assert len(invitation["code"]) == 8
    foreign = {**guest, "unit": a02}
    assert (
        gate["resident"].post(f"{BASE}/guests/register", foreign, "application/json").status_code
        == 404
    )
    backwards = {**guest, "ends_at": start, "starts_at": end}
    assert (
        gate["resident"].post(f"{BASE}/guests/register", backwards, "application/json").status_code
        == 422
    )
    quick = gate["resident"].post(
        f"{BASE}/access-codes/generate", {"unit": a01}, "application/json"
    )
    assert quick.status_code == 201
    listed = gate["resident"].get(f"{BASE}/guests").json()
    assert listed["meta"]["total"] == 2
    cancel = gate["resident"].post(f"{BASE}/guests/{invitation['id']}/cancel")
    assert cancel.json()["data"]["status"] == "cancelled"
    refused = gate["guard"].post(
        f"{BASE}/access/verify",
        {"payload": invitation["code"], "gate": "Utama"},
        "application/json",
    )
    assert refused.json()["data"]["result"] == "cancelled"

    logs = gate["manager"].get(f"{BASE}/admin/access-logs?gate=Utama").json()
    assert [row["result"] for row in logs["data"]] == ["cancelled", "valid", "valid"]
    exported = gate["manager"].get(f"{BASE}/admin/access-logs/export")
    assert exported["Content-Type"].startswith("text/csv")
    assert "Resident alpha" in exported.content.decode()
    assert gate["guard"].get(f"{BASE}/admin/access-logs/export").status_code == 403


def test_a_single_use_code_opens_exactly_one_gate_at_the_same_moment(pg_scratch) -> None:
    now = timezone.now()
    with tenant_context(pg_scratch):
        manager = User.objects.get()
        unit = Unit.objects.create(block="G", number="1")
        guards = [
            create_user(phone=f"08130000008{n}", name=f"Guard {n}", roles=[Role.SECURITY_STAFF])
            for n in range(2)
        ]
        _invitation, code = register_guest(
            host=manager, unit=unit, guest_name="Tamu", starts_at=now,
            ends_at=now + timedelta(hours=1),
        )  # fmt: skip
    start = threading.Barrier(2)
    results: list[str] = []

    def at_gate(guard: User, gate_name: str) -> None:
        try:
            with tenant_context(pg_scratch):
                start.wait()
                results.append(verify(payload=code, guard=guard, gate=gate_name).result)
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=at_gate, args=(guards[0], "Utara")),
        threading.Thread(target=at_gate, args=(guards[1], "Selatan")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(results) == ["used", "valid"]
    with tenant_context(pg_scratch):
        assert AccessLog.objects.filter(result="valid").count() == 1


def test_the_gate_reloads_keys_rotated_by_another_process_and_refuses_moved_out_residents(
    gate, tenant_a
) -> None:
    from klustera.access import passes
    from klustera.estate.models import Occupancy

    with tenant_context(tenant_a):
        issued = issue_pass(gate["resident_record"])
        # This process's copy of the keys is recent but predates the pass's key.
        passes._public_keys["alpha"] = (time.monotonic(), {})
        decision = verify(payload=issued.token, guard=gate["guard_user"], gate="Utama")
        assert (decision.result, decision.name) == ("valid", gate["resident_record"].name)
        Occupancy.objects.filter(resident=gate["resident_record"]).update(
            end_on=timezone.localdate()
        )
        moved_out = verify(payload=issued.token, guard=gate["guard_user"], gate="Utama")
        assert (moved_out.result, moved_out.name, moved_out.unit) == ("invalid", "", "")
        assert AccessLog.objects.get(pk=moved_out.log_id).detail == (
            "not an active resident of the unit"
        )


def test_a_check_with_no_unit_exports_cleanly_with_readable_headings(gate) -> None:
    unknown = post_json(gate["guard"], "access/verify", {"payload": "ZZZZ9999", "gate": "Utama"})
    assert unknown.status_code == 200, unknown.content
    logs = gate["manager"].get(f"{BASE}/admin/access-logs").json()["data"]
    assert logs[0]["unit"] is None and logs[0]["unit_label"] is None
    exported = gate["manager"].get(f"{BASE}/admin/access-logs/export").content.decode()
    heading, first = exported.lstrip("\ufeff").splitlines()[:2]
    assert heading == "Waktu,Jenis,Metode,Hasil,Gerbang,Pelat nomor,Unit,Siapa,Offline,Tanda"
    assert "method-wrapper" not in exported and "None" not in first
    assert ",Utama,," in first  # no plate, no unit: empty, not a Python repr

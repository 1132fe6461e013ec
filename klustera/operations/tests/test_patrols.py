"""Patrols: the sticker's signed token (altered, made up or another complex's: refused and
audited), a scan stored once however often or simultaneously sent, far or with a far-off
clock flagged; the night's rounds judged with a frozen clock, each miss told once."""

from __future__ import annotations

import uuid
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError

from klustera.accounts.selectors import active_managers
from klustera.accounts.tests.factories import UserFactory
from klustera.audit.models import AuditEntry
from klustera.errors import StateConflict
from klustera.notifications.models import Message
from klustera.operations.models import Checkpoint, PatrolRound, PatrolScan
from klustera.operations.reports import compliance_of, compliance_table
from klustera.operations.services import (
    check_in,
    check_out,
    check_rounds,
    checkpoint_token,
    make_rounds,
    save_route,
    scan_checkpoint,
)
from klustera.roles import Role
from klustera.tenancy.context import tenant_context
from tests.concurrency import at_once

JAKARTA = ZoneInfo("Asia/Jakarta")
NIGHT = date(2026, 11, 20)


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), JAKARTA)


def _checkpoints(n: int) -> list[Checkpoint]:
    return [
        Checkpoint.objects.create(
            name=f"Pos {i}",
            latitude=Decimal("-6.200000") + Decimal(i) / 10000,
            longitude=Decimal("106.800000"),
            radius_m=30,
        )
        for i in range(1, n + 1)
    ]


def test_a_sticker_names_its_complex_and_checkpoint(in_tenant_a, tenant_b) -> None:
    guard = UserFactory(phone="081300000071", roles=[Role.SECURITY_STAFF])
    (gate,) = _checkpoints(1)
    token = checkpoint_token(gate)
    assert token.startswith("KP1.alpha.")
    sent = {"guard": guard, "client_id": uuid.uuid4(), "scanned_at": datetime.now(tz=JAKARTA)}
    scan, new = scan_checkpoint(token=token.lower(), **sent)  # typed in small letters
    assert new and scan.checkpoint == gate
    *head, signature = token.split(".")
    altered = ".".join([*head[:-1], str(gate.pk + 1), signature])
    with tenant_context(tenant_b):
        Checkpoint.objects.create(name="Pos beta", pk=gate.pk)
        foreign = checkpoint_token(Checkpoint(pk=gate.pk))
    for bad, code in (
        (altered, "bad_token"),
        ("KP1.alpha.1.AAAAAAAAAAAAAAAA", "bad_token"),
        ("hello", "bad_token"),
        (foreign, "foreign_checkpoint"),
    ):
        with pytest.raises(ValidationError) as refused:
            scan_checkpoint(token=bad, **{**sent, "client_id": uuid.uuid4()})
        assert refused.value.error_dict["token"][0].code == code
    refusals = AuditEntry.objects.filter(action="patrol.token_refused")
    assert sorted(e.details["reason"] for e in refusals) == [
        "bad_signature",
        "bad_signature",
        "malformed",
        "other_complex",
    ]
    assert all(token not in str(e.details) for e in refusals)
    assert PatrolScan.objects.count() == 1


def test_a_scan_is_stored_once_and_flagged_when_far_or_off_clock(in_tenant_a) -> None:
    guard = UserFactory(phone="081300000072", roles=[Role.SECURITY_STAFF])
    (gate,) = _checkpoints(1)
    one = uuid.uuid4()
    sent = {
        "guard": guard,
        "token": checkpoint_token(gate),
        "client_id": one,
        "scanned_at": datetime.now(tz=JAKARTA),
        "latitude": gate.latitude,
        "longitude": gate.longitude + Decimal("0.000200"),  # about 22 m east
        "accuracy": 10,
    }
    near, new = scan_checkpoint(**sent)
    assert new and (near.distance_m, near.far, near.clock_skewed) == (22, False, False)
    again, new = scan_checkpoint(**sent)
    assert (again.pk, new) == (near.pk, False)
    far, _ = scan_checkpoint(
        **{
            **sent,
            "client_id": uuid.uuid4(),
            "longitude": gate.longitude + Decimal("0.002"),  # about 220 m: beyond 30 + 10
            "accuracy": 5000,  # a vague phone cannot stretch the radius beyond twice itself
            "scanned_at": datetime.now(tz=JAKARTA) + timedelta(hours=3),
        }
    )
    assert far.far and far.clock_skewed and far.scanned_at > far.received_at
    assert PatrolScan.objects.count() == 2


def test_the_same_scan_twice_at_once_is_one_row(pg_scratch) -> None:
    with tenant_context(pg_scratch):
        guard = UserFactory(phone="081300000073", roles=[Role.SECURITY_STAFF])
        (gate,) = _checkpoints(1)
        token = checkpoint_token(gate)
    one = uuid.uuid4()

    def send() -> int:
        scan, _ = scan_checkpoint(
            guard=guard, token=token, client_id=one, scanned_at=datetime.now(tz=JAKARTA)
        )
        return scan.pk

    answers = at_once(pg_scratch, [send, send])
    assert len(answers) == 2 and answers[0] == answers[1]
    with tenant_context(pg_scratch):
        assert PatrolScan.objects.count() == 1


@pytest.fixture
def night(in_tenant_a):
    manager = UserFactory(phone="081300000074", roles=[Role.PROPERTY_MANAGER])
    guard = UserFactory(phone="081300000075", roles=[Role.SECURITY_STAFF])
    stops = _checkpoints(3)
    route = save_route(
        route=None,
        actor=manager,
        checkpoints=stops,
        name="Ronda malam",
        ordered=True,
        at=time(22),
        every_hours=2,
        until=time(4),
        minutes=45,
        starts_on=NIGHT,
    )
    with time_machine.travel(_at(NIGHT, 21, 50), tick=False):
        check_in(user=guard, client_id=uuid.uuid4(), device_time=_at(NIGHT, 21, 50), latitude=None)
    made = make_rounds(day=NIGHT) + make_rounds(day=NIGHT + timedelta(days=1))
    assert made == 5 and make_rounds(day=NIGHT) == 0  # 22; then 0, 2, 4, 22; made once
    return {"guard": guard, "stops": stops, "route": route}


def _scan(guard, checkpoint, when: datetime) -> None:
    with time_machine.travel(when, tick=False):
        scan_checkpoint(
            guard=guard, token=checkpoint_token(checkpoint), client_id=uuid.uuid4(), scanned_at=when
        )


def _round(hour: int) -> PatrolRound:
    day = NIGHT if hour >= 12 else NIGHT + timedelta(days=1)
    return PatrolRound.objects.get(starts_at=_at(day, hour))


def test_rounds_are_judged_and_each_miss_told_once(night) -> None:
    guard, (a, b, c) = night["guard"], night["stops"]
    after = NIGHT + timedelta(days=1)
    for checkpoint, minute in ((a, 5), (b, 15), (c, 30)):
        _scan(guard, checkpoint, _at(NIGHT, 22, minute))
    _scan(guard, a, _at(after, 0, 10))  # the midnight round: B late, C after … C never
    _scan(guard, c, _at(after, 0, 20))
    _scan(guard, b, _at(after, 1, 0))
    # the 02:00 round: nobody came

    def told() -> list[tuple[str, int | None]]:  # one row per recipient and channel
        return list(
            Message.objects.filter(template__startswith="patrol_missed").values_list(
                "template", "recipient_id"
            )
        )

    assert check_rounds(now=_at(NIGHT, 22, 46)) == 0
    assert _round(22).status == "on_time" and not _round(22).out_of_order
    assert check_rounds(now=_at(after, 0, 46)) == 1  # B missing when due
    first_miss = len(told())
    assert set(told()) == {("patrol_missed_on_duty", guard.pk)} | {
        ("patrol_missed", m.pk) for m in _managers()
    }
    assert _round(0).status == "pending"
    assert check_rounds(now=_at(after, 0, 50)) == 0  # told once
    check_rounds(now=_at(after, 1, 31))
    midnight = _round(0)
    assert (midnight.status, midnight.missed, midnight.out_of_order) == ("late", [], True)
    assert check_rounds(now=_at(after, 2, 46)) == 1
    assert check_rounds(now=_at(after, 3, 31)) == 0  # closed incomplete, already told
    missed = _round(2)
    assert (missed.status, missed.missed) == ("incomplete", ["Pos 1", "Pos 2", "Pos 3"])
    assert len(told()) == 2 * first_miss
    body = Message.objects.filter(template="patrol_missed_on_duty").order_by("pk").last()
    assert body.context["checkpoints"] == "Pos 1, Pos 2, Pos 3"


def _managers() -> list:
    return list(active_managers())


def test_a_shift_checked_in_and_out_once_each(in_tenant_a) -> None:
    guard = UserFactory(phone="081300000076", roles=[Role.SECURITY_STAFF])
    start, end = uuid.uuid4(), uuid.uuid4()
    now = datetime.now(tz=JAKARTA)
    shift = check_in(user=guard, client_id=start, device_time=now)
    assert check_in(user=guard, client_id=start, device_time=now).pk == shift.pk
    with pytest.raises(StateConflict):
        check_in(user=guard, client_id=uuid.uuid4(), device_time=now)
    ended = check_out(user=guard, client_id=end, device_time=now - timedelta(hours=1))
    assert ended.ended_at == shift.started_at  # a device's end before its start: kept at it
    assert check_out(user=guard, client_id=end, device_time=now).pk == shift.pk
    with pytest.raises(StateConflict):
        check_out(user=guard, client_id=uuid.uuid4(), device_time=now)


def test_the_months_compliance_counts_the_rounds_and_misses(night) -> None:
    guard, (a, b, c) = night["guard"], night["stops"]
    after = NIGHT + timedelta(days=1)
    for checkpoint, minute in ((a, 5), (b, 15), (c, 30)):
        _scan(guard, checkpoint, _at(NIGHT, 22, minute))
    _scan(guard, a, _at(after, 0, 10))
    _scan(guard, b, _at(after, 0, 50))  # late; C never
    check_rounds(now=_at(after, 6))
    report = compliance_of(date(2026, 11, 1))
    (route,) = report.routes
    assert (route.on_time, route.late, route.incomplete, route.pending) == (1, 0, 3, 1)
    assert route.percent == 25  # 1 of the 4 judged
    assert report.missed[0] == ("Pos 3", 3)
    table = compliance_table(report)
    assert table[1] == ["Ronda malam", 1, 0, 3, 1, 25]

"""A ticket's life: every move allowed or refused, who may make it, the history it leaves,
the clocks it starts; and two staff taking one ticket at once, on PostgreSQL."""

from __future__ import annotations

import itertools
import threading
from datetime import timedelta
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connections
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from klustera.accounts.tests.factories import UserFactory
from klustera.errors import StateConflict
from klustera.helpdesk.models import Category, Ticket, TicketEvent
from klustera.helpdesk.services import (
    MOVES,
    close_resolved,
    file_ticket,
    move_ticket,
    route_ticket,
    take_ticket,
)
from klustera.roles import Role
from klustera.tenancy.context import tenant_context
from tests.seed import seed_complex

S = Ticket.Status


@pytest.fixture
def desk(tenant_a) -> dict[str, Any]:
    data = seed_complex(tenant_a, marker="alpha").as_dict()
    with tenant_context(tenant_a):
        data["fixer"] = UserFactory(
            phone="081300000011", name="Pak Teknisi", roles=[Role.FACILITY_STAFF]
        )
        data["other_fixer"] = UserFactory(
            phone="081300000012", name="Pak Listrik", roles=[Role.FACILITY_STAFF]
        )
        data["cleaner"] = UserFactory(
            phone="081300000013", name="Bu Bersih", roles=[Role.CLEANING_STAFF]
        )
        data["category"] = Category.objects.get(name="Fasilitas umum")
    return data


def _file(desk: dict[str, Any], **extra: Any) -> Ticket:
    return file_ticket(
        actor=desk["resident_user"],
        category=desk["category"],
        title="Lampu taman mati",
        description="Lampu di taman blok A mati sejak kemarin.",
        **extra,
    )


def _at(ticket: Ticket, status: str, **fields: Any) -> Ticket:
    Ticket.objects.filter(pk=ticket.pk).update(status=status, **fields)
    return Ticket.objects.get(pk=ticket.pk)


@pytest.mark.parametrize("to", list(S.values))
@pytest.mark.parametrize("start", list(S.values))
def test_every_move_is_allowed_or_refused_as_the_table_says(desk, tenant_a, start, to) -> None:
    with tenant_context(tenant_a):
        ticket = _at(
            _file(desk),
            start,
            assignee=desk["fixer"],
            resolved_at=timezone.now() - timedelta(days=1),
        )
        manager = desk["manager"]  # a manager may make every move the table allows
        if to in MOVES[start]:
            moved = move_ticket(ticket=ticket, to=to, actor=manager, assignee=desk["fixer"])
            assert moved.status == to
            last = TicketEvent.objects.filter(ticket=ticket).last()
            assert (last.from_status, last.to_status, last.actor) == (start, to, manager)
        else:
            with pytest.raises(StateConflict) as refused:
                move_ticket(ticket=ticket, to=to, actor=manager, assignee=desk["fixer"])
            assert refused.value.code == "ticket_transition_not_allowed"
            assert Ticket.objects.get(pk=ticket.pk).status == start  # nothing changed


def test_a_complaint_goes_from_filed_to_closed_with_its_history(desk, tenant_a) -> None:
    with tenant_context(tenant_a):
        resident, fixer, manager = desk["resident_user"], desk["fixer"], desk["manager"]
        ticket = _file(desk, unit=desk["units"][0])
        assert ticket.status == S.OPEN and ticket.response_due < ticket.resolution_due
        with pytest.raises(PermissionDenied):
            take_ticket(ticket=ticket, actor=fixer)  # not in a queue yet
        route_ticket(ticket=ticket, queue=Role.FACILITY_STAFF, actor=manager)
        with pytest.raises(PermissionDenied):
            take_ticket(ticket=ticket, actor=desk["cleaner"])  # not their queue
        ticket = take_ticket(ticket=ticket, actor=fixer)
        assert ticket.assignee == fixer and ticket.first_response_at is not None
        with pytest.raises(PermissionDenied):
            move_ticket(ticket=ticket, to=S.IN_PROGRESS, actor=resident)
        move_ticket(ticket=ticket, to=S.IN_PROGRESS, actor=fixer, note="Ganti bohlam")
        move_ticket(ticket=ticket, to=S.RESOLVED, actor=fixer, note="Sudah menyala")
        ticket = move_ticket(ticket=ticket, to=S.REOPENED, actor=resident, note="Mati lagi")
        assert ticket.resolved_at is None
        move_ticket(ticket=ticket, to=S.IN_PROGRESS, actor=fixer)
        move_ticket(ticket=ticket, to=S.RESOLVED, actor=fixer)
        move_ticket(ticket=ticket, to=S.CLOSED, actor=resident)
        history = list(
            TicketEvent.objects.filter(ticket=ticket).values_list("from_status", "to_status")
        )
    assert history == [
        ("", "open"),
        ("open", "open"),  # routed to the facility queue
        ("open", "assigned"),
        ("assigned", "in_progress"),
        ("in_progress", "resolved"),
        ("resolved", "reopened"),
        ("reopened", "in_progress"),
        ("in_progress", "resolved"),
        ("resolved", "closed"),
    ]


def test_filing_checks_what_a_person_may_file(desk, tenant_a) -> None:
    with tenant_context(tenant_a):
        with pytest.raises(ValidationError) as empty:
            file_ticket(
                actor=desk["resident_user"], category=desk["category"], title=" ", description=""
            )
        assert set(empty.value.message_dict) == {"title", "description"}
        with pytest.raises(ValidationError) as not_theirs:
            _file(desk, unit=desk["units"][1])  # another unit
        assert "unit" in not_theirs.value.message_dict
        with pytest.raises(ValidationError):
            _file(desk, reporter=desk["manager"])  # only a manager files for someone else
        by_phone = file_ticket(
            actor=desk["manager"],
            category=desk["category"],
            title="Air mati",
            description="Ditelepon warga",
            reporter=desk["resident_user"],
            unit=desk["units"][0],
        )
        assert (by_phone.reporter, by_phone.filed_by) == (desk["resident_user"], desk["manager"])
        move_ticket(ticket=by_phone, to=S.CANCELLED, actor=desk["resident_user"])  # their own


def test_a_ticket_reopens_only_within_the_window_and_closes_by_itself(desk, tenant_a) -> None:
    with tenant_context(tenant_a):
        long_ago = timezone.now() - timedelta(days=8)
        old = _at(_file(desk), S.RESOLVED, resolved_at=long_ago, assignee=desk["fixer"])
        with pytest.raises(StateConflict) as late:
            move_ticket(ticket=old, to=S.REOPENED, actor=desk["resident_user"])
        assert late.value.code == "ticket_reopen_too_late"
        recent = _at(_file(desk), S.RESOLVED, resolved_at=timezone.now() - timedelta(days=1))
        assert close_resolved() == 1  # the old one; the recent one may still be answered
        assert Ticket.objects.get(pk=old.pk).status == S.CLOSED
        assert Ticket.objects.get(pk=recent.pk).status == S.RESOLVED
        closing = TicketEvent.objects.filter(ticket=old).last()
        assert closing.actor is None and closing.actor_label == "Klustera"


ACTORS = ("resident_user", "manager", "fixer", "other_fixer", "cleaner")


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    steps=st.lists(st.tuples(st.sampled_from(ACTORS), st.sampled_from(list(S.values))), max_size=12)
)
def test_no_sequence_of_moves_reaches_an_undefined_state_or_loses_history(
    desk, tenant_a, steps
) -> None:
    with tenant_context(tenant_a):
        ticket = _file(desk)
        route_ticket(ticket=ticket, queue=Role.FACILITY_STAFF, actor=desk["manager"])
        made = 2  # filed, routed
        for who, to in steps:
            actor = desk[who]
            try:
                ticket = move_ticket(
                    ticket=ticket,
                    to=to,
                    actor=actor,
                    assignee=desk["fixer"] if who == "manager" else None,
                )
            except (StateConflict, PermissionDenied, ValidationError):
                continue
            made += 1
        ticket.refresh_from_db()
        events = list(TicketEvent.objects.filter(ticket=ticket))
        assert ticket.status in S.values
        assert len(events) == made
        assert events[-1].to_status == ticket.status
        for before, after in itertools.pairwise(events):
            assert after.from_status == before.to_status  # an unbroken chain
            assert (
                after.to_status in MOVES[after.from_status] or after.to_status == after.from_status
            )


def test_two_staff_taking_one_ticket_at_once_one_gets_it_the_other_is_told(pg_scratch) -> None:
    with tenant_context(pg_scratch):
        manager = UserFactory(
            phone="081300000021", name="Bu Manajer", roles=[Role.PROPERTY_MANAGER]
        )
        staff = [
            UserFactory(
                phone=f"08130000003{n}",
                name=f"Teknisi {n}",
                roles=[Role.FACILITY_STAFF],
            )
            for n in range(2)
        ]
        ticket = file_ticket(
            actor=manager,
            category=Category.objects.get(name="Fasilitas umum"),
            title="Pompa air rusak",
            description="Pompa blok C tidak menyala.",
        )
        route_ticket(ticket=ticket, queue=Role.FACILITY_STAFF, actor=manager)
    start = threading.Barrier(2)
    outcomes: list[str] = []

    def take(person: Any) -> None:
        try:
            with tenant_context(pg_scratch):
                start.wait(timeout=30)
                take_ticket(ticket=ticket, actor=person)
                outcomes.append("took it")
        except StateConflict as exc:
            outcomes.append(str(exc.code))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=take, args=(person,)) for person in staff]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(outcomes) == ["ticket_already_taken", "took it"]
    with tenant_context(pg_scratch):
        taken = Ticket.objects.get(pk=ticket.pk)
        assert taken.status == S.ASSIGNED and taken.assignee in staff
        assert TicketEvent.objects.filter(ticket=taken, to_status=S.ASSIGNED).count() == 1


def test_the_people_concerned_are_told_in_their_language(desk, tenant_a) -> None:
    from klustera.accounts.services import update_profile
    from klustera.notifications.models import Message

    with tenant_context(tenant_a):
        resident = desk["resident_user"]
        update_profile(user=resident, name=resident.name, email="", language="en")
        ticket = _file(desk)

        def told(template: str) -> set[Any]:
            return {m.recipient for m in Message.objects.filter(template=template)}

        assert desk["manager"] in told("ticket_filed")  # every manager, never the filer
        assert resident not in told("ticket_filed")
        filed = Message.objects.filter(template="ticket_filed").first()
        assert filed.context["number"] == str(ticket.pk)
        move_ticket(ticket=ticket, to=S.ASSIGNED, actor=desk["manager"], assignee=desk["fixer"])
        assert told("ticket_assigned") == {desk["fixer"]}
        from klustera.helpdesk.services import add_comment

        add_comment(ticket=ticket, actor=desk["fixer"], body="Yang mana?", question=True)
        assert told("ticket_question") == {resident}
        move_ticket(ticket=ticket, to=S.IN_PROGRESS, actor=desk["fixer"])
        move_ticket(ticket=ticket, to=S.RESOLVED, actor=desk["fixer"], note="Done")

        def updates() -> Any:
            return Message.objects.filter(template="ticket_update", recipient=resident)

        assert {m.context["status"] for m in updates()} == {"in progress", "resolved"}
        before = updates().count()
        move_ticket(ticket=ticket, to=S.CLOSED, actor=resident)  # their own move: not told
        assert updates().count() == before


def test_deadlines_warn_the_assignee_and_escalate_once_per_breach(desk, tenant_a) -> None:
    from klustera.helpdesk.services import watch_deadlines
    from klustera.notifications.models import Message

    with tenant_context(tenant_a):
        ticket = _file(desk, priority="urgent")  # resolved within 8 hours
        move_ticket(ticket=ticket, to=S.ASSIGNED, actor=desk["manager"], assignee=desk["fixer"])
        due = Ticket.objects.get(pk=ticket.pk).resolution_due
        assert watch_deadlines(now=due - timedelta(hours=3))["warned"] == 0
        assert watch_deadlines(now=due - timedelta(hours=1))["warned"] == 1
        assert watch_deadlines(now=due - timedelta(minutes=30))["warned"] == 0  # once
        assert watch_deadlines(now=due + timedelta(minutes=1))["escalated"] == 1
        assert watch_deadlines(now=due + timedelta(hours=5))["escalated"] == 0  # not every run

        def breached() -> Any:
            return Message.objects.filter(template="ticket_breached")

        assert desk["manager"] in {m.recipient for m in breached()}
        sent = breached().count()
        # Resolved late, then reopened: a new target, and a new breach is told again.
        move_ticket(ticket=ticket, to=S.IN_PROGRESS, actor=desk["fixer"], now=due)
        move_ticket(ticket=ticket, to=S.RESOLVED, actor=desk["fixer"], now=due)
        reopened = move_ticket(ticket=ticket, to=S.REOPENED, actor=desk["resident_user"], now=due)
        later = reopened.resolution_due + timedelta(minutes=1)
        assert watch_deadlines(now=later)["escalated"] == 1
        assert breached().count() == 2 * sent

"""Polls: putting a question, voting and changing one's vote, the close with its minutes,
the secret ballot, reminders and notices, and the rules a vote must keep."""

from __future__ import annotations

import io
import itertools
import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import connections
from django.test import Client
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pypdf import PdfReader

from klustera.accounts.tests.factories import UserFactory
from klustera.audit.models import AuditEntry
from klustera.community.models import BallotCount, Participation, Poll, PollOption
from klustera.community.selectors import results_of
from klustera.community.services import cast_vote, close_poll, create_poll, keep_time
from klustera.estate.models import Occupancy
from klustera.estate.tests.factories import OccupancyFactory, ResidentFactory, UnitFactory
from klustera.notifications.models import Message
from klustera.roles import Role
from klustera.tenancy.connections import alias_for
from klustera.tenancy.context import tenant_context
from tests.concurrency import at_once
from tests.seed import seed_complex

BASE = "/c/alpha/api/v1"


PHONES = itertools.count(1)


def _resident_of(unit: Any, role: str = Occupancy.Role.OWNER, **user: Any) -> Any:
    user.setdefault("phone", f"0857{next(PHONES):08d}")
    resident = ResidentFactory(**{f"user__{k}": v for k, v in user.items()})
    OccupancyFactory(unit=unit, resident=resident, role=role, is_billing_contact=False)
    return resident.user


@pytest.fixture
def estate(tenant_a) -> dict[str, Any]:
    """Alpha's seed (A-01 with its resident, A-02 empty), plus B-01 (owner and renter) and
    B-02 (an owner), a guard, and API clients for each."""
    data = seed_complex(tenant_a, marker="alpha").as_dict()
    with tenant_context(tenant_a):
        b1, b2 = UnitFactory(block="B", number="01"), UnitFactory(block="B", number="02")
        data["owner_b1"] = _resident_of(b1, name="Pak Bowo")
        data["renter_b1"] = _resident_of(b1, Occupancy.Role.RENTER, name="Rina")
        data["owner_b2"] = _resident_of(b2, name="Bu Dewi")
        data["guard"] = UserFactory(phone="085600000001", roles=[Role.SECURITY_STAFF])
        data["b1"], data["b2"] = b1, b2
    data["tenant"] = tenant_a
    return data


def _api(tenant: Any, user: Any) -> Client:
    from klustera.accounts.services import issue_token

    with tenant_context(tenant):
        return Client(HTTP_AUTHORIZATION=f"Bearer {issue_token(user=user)[0]}")


def _poll(estate: dict[str, Any], **fields: Any) -> Poll:
    now = timezone.now()
    defaults: dict[str, Any] = {
        "question": "Ganti satpam?",
        "options": ["Setuju", "Tidak setuju"],
        "opens_at": now - timedelta(minutes=1),
        "closes_at": now + timedelta(days=3),
    }
    with tenant_context(estate["tenant"]), time_machine.travel(now - timedelta(minutes=2)):
        return create_poll(actor=estate["manager"], **{**defaults, **fields})


def _vote(client: Client, poll: Poll, options: list[int], **extra: Any):
    return client.post(
        f"{BASE}/polls/{poll.pk}/votes",
        {"options": options, **extra},
        content_type="application/json",
    )


def _options(poll: Poll) -> list[int]:
    """The poll's option ids, read from its complex's database."""
    return list(
        PollOption.objects.using(poll._state.db).filter(poll=poll).values_list("pk", flat=True)
    )


def test_a_manager_puts_a_question_and_bad_ones_are_refused(estate) -> None:
    manager = _api(estate["tenant"], estate["manager"])
    now = timezone.now()
    body = {
        "question": "Kolam renang dibuka sampai jam 21?",
        "options": ["Ya", "Tidak"],
        "opens_at": now.isoformat(),
        "closes_at": (now + timedelta(days=7)).isoformat(),
        "quorum_percent": 50,
        "ballot": "secret",
    }
    created = manager.post(f"{BASE}/admin/polls", body, content_type="application/json")
    assert created.status_code == 201, created.content
    poll = created.json()["data"]
    assert [o["label"] for o in poll["options"]] == ["Ya", "Tidak"]
    assert poll["state"] == "open" and poll["electorate"] == "unit"
    bad = {
        "options": ["Ya"],
        "closes_at": now.isoformat(),
        "quorum_percent": 101,
    }
    refused = manager.post(
        f"{BASE}/admin/polls", {**body, **bad}, content_type="application/json"
    ).json()
    assert set(refused["error"]["details"]) >= {"options", "quorum_percent"}
    same = manager.post(
        f"{BASE}/admin/polls",
        {**body, "options": ["Ya", "ya "]},
        content_type="application/json",
    )
    assert same.status_code == 422 and "options" in same.json()["error"]["details"]
    weighted_people = manager.post(
        f"{BASE}/admin/polls",
        {**body, "electorate": "resident", "weighting": "land_area"},
        content_type="application/json",
    )
    assert "weighting" in weighted_people.json()["error"]["details"]
    with tenant_context(estate["tenant"]):
        assert AuditEntry.objects.filter(action="poll.created").count() == 1


def test_a_unit_votes_changes_its_vote_and_the_last_one_counts(estate) -> None:
    poll = _poll(estate, results=Poll.Results.LIVE)
    yes, no = _options(poll)
    owner, renter = (
        _api(estate["tenant"], estate["owner_b1"]),
        _api(estate["tenant"], estate["renter_b1"]),
    )
    assert _vote(owner, poll, [yes]).status_code == 200
    answer = _vote(renter, poll, [no]).json()["data"]  # the same unit: the renter's replaces it
    assert answer["my_vote"] == [no]
    assert owner.get(f"{BASE}/polls/{poll.pk}").json()["data"]["my_vote"] == [no]
    results = owner.get(f"{BASE}/polls/{poll.pk}/results").json()["data"]
    assert [(o["option"]["label"], o["votes"]) for o in results["options"]] == [
        ("Setuju", 0),
        ("Tidak setuju", 1),
    ]
    assert results["voted"] == 1 and results["eligible"] == 3  # A-01, B-01, B-02 are lived in


def test_votes_that_break_the_rules_are_refused(estate) -> None:
    poll = _poll(estate, multiple=True, max_choices=2, options=["A", "B", "C"])
    other = _poll(estate, question="Lain?")
    owners = _poll(estate, question="Pemilik saja?", electorate=Poll.Electorate.OWNER)
    owner = _api(estate["tenant"], estate["owner_b1"])
    a, b, c = _options(poll)

    def code(response: Any) -> tuple[int, Any]:
        error = response.json().get("error", {})
        return response.status_code, error.get("details", {}).get("codes", error.get("code"))

    assert code(_vote(owner, poll, [a, b, c])) == (422, {"options": ["too_many_choices"]})
    assert code(_vote(owner, poll, _options(other)[:1])) == (422, {"options": ["unknown_option"]})
    assert _vote(owner, poll, []).status_code == 422
    assert _vote(owner, poll, [a], extra=1).status_code == 422
    guard = _api(estate["tenant"], estate["guard"])
    assert _vote(guard, poll, [a]).status_code == 403
    assert _vote(_api(estate["tenant"], estate["manager"]), poll, [a]).status_code == 403
    renter = _api(estate["tenant"], estate["renter_b1"])
    assert _vote(renter, owners, _options(owners)[:1]).status_code == 403
    assert _vote(owner, owners, _options(owners)[:1]).status_code == 200
    assert _vote(owner, poll, [a, b]).status_code == 200
    with tenant_context(estate["tenant"]):
        close_poll(poll=poll, actor=estate["manager"])
    assert code(_vote(owner, poll, [a])) == (422, {"detail": ["poll_not_open"]})
    later = _poll(estate, question="Nanti?", opens_at=timezone.now() + timedelta(days=1))
    assert code(_vote(owner, later, _options(later)[:1])) == (422, {"detail": ["poll_not_open"]})
    assert (
        owner.post(
            f"{BASE}/polls/99999/votes", {"options": [a]}, content_type="application/json"
        ).status_code
        == 404
    )


def test_results_wait_for_the_close_and_the_minutes_say_what_happened(estate) -> None:
    poll = _poll(estate, quorum_percent=60)
    yes, no = _options(poll)
    owner_b1 = _api(estate["tenant"], estate["owner_b1"])
    _vote(owner_b1, poll, [yes])
    _vote(_api(estate["tenant"], estate["owner_b2"]), poll, [no])
    _vote(_api(estate["tenant"], estate["resident_user"]), poll, [yes])
    hidden = owner_b1.get(f"{BASE}/polls/{poll.pk}/results")
    assert hidden.status_code == 403
    assert owner_b1.get(f"{BASE}/polls/{poll.pk}/minutes").status_code == 404
    manager = _api(estate["tenant"], estate["manager"])
    closed = manager.post(f"{BASE}/admin/polls/{poll.pk}/close")
    assert closed.json()["data"]["state"] == "closed"
    assert manager.post(f"{BASE}/admin/polls/{poll.pk}/close").status_code == 409
    results = owner_b1.get(f"{BASE}/polls/{poll.pk}/results").json()["data"]
    assert (results["voted"], results["eligible"], results["turnout"]) == (3, 3, 100)
    assert results["quorum_reached"] is True
    minutes = owner_b1.get(f"{BASE}/polls/{poll.pk}/minutes")
    assert minutes["Content-Type"] == "application/pdf"
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(b"".join(minutes))).pages)
    for expected in (
        "Berita acara pemungutan suara",
        "Ganti satpam?",
        "Setuju",
        "3 dari 3 (100%)",
        "60% — tercapai",
        "Suara per unit",
        "B-01",
        "Pak Bowo",
    ):
        assert expected in text, expected
    with tenant_context(estate["tenant"]):
        assert AuditEntry.objects.filter(action="poll.closed_early").count() == 1


def test_a_secret_ballot_cannot_be_tied_to_a_unit_on_the_raw_tables(estate) -> None:
    poll = _poll(estate, ballot=Poll.Ballot.SECRET, results=Poll.Results.LIVE)
    yes, no = _options(poll)
    _vote(_api(estate["tenant"], estate["owner_b1"]), poll, [yes])
    _vote(_api(estate["tenant"], estate["owner_b2"]), poll, [no])
    with tenant_context(estate["tenant"]):
        cursor = connections[alias_for(estate["tenant"])].cursor()
        cursor.execute("SELECT * FROM community_ballotcount WHERE poll_id = %s", [poll.pk])
        columns = [c[0] for c in cursor.description]
        assert set(columns) == {"id", "poll_id", "option_id", "votes", "weight"}
        assert sorted(row[columns.index("votes")] for row in cursor.fetchall()) == [1, 1]
        cursor.execute(
            "SELECT voter_key, choices, sealed FROM community_participation WHERE poll_id = %s",
            [poll.pk],
        )
        rows = cursor.fetchall()
        assert {row[0] for row in rows} == {
            f"unit:{estate['b1'].pk}",
            f"unit:{estate['b2'].pk}",
        }
        # No choice in the clear: only a sealed copy, unreadable without the complex's key.
        assert [json.loads(row[1]) for row in rows] == [[], []]
        assert all(row[2] and "[" not in row[2] for row in rows)
        close_poll(poll=poll, actor=estate["manager"])
        cursor.execute("SELECT sealed FROM community_participation WHERE poll_id = %s", [poll.pk])
        assert {row[0] for row in cursor.fetchall()} == {""}  # nothing left to tie a vote to
        assert [c.votes for c in BallotCount.objects.filter(poll=poll)] == [1, 1]


def test_the_poll_closes_at_its_time_in_wita_and_announces_and_reminds_once(estate) -> None:
    tenant = estate["tenant"]
    tenant.time_zone = "Asia/Makassar"
    opens = datetime(2026, 12, 10, 0, 0, tzinfo=UTC)  # 08:00 WITA
    closes = datetime(2026, 12, 10, 12, 0, tzinfo=UTC)  # 20:00 WITA
    with time_machine.travel(opens - timedelta(hours=1), tick=False), tenant_context(tenant):
        poll = create_poll(
            actor=estate["manager"],
            question="Portal ditutup jam 22?",
            options=["Ya", "Tidak"],
            opens_at=opens,
            closes_at=closes,
            max_reminders=1,
        )
        assert keep_time() == {"announced": 0, "reminded": 0, "closed": 0}
    yes = _options(poll)[0]
    with time_machine.travel(opens + timedelta(minutes=1), tick=False), tenant_context(tenant):
        assert keep_time()["announced"] == 4  # the four residents with accounts
        assert keep_time()["announced"] == 0
        cast_vote(user=estate["owner_b1"], poll=poll, options=[yes])
    with time_machine.travel(opens + timedelta(hours=6), tick=False), tenant_context(tenant):
        # B-01 voted: its owner and renter are not reminded; A-01's resident and B-02's are.
        assert keep_time()["reminded"] == 2
        assert keep_time()["reminded"] == 0
    with time_machine.travel(closes - timedelta(seconds=1), tick=False), tenant_context(tenant):
        cast_vote(user=estate["owner_b2"], poll=poll, options=[yes])  # 19:59:59 WITA counts
    with (
        time_machine.travel(closes, tick=False),
        tenant_context(tenant),
        pytest.raises(ValidationError, match="tidak sedang dibuka"),
    ):
        cast_vote(user=estate["resident_user"], poll=poll, options=[yes])
    with time_machine.travel(closes + timedelta(seconds=40), tick=False), tenant_context(tenant):
        assert keep_time()["closed"] == 1
        poll.refresh_from_db()
        assert poll.closed_at == closes and poll.minutes
        assert results_of(poll).voted == 2
        text = PdfReader(io.BytesIO(poll.minutes.read())).pages[0].extract_text()
        assert "10 Desember 2026 20:00 WITA" in text and "10 Desember 2026 08:00 WITA" in text
        assert keep_time()["closed"] == 0
        reminders = Message.objects.filter(template="poll_reminder", channel="inbox")
        assert reminders.count() == 2
        assert Message.objects.filter(template="poll_closed", channel="inbox").count() == 2


def test_a_poll_with_votes_is_not_edited_only_cancelled_and_its_voters_told(estate) -> None:
    poll = _poll(estate)
    manager = _api(estate["tenant"], estate["manager"])
    edit = manager.patch(
        f"{BASE}/admin/polls/{poll.pk}",
        {"question": "Ganti satpam tahun depan?"},
        content_type="application/json",
    )
    assert edit.json()["data"]["question"] == "Ganti satpam tahun depan?"
    _vote(_api(estate["tenant"], estate["owner_b2"]), poll, _options(poll)[:1])
    refused = manager.patch(
        f"{BASE}/admin/polls/{poll.pk}", {"question": "Lain"}, content_type="application/json"
    )
    assert refused.status_code == 409
    assert refused.json()["error"]["details"]["codes"] == {"detail": ["poll_has_votes"]}
    no_reason = manager.post(
        f"{BASE}/admin/polls/{poll.pk}/cancel", {"reason": " "}, content_type="application/json"
    )
    assert no_reason.status_code == 422
    cancelled = manager.post(
        f"{BASE}/admin/polls/{poll.pk}/cancel",
        {"reason": "Salah tanggal"},
        content_type="application/json",
    )
    assert cancelled.json()["data"]["state"] == "cancelled"
    with tenant_context(estate["tenant"]):
        told = Message.objects.filter(template="poll_cancelled", channel="inbox")
        assert list(told.values_list("recipient", flat=True)) == [estate["owner_b2"].pk]
        actions = set(AuditEntry.objects.values_list("action", flat=True))
        assert {"poll.created", "poll.edited", "poll.cancelled"} <= actions
    assert (
        _vote(_api(estate["tenant"], estate["owner_b1"]), poll, _options(poll)[:1]).status_code
        == 422
    )


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    electorate=st.lists(
        st.tuples(
            st.integers(min_value=0, max_value=500),  # land area
            st.sampled_from([None, 0, 1]),  # not voting, or the option chosen
        ),
        min_size=1,
        max_size=8,
    ),
    quorum=st.integers(min_value=0, max_value=100),
)
def test_weights_turnout_and_quorum_add_up_for_any_electorate(
    tenant_a, electorate: list[tuple[int, int | None]], quorum: int
) -> None:
    from django.db import transaction

    with tenant_context(tenant_a), transaction.atomic(using=alias_for(tenant_a)):
        manager = UserFactory(phone="085600000002", roles=[Role.PROPERTY_MANAGER])
        now = timezone.now()
        poll = create_poll(
            actor=manager,
            question="Berbobot?",
            options=["Ya", "Tidak"],
            opens_at=now,
            closes_at=now + timedelta(days=1),
            weighting=Poll.Weighting.LAND_AREA,
            quorum_percent=quorum,
        )
        options = _options(poll)
        expected_votes, expected_weight = [0, 0], [Decimal(0), Decimal(0)]
        for area, choice in electorate:
            unit = UnitFactory(land_area=Decimal(area))
            user = _resident_of(unit)
            if choice is not None:
                cast_vote(user=user, poll=poll, options=[options[choice]])
                expected_votes[choice] += 1
                expected_weight[choice] += area
        results = results_of(poll)
        voted = sum(1 for _, choice in electorate if choice is not None)
        assert [r.votes for r in results.options] == expected_votes
        assert [r.weight for r in results.options] == expected_weight
        assert results.eligible == len(electorate) + Participation.objects.none().count()
        assert results.eligible_weight == sum(Decimal(area) for area, _ in electorate)
        assert results.voted_weight == sum(expected_weight)
        assert results.quorum_reached == (voted * 100 >= quorum * len(electorate))
        transaction.set_rollback(True, using=alias_for(tenant_a))


def test_two_residents_of_one_unit_voting_at_once_leave_one_vote_on_postgres(pg_scratch) -> None:
    with tenant_context(pg_scratch):
        from klustera.accounts.models import User

        manager = User.objects.get(phone="+6281200000009")
        unit = UnitFactory(block="C", number="01")
        people = [_resident_of(unit, name=f"Warga {n}") for n in range(4)]
        now = timezone.now()
        poll = create_poll(
            actor=manager,
            question="Serentak?",
            options=["Ya", "Tidak"],
            opens_at=now,
            closes_at=now + timedelta(hours=1),
        )
        yes, no = _options(poll)
    choices = [yes, no, yes, no]
    at_once(
        pg_scratch,
        [
            (lambda user=user, choice=choice: cast_vote(user=user, poll=poll, options=[choice]))
            for user, choice in zip(people, choices, strict=True)
        ],
    )
    with tenant_context(pg_scratch):
        [vote] = Participation.objects.filter(poll=poll)
        counts = dict(BallotCount.objects.filter(poll=poll).values_list("option_id", "votes"))
        assert sum(counts.values()) == 1 and counts[vote.choices[0]] == 1


def test_a_poll_open_at_once_is_announced_through_the_queue_exactly_once(estate, committed) -> None:
    tenant = estate["tenant"]
    now = timezone.now()
    poll = committed(
        tenant,
        lambda: create_poll(
            actor=estate["manager"],
            question="Sekarang?",
            options=["Ya", "Tidak"],
            opens_at=now,
            closes_at=now + timedelta(days=1),
        ),
    )
    with tenant_context(tenant):
        told = Message.objects.filter(template="poll_opened", channel="inbox")
        assert told.count() == 4 and told.filter(about=f"poll:{poll.pk}").count() == 4
        assert keep_time()["announced"] == 0 and told.count() == 4


def test_a_poll_by_share_weighs_each_unit_by_its_registry_weight(estate) -> None:
    with tenant_context(estate["tenant"]):
        estate["b1"].vote_weight = Decimal("2.50")
        estate["b1"].save()
    poll = _poll(estate, weighting=Poll.Weighting.CUSTOM, results=Poll.Results.LIVE)
    yes, _no = _options(poll)
    _vote(_api(estate["tenant"], estate["renter_b1"]), poll, [yes])
    _vote(_api(estate["tenant"], estate["owner_b2"]), poll, [yes])  # no weight in the registry
    results = _api(estate["tenant"], estate["owner_b2"]).get(f"{BASE}/polls/{poll.pk}/results")
    data = results.json()["data"]
    assert (data["options"][0]["votes"], data["options"][0]["weight"]) == (2, "2.50")
    assert data["eligible_weight"] == "2.50" and data["voted_weight"] == "2.50"

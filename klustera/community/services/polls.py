"""Polls: putting a question to the complex, voting, the close with its minutes, reminders.

Who may vote, and with what weight, is decided from the registry at the
moment of the vote. Every vote takes the poll's row lock: votes, the close and
a cancel on one poll happen one after another, so no vote lands after the
close and two residents of one unit voting at once leave one vote, the later
(the unique participation key is the backstop). The tallies of a secret
ballot are kept apart from who voted; see :class:`Participation`.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db.models import F
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from klustera.accounts.models import User
from klustera.audit.services import record
from klustera.community.models import BallotCount, Participation, Poll, PollOption
from klustera.community.selectors import (
    SEAL,
    Seat,
    electorate_of,
    results_of,
    seats_of,
    unseal,
    voters_of,
)
from klustera.community.services.attachments import change_attachments
from klustera.crypto import encrypt
from klustera.errors import StateConflict
from klustera.estate.models import Occupancy
from klustera.notifications.services import notify
from klustera.pdf import html_to_pdf
from klustera.tasks import enqueue
from klustera.tenancy.context import current_tenant, tenant_atomic
from klustera.tenancy.links import tenant_url

logger = logging.getLogger(__name__)
MAX_OPTIONS = 20
EDITABLE = (
    "question",
    "description",
    "multiple",
    "max_choices",
    "electorate",
    "weighting",
    "ballot",
    "results",
    "quorum_percent",
    "opens_at",
    "closes_at",
    "max_reminders",
)


# --- Creating and changing a poll ------------------------------------------------------------


def create_poll(
    *, actor: User, options: list[str], attachments: Sequence[Any] = (), **fields: object
) -> Poll:
    """Put a question to the complex, with its ``attachments`` (uploaded PDFs or photos); it
    opens and closes by itself at its times."""
    poll = Poll(created_by=actor, **{name: fields[name] for name in EDITABLE if name in fields})
    labels = _checked(poll, options, new=True)
    with tenant_atomic():
        poll.save()
        _set_options(poll, labels)
        attached = change_attachments(poll, actor=actor, add=attachments)
        record(
            actor=actor, action="poll.created", target=poll, **_summary(poll, labels), **attached
        )
        if poll.opens_at <= timezone.now():  # open at once: the voters hear now, not next tick
            enqueue("klustera.community.tasks.announce_poll", poll.pk)
    return poll


def edit_poll(
    *,
    actor: User,
    poll: Poll,
    options: list[str] | None = None,
    attachments: Sequence[Any] = (),
    remove_attachments: Sequence[int] = (),
    **changes: object,
) -> Poll:
    """Change a poll nobody has voted in yet, add or remove its attachments; once votes
    exist it can only be cancelled."""
    with tenant_atomic():
        poll = Poll.objects.select_for_update().get(pk=poll.pk)
        if poll.cancelled_at or poll.closed_at:
            raise StateConflict(_("This poll is over."), code="poll_over")
        if poll.participations.exists():
            raise StateConflict(
                _("People have voted: the poll can no longer be changed, only cancelled."),
                code="poll_has_votes",
            )
        for name in EDITABLE:
            if name in changes:
                setattr(poll, name, changes[name])
        current = list(poll.options.values_list("label", flat=True))
        labels = _checked(poll, current if options is None else options, new=False)
        poll.save()
        if labels != current:
            poll.options.all().delete()
            _set_options(poll, labels)
        attached = change_attachments(poll, actor=actor, add=attachments, remove=remove_attachments)
        record(actor=actor, action="poll.edited", target=poll, **_summary(poll, labels), **attached)
    return poll


def _checked(poll: Poll, options: list[str], *, new: bool) -> list[str]:
    """The poll's fields and options, checked together; the options' labels, trimmed."""
    errors: dict[str, list[str]] = {}
    poll.question = poll.question.strip()
    poll.description = poll.description.strip()
    labels = [label.strip() for label in options if label.strip()]
    if not poll.question:
        errors["question"] = [_("Ask a question.")]
    if len(labels) < 2 or len(labels) > MAX_OPTIONS:
        errors["options"] = [_("Give between 2 and 20 options.")]
    elif len({label.casefold() for label in labels}) != len(labels):
        errors["options"] = [_("Each option once.")]
    if not poll.multiple:
        poll.max_choices = 1
    elif not 1 <= poll.max_choices <= max(len(labels), 1):
        errors["max_choices"] = [_("At most as many choices as there are options.")]
    if poll.closes_at <= poll.opens_at:
        errors["closes_at"] = [_("The poll closes after it opens.")]
    elif poll.closes_at <= timezone.now():
        errors["closes_at"] = [_("The closing time has passed.")]
    if new and poll.opens_at < timezone.now() - timedelta(minutes=5):
        errors["opens_at"] = [_("The opening time has passed: choose now or later.")]
    if poll.weighting != Poll.Weighting.NONE and poll.electorate != Poll.Electorate.UNIT:
        errors["weighting"] = [_("Votes are weighted only when each unit has one vote.")]
    if not 0 <= poll.quorum_percent <= 100:
        errors["quorum_percent"] = [_("The quorum is a percentage, 0 to 100.")]
    if errors:
        raise ValidationError(errors)
    return labels


def _set_options(poll: Poll, labels: list[str]) -> None:
    options = PollOption.objects.bulk_create(
        PollOption(poll=poll, label=label, position=index) for index, label in enumerate(labels)
    )
    BallotCount.objects.bulk_create(BallotCount(poll=poll, option=option) for option in options)


def _summary(poll: Poll, labels: list[str]) -> dict[str, object]:
    return {
        "question": poll.question,
        "options": labels,
        "electorate": poll.electorate,
        "ballot": poll.ballot,
        "opens_at": poll.opens_at.isoformat(),
        "closes_at": poll.closes_at.isoformat(),
        "quorum_percent": poll.quorum_percent,
    }


def cancel_poll(*, actor: User, poll: Poll, reason: str) -> Poll:
    """Call a poll off with a reason; whoever voted is told. Its votes are not counted."""
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": [_("Say why the poll is cancelled.")]})
    with tenant_atomic():
        poll = Poll.objects.select_for_update().get(pk=poll.pk)
        if poll.cancelled_at or poll.state(timezone.now()) == "closed":
            raise StateConflict(_("This poll is over."), code="poll_over")
        poll.cancelled_at = timezone.now()
        poll.cancel_reason = reason
        poll.save(update_fields=["cancelled_at", "cancel_reason"])
        poll.participations.update(sealed="")
        record(actor=actor, action="poll.cancelled", target=poll, reason=reason)
        voters = User.objects.filter(
            pk__in=poll.participations.values("voter"), is_active=True
        ).order_by("pk")
        _tell(voters, "poll_cancelled", poll, reason=reason)
    return poll


# --- Voting ------------------------------------------------------------------------------------


def cast_vote(
    *, user: User, poll: Poll, options: Iterable[int], unit: int | None = None
) -> Participation:
    """Vote, or change one's vote, until the close; the last vote before the close counts."""
    chosen = list(dict.fromkeys(options))
    seat = _seat(user, poll, unit)
    with tenant_atomic():
        poll = Poll.objects.select_for_update().get(pk=poll.pk)
        now = timezone.now()
        if poll.state(now) != "open":
            raise ValidationError(
                {
                    "detail": [
                        ValidationError(_("This poll is not open for votes."), "poll_not_open")
                    ]
                }
            )
        _check_choices(poll, chosen)
        participation = (
            Participation.objects.select_for_update().filter(poll=poll, voter_key=seat.key).first()
        )
        if participation is None:
            participation = Participation(poll=poll, voter_key=seat.key)
        else:
            _count(poll, unseal(participation), -1, participation.weight)
        participation.unit = seat.unit
        participation.voter = user
        participation.weight = seat.weight
        participation.voted_at = now
        if poll.ballot == Poll.Ballot.SECRET:
            participation.choices = []
            participation.sealed = encrypt(json.dumps(chosen), purpose=SEAL)
        else:
            participation.choices = chosen
        participation.save()
        _count(poll, chosen, +1, seat.weight)
    return participation


def _seat(user: User, poll: Poll, unit: int | None) -> Seat:
    seats = seats_of(user, poll)
    if not seats:
        raise PermissionDenied(_("You are not among this poll's voters."))
    if unit is not None:
        seats = [seat for seat in seats if seat.unit is not None and seat.unit.pk == unit]
        if not seats:
            raise PermissionDenied(_("You do not vote for that unit."))
    if len(seats) > 1:
        raise ValidationError(
            {
                "unit": [
                    ValidationError(_("Say which of your units this vote is for."), "unit_required")
                ]
            }
        )
    return seats[0]


def _check_choices(poll: Poll, chosen: list[int]) -> None:
    known = set(poll.options.values_list("pk", flat=True))
    if not chosen:
        raise ValidationError({"options": [ValidationError(_("Choose an option."), "no_choice")]})
    if not set(chosen) <= known:
        raise ValidationError(
            {"options": [ValidationError(_("That option is not in this poll."), "unknown_option")]}
        )
    if len(chosen) > poll.max_choices:
        message = _("Choose at most %(count)s.") % {"count": poll.max_choices}
        raise ValidationError({"options": [ValidationError(message, "too_many_choices")]})


def _count(poll: Poll, options: list[int], sign: int, weight: Decimal) -> None:
    BallotCount.objects.filter(poll=poll, option_id__in=options).update(
        votes=F("votes") + sign, weight=F("weight") + sign * weight
    )


# --- Results, the close and the minutes ------------------------------------------------------


def close_poll(*, poll: Poll, actor: User | None = None) -> Poll:
    """Close the poll (early, by a manager, or at its time by the clock) and write its minutes.

    The electorate is fixed, the sealed secret votes are wiped, and the
    minutes (berita acara) are stored with the poll. Closing twice is a 409.
    """
    with tenant_atomic():
        poll = Poll.objects.select_for_update().get(pk=poll.pk)
        now = timezone.now()
        if poll.cancelled_at or poll.closed_at:
            raise StateConflict(_("This poll is over."), code="poll_over")
        early = now < poll.closes_at
        if early and actor is None:
            raise StateConflict(_("This poll is still open."), code="poll_still_open")
        poll.closed_at = now if early else poll.closes_at
        poll.eligible, poll.eligible_weight = electorate_of(poll)
        poll.participations.update(sealed="")
        poll.minutes.save(
            f"poll-{poll.pk}-berita-acara.pdf", ContentFile(minutes_pdf(poll)), save=False
        )
        poll.save(update_fields=["closed_at", "eligible", "eligible_weight", "minutes"])
        if early:
            record(actor=actor, action="poll.closed_early", target=poll)
        voters = User.objects.filter(
            pk__in=poll.participations.values("voter"), is_active=True
        ).order_by("pk")
        _tell(voters, "poll_closed", poll)
    return poll


def minutes_pdf(poll: Poll) -> bytes:
    """The berita acara: the question, options and counts, turnout, quorum, the times; for an
    open ballot, which unit voted what. In Indonesian, the complex's language of record."""
    results = results_of(poll)
    tenant = current_tenant()
    by_unit = []
    if poll.ballot == Poll.Ballot.OPEN:
        labels = dict(poll.options.values_list("pk", "label"))
        for row in poll.participations.select_related("unit", "voter").order_by(
            "unit__block", "unit__number", "voter_key"
        ):
            chosen = ", ".join(labels[pk] for pk in row.choices if pk in labels)
            by_unit.append((row.unit, row.voter, chosen))
    with translation.override("id"):
        html = render_to_string(
            "community/minutes.html",
            {
                "tenant": tenant,
                "poll": poll,
                "results": results,
                "by_unit": by_unit,
                "printed_at": timezone.now(),
            },
        )
    return html_to_pdf(html)


# --- The clock: opening notices, reminders, closes ------------------------------------------


def keep_time(now: datetime | None = None) -> dict[str, int]:
    """What the minute's tick does in one complex: announce, remind, close."""
    now = now or timezone.now()
    return {
        "announced": announce_opened(now),
        "reminded": remind_non_voters(now),
        "closed": close_due(now),
    }


def announce_opened(now: datetime) -> int:
    """Tell the voters of each poll that has opened and not been announced (a worker that was
    down catches up here)."""
    due = Poll.objects.filter(
        opens_at__lte=now,
        closes_at__gt=now,
        announced_at__isnull=True,
        cancelled_at__isnull=True,
        closed_at__isnull=True,
    )
    return sum(announce_poll(poll=poll, now=now) for poll in due)


def announce_poll(*, poll: Poll, now: datetime | None = None) -> int:
    """Tell a poll's voters it is open, once: the claim is a conditional update."""
    now = now or timezone.now()
    with tenant_atomic():
        claimed = Poll.objects.filter(
            pk=poll.pk,
            opens_at__lte=now,
            announced_at__isnull=True,
            cancelled_at__isnull=True,
            closed_at__isnull=True,
        ).update(announced_at=now)
        return _tell(voters_of(poll), "poll_opened", poll) if claimed else 0


def remind_non_voters(now: datetime) -> int:
    """The k-th of a poll's N reminders falls at k/(N+1) of its time open, to those who have
    not voted; each is claimed once, and waits for the end of the quiet hours like any notice."""
    told = 0
    open_polls = Poll.objects.filter(
        opens_at__lte=now,
        closes_at__gt=now,
        cancelled_at__isnull=True,
        closed_at__isnull=True,
        reminders_sent__lt=F("max_reminders"),
    )
    for poll in open_polls:
        span = poll.closes_at - poll.opens_at
        due_at = poll.opens_at + span * (poll.reminders_sent + 1) / (poll.max_reminders + 1)
        if now < due_at:
            continue
        with tenant_atomic():
            claimed = Poll.objects.filter(pk=poll.pk, reminders_sent=poll.reminders_sent).update(
                reminders_sent=F("reminders_sent") + 1
            )
            if claimed:
                told += _tell(_not_voted(poll), "poll_reminder", poll)
    return told


def _not_voted(poll: Poll) -> list[User]:
    voted = poll.participations.all()
    stays = Occupancy.objects.filter(end_on__isnull=True)
    if poll.electorate == Poll.Electorate.OWNER:
        stays = stays.filter(role=Occupancy.Role.OWNER)
    if poll.electorate == Poll.Electorate.UNIT:
        stays = stays.exclude(unit__in=voted.values("unit"))
    people = User.objects.filter(is_active=True, resident__occupancies__in=stays).distinct()
    if poll.electorate != Poll.Electorate.UNIT:
        people = people.exclude(pk__in=voted.values("voter"))
    return list(people.order_by("pk"))


def close_due(now: datetime) -> int:
    """Close each poll whose time has come; one failing does not hold up the others."""
    closed = 0
    for poll in Poll.objects.filter(
        closes_at__lte=now, closed_at__isnull=True, cancelled_at__isnull=True
    ):
        try:
            close_poll(poll=poll)
        except StateConflict:  # closed by a manager meanwhile
            continue
        except Exception:
            logger.exception("Poll %s could not be closed; the next tick tries again", poll.pk)
            continue
        closed += 1
    return closed


def _tell(users: Iterable[User], template: str, poll: Poll, **extra: str) -> int:
    tenant = current_tenant()
    context = {
        "complex": tenant.name if tenant else "",
        "question": poll.question,
        "closes": timezone.localtime(poll.closes_at).strftime("%d-%m-%Y %H:%M"),
        "link": tenant_url("poll-page", pk=poll.pk),
        **extra,
    }
    count = 0
    for user in users:
        notify(recipient=user, template=template, context=context, about=f"poll:{poll.pk}")
        count += 1
    return count

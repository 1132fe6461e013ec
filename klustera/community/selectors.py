"""Reads of the community: who reads which announcements and polls, who votes where with
what weight, and the results."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db.models import Count, Min, Model, Q, QuerySet, Sum
from django.shortcuts import get_object_or_404
from django.utils import timezone

from klustera.accounts.models import User
from klustera.community.models import (
    Announcement,
    Attachment,
    BallotCount,
    Participation,
    Poll,
    PollOption,
)
from klustera.crypto import decrypt
from klustera.estate.models import Occupancy, Unit
from klustera.notifications.models import Message
from klustera.roles import is_manager, is_staff_member
from klustera.tenancy.context import current_alias
from klustera.timestamps import changes_stamp

SEAL = "poll-ballot"  # the encryption purpose of a secret vote kept until the close


def announcements_for(user: User) -> QuerySet[Announcement]:
    """Managers read them all, drafts and withdrawn ones too; staff every published one; a
    resident the published ones whose audience holds one of their current homes. Pinned
    first."""
    announcements = Announcement.objects.select_related("posted_by").prefetch_related("attachments")
    if is_manager(user):
        return announcements
    now = timezone.now()
    published = announcements.filter(posted_at__isnull=False, withdrawn_at__isnull=True).filter(
        Q(expires_at__isnull=True) | Q(expires_at__gt=now)
    )
    if is_staff_member(user):
        return published
    homes = Q(pk__in=[])
    for stay in Occupancy.objects.filter(resident__user=user, end_on__isnull=True).select_related(
        "unit"
    ):
        tenure = {"owner": "owners", "renter": "renters"}.get(stay.role, "")
        homes |= (
            (Q(blocks=[]) | Q(blocks__icontains=f'"{stay.unit.block}"'))
            & (Q(unit_types=[]) | Q(unit_types__icontains=f'"{stay.unit.unit_type}"'))
            & Q(tenure__in=["all", tenure])
        )
    return published.filter(homes)


# What a list of announcements is read from: the notices, their files, who posted them, and
# the homes that decide a resident's audience.
LIST_READ_FROM: tuple[type[Model], ...] = (Announcement, Attachment, User, Occupancy, Unit)
LIST_CACHE_SECONDS = 300  # a bound for the one race a stamp cannot see


def list_cache_key(user: User, page: str) -> str:
    """The cache key of one ``page`` of ``announcements_for(user)``: shared by everyone who
    reads the same list (the managers, the staff; a resident reads their own), and new after
    any write to what the list is read from (one query, ``timestamps.changes_stamp``)."""
    if is_manager(user):
        audience = "managers"
    elif is_staff_member(user):
        audience = "staff"
    else:
        audience = f"resident:{user.pk}"
    stamp = changes_stamp(LIST_READ_FROM, using=current_alias())
    page_digest = hashlib.sha256(page.encode()).hexdigest()[:16]
    return f"announcements:{audience}:{stamp}:{page_digest}"


def list_cache_seconds() -> int:
    """How long a cached page holds: until the next announcement expires (which no write
    marks), at most ``LIST_CACHE_SECONDS``."""
    now = timezone.now()
    expiry = Announcement.objects.filter(expires_at__gt=now).aggregate(at=Min("expires_at"))["at"]
    if expiry is None:
        return LIST_CACHE_SECONDS
    return max(1, min(LIST_CACHE_SECONDS, int((expiry - now).total_seconds())))


def audience_of(announcement: Announcement) -> QuerySet[User]:
    """The active accounts an announcement is for: residents living now where it points,
    by tenure, and the staff of its roles."""
    stays = Occupancy.objects.filter(end_on__isnull=True)
    if announcement.blocks:
        stays = stays.filter(unit__block__in=announcement.blocks)
    if announcement.unit_types:
        stays = stays.filter(unit__unit_type__in=announcement.unit_types)
    if announcement.tenure != Announcement.Tenure.ALL:
        role = "owner" if announcement.tenure == Announcement.Tenure.OWNERS else "renter"
        stays = stays.filter(role=role)
    people = Q(resident__occupancies__in=stays)
    if announcement.staff_roles:
        people |= Q(groups__name__in=announcement.staff_roles)
    return User.objects.filter(is_active=True).filter(people).distinct().order_by("pk")


def access_announcement(user: User, pk: Any) -> Announcement:
    return get_object_or_404(announcements_for(user), pk=pk)


def access_attachment(user: User, pk: Any) -> Attachment:
    """An attachment, to those who may read its announcement or poll (404 to anyone else)."""
    attachment = get_object_or_404(Attachment, pk=pk)
    if attachment.announcement_id:
        access_announcement(user, attachment.announcement_id)
    else:
        access_poll(user, attachment.poll_id)
    return attachment


def _told(announcement: Announcement) -> QuerySet[Message]:
    """Each person told of it has one inbox copy per telling."""
    return Message.objects.filter(about=f"announcement:{announcement.pk}")


def reads_of(announcement: Announcement) -> list[tuple[User, datetime | None]]:
    """Everyone told, with when they first read it (in the app, or WhatsApp's "read")."""
    told = _told(announcement).filter(recipient__isnull=False)
    first_read = dict(
        told.filter(read_at__isnull=False)
        .values("recipient")
        .annotate(first=Min("read_at"))
        .values_list("recipient", "first")
    )
    people = User.objects.filter(pk__in=told.values("recipient")).order_by("name", "pk")
    return [(person, first_read.get(person.pk)) for person in people]


def unread_by(announcement: Announcement) -> list[User]:
    """Those told who have read it nowhere yet."""
    return [person for person, read_at in reads_of(announcement) if read_at is None]


def polls_for(user: User) -> QuerySet[Poll]:
    """Everyone signed in reads the complex's polls, the coming ones too: a vote is public."""
    return Poll.objects.prefetch_related("options", "attachments")


def open_polls_for(user: User) -> list[tuple[Poll, Participation | None]]:
    """The polls open now in which ``user`` has a vote to cast, each with the vote that counts
    for them so far, for their home page."""
    now = timezone.now()
    open_now = Poll.objects.filter(
        opens_at__lte=now, closes_at__gt=now, closed_at__isnull=True, cancelled_at__isnull=True
    ).order_by("closes_at")
    stays = current_stays(user)  # read once, whatever the number of polls
    seated = [(poll, seats) for poll in open_now if (seats := seats_of(user, poll, stays))]
    if not seated:
        return []
    cast = Participation.objects.filter(
        poll__in=[poll for poll, _seats in seated],
        voter_key__in={seat.key for _poll, seats in seated for seat in seats},
    )
    votes = {(vote.poll_id, vote.voter_key): vote for vote in cast}  # one a key (unique)
    return [(poll, _first_vote(votes, poll, seats)) for poll, seats in seated]


def _first_vote(
    votes: dict[tuple[int, str], Participation], poll: Poll, seats: list[Seat]
) -> Participation | None:
    """What :func:`my_vote` answers, from the votes already read."""
    mine = [votes[poll.pk, seat.key] for seat in seats if (poll.pk, seat.key) in votes]
    return min(mine, key=lambda vote: vote.pk, default=None)


def access_poll(user: User, pk: Any) -> Poll:
    """The poll ``pk`` if ``user`` may read it: fetched, scoped and checked in one call (404)."""
    return get_object_or_404(polls_for(user), pk=pk)


def my_vote(user: User, poll: Poll, seats: list[Seat] | None = None) -> Participation | None:
    """The vote that counts for ``user``'s seat in ``poll`` (theirs or their household's)."""
    keys = [seat.key for seat in (seats_of(user, poll) if seats is None else seats)]
    return Participation.objects.filter(poll=poll, voter_key__in=keys).first() if keys else None


# --- Polls: who votes, with what weight, and the results ------------------------------------


@dataclass(frozen=True)
class Seat:
    """Where a person's vote counts: the participation key, its unit and its weight."""

    key: str
    unit: Unit | None
    weight: Decimal


def current_stays(user: User) -> list[Occupancy]:
    """Where ``user`` lives now, with the units."""
    return list(
        Occupancy.objects.filter(resident__user=user, end_on__isnull=True).select_related("unit")
    )


def seats_of(user: User, poll: Poll, stays: list[Occupancy] | None = None) -> list[Seat]:
    """The places ``user`` may vote from in ``poll`` now (none: not eligible); ``stays``:
    their :func:`current_stays`, if already read."""
    stays = current_stays(user) if stays is None else stays
    if poll.electorate == Poll.Electorate.OWNER:
        stays = [stay for stay in stays if stay.role == Occupancy.Role.OWNER]
    units = sorted({stay.unit for stay in stays}, key=lambda unit: (unit.block, unit.number))
    if not user.is_active or not units:
        return []
    if poll.electorate != Poll.Electorate.UNIT:
        return [Seat(f"user:{user.pk}", units[0], Decimal(1))]
    return [Seat(f"unit:{unit.pk}", unit, weight_of(unit, poll)) for unit in units]


def weight_of(unit: Unit, poll: Poll) -> Decimal:
    if poll.weighting == Poll.Weighting.LAND_AREA:
        return unit.land_area or Decimal(0)
    if poll.weighting == Poll.Weighting.CUSTOM:
        return unit.vote_weight or Decimal(0)
    return Decimal(1)


def unseal(participation: Participation) -> list[int]:
    """What a vote chose, as far as it can still be told (a secret one: until the close)."""
    if participation.sealed:
        return list(json.loads(decrypt(participation.sealed, purpose=SEAL)))
    return list(participation.choices)


@dataclass(frozen=True)
class OptionResult:
    option: PollOption
    votes: int
    weight: Decimal


@dataclass(frozen=True)
class Results:
    options: list[OptionResult]
    voted: int  # units (or people) who voted
    voted_weight: Decimal
    eligible: int
    eligible_weight: Decimal
    quorum_percent: int

    @property
    def turnout(self) -> int:
        """Whole percent of the electorate who voted (rounded down)."""
        return self.voted * 100 // self.eligible if self.eligible else 0

    @property
    def quorum_reached(self) -> bool:
        return self.voted * 100 >= self.quorum_percent * self.eligible

    @property
    def weighted(self) -> bool:
        return any(row.weight != row.votes for row in self.options)


def results_of(poll: Poll) -> Results:
    """The counts per option, the turnout and the quorum: fixed at the close, else as of now."""
    counts = {count.option_id: count for count in BallotCount.objects.filter(poll=poll)}
    rows = [
        OptionResult(option, counts[option.pk].votes, counts[option.pk].weight)
        for option in poll.options.all()
    ]
    voted = poll.participations.aggregate(n=Count("pk"), w=Sum("weight"))
    if poll.eligible is not None:
        eligible, weight = poll.eligible, poll.eligible_weight or Decimal(0)
    else:
        eligible, weight = electorate_of(poll)
    return Results(
        options=rows,
        voted=voted["n"],
        voted_weight=voted["w"] or Decimal(0),
        eligible=eligible,
        eligible_weight=weight,
        quorum_percent=poll.quorum_percent,
    )


def electorate_of(poll: Poll) -> tuple[int, Decimal]:
    """Who may vote now: the units lived in (with their total weight), or the people."""
    stays = Occupancy.objects.filter(end_on__isnull=True)
    if poll.electorate == Poll.Electorate.UNIT:
        units = Unit.objects.filter(pk__in=stays.values("unit"))
        if poll.weighting == Poll.Weighting.NONE:
            count = units.count()
            return count, Decimal(count)
        field = "land_area" if poll.weighting == Poll.Weighting.LAND_AREA else "vote_weight"
        total = units.aggregate(n=Count("pk"), w=Sum(field))
        return total["n"], total["w"] or Decimal(0)
    if poll.electorate == Poll.Electorate.OWNER:
        stays = stays.filter(role=Occupancy.Role.OWNER)
    people = User.objects.filter(is_active=True, resident__occupancies__in=stays).distinct()
    count = people.count()
    return count, Decimal(count)


def voters_of(poll: Poll) -> list[User]:
    """The people who may vote now, each once."""
    stays = Occupancy.objects.filter(end_on__isnull=True)
    if poll.electorate == Poll.Electorate.OWNER:
        stays = stays.filter(role=Occupancy.Role.OWNER)
    return list(
        User.objects.filter(is_active=True, resident__occupancies__in=stays)
        .distinct()
        .order_by("pk")
    )


def results_visible(poll: Poll) -> bool:
    """Counts are shown live or after the close as the poll says; a cancelled poll has none."""
    if poll.cancelled_at:
        return False
    return poll.results == Poll.Results.LIVE or poll.state(timezone.now()) == "closed"

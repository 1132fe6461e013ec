"""The helpdesk's use cases: filing a ticket and moving it through its states.

Every move goes through :func:`move_ticket`, which holds the one table of what may follow
what and who may make each move; the ticket's row is locked while it decides, so of two
people moving one ticket at once the second is refused (409), never both applied.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from klustera.accounts.models import User
from klustera.accounts.selectors import active_managers
from klustera.audit.services import record
from klustera.errors import StateConflict
from klustera.estate.models import Unit
from klustera.estate.selectors import units_visible_to
from klustera.helpdesk.models import (
    Category,
    Comment,
    HelpdeskSettings,
    Priority,
    ServiceTarget,
    Ticket,
    TicketEvent,
    TicketPhoto,
)
from klustera.helpdesk.sla import WEEKDAYS, BusinessHours, due_after
from klustera.notifications.services import notify
from klustera.roles import STAFF_ROLES, Role, is_manager, roles_of
from klustera.tenancy.context import current_tenant, tenant_atomic
from klustera.tenancy.links import tenant_url
from klustera.uploads import clean_photos

S = Ticket.Status
# Who may make a move: the ticket's reporter (or whoever filed it), its assignee, staff of
# its queue (while nobody has it), a manager, or the system (the periodic jobs).
REPORTER, ASSIGNEE, QUEUE, MANAGER, SYSTEM = "reporter", "assignee", "queue", "manager", "system"
MOVES: dict[str, dict[str, frozenset[str]]] = {
    S.OPEN: {S.ASSIGNED: frozenset({MANAGER, QUEUE}), S.CANCELLED: frozenset({REPORTER, MANAGER})},
    S.ASSIGNED: {
        S.ASSIGNED: frozenset({MANAGER}),  # handed to someone else
        S.IN_PROGRESS: frozenset({ASSIGNEE, MANAGER}),
        S.CANCELLED: frozenset({REPORTER, MANAGER}),  # before work starts
    },
    S.IN_PROGRESS: {S.RESOLVED: frozenset({ASSIGNEE, MANAGER})},
    S.RESOLVED: {
        S.CLOSED: frozenset({REPORTER, MANAGER, SYSTEM}),
        S.REOPENED: frozenset({REPORTER, MANAGER}),
    },
    S.REOPENED: {
        S.ASSIGNED: frozenset({MANAGER, QUEUE}),
        S.IN_PROGRESS: frozenset({ASSIGNEE, MANAGER}),
    },
    S.CLOSED: {},
    S.CANCELLED: {},
}
# Default service targets in hours (first response, resolution) per priority.
DEFAULT_TARGETS = {
    Priority.URGENT: (1, 8),
    Priority.HIGH: (4, 24),
    Priority.NORMAL: (24, 72),
    Priority.LOW: (48, 168),
}
QUEUES = (Role.FACILITY_STAFF, Role.CLEANING_STAFF, Role.SECURITY_STAFF)


def _zone() -> ZoneInfo:
    tenant = current_tenant()
    return ZoneInfo(tenant.time_zone if tenant else "Asia/Jakarta")


def _business(category: Category, priority: str) -> BusinessHours | None:
    """The hours the clock runs in: business hours if the category says so (never urgent)."""
    if not category.business_hours_only or priority == Priority.URGENT:
        return None
    config = HelpdeskSettings.current()
    days = frozenset(config.business_days) or WEEKDAYS
    return BusinessHours(config.business_start, config.business_end, days)


def _targets(category: Category, priority: str) -> tuple[int, int]:
    target = ServiceTarget.objects.filter(category=category, priority=priority).first()
    if target is None:
        return DEFAULT_TARGETS[Priority(priority)]
    return target.response_hours, target.resolution_hours


def _dues(category: Category, priority: str, start: datetime) -> tuple[datetime, datetime]:
    response, resolution = _targets(category, priority)
    zone, business = _zone(), _business(category, priority)
    return due_after(start, response, zone, business), due_after(start, resolution, zone, business)


def file_ticket(
    *,
    actor: User,
    category: Category,
    title: str,
    description: str,
    unit: Unit | None = None,
    location: str = "",
    priority: str = Priority.NORMAL,
    reporter: User | None = None,
    now: datetime | None = None,
) -> Ticket:
    """Open a ticket. A resident files for a unit they live in (or a common area); staff and
    managers file for any; a manager may file on a resident's behalf (``reporter``)."""
    errors: dict[str, list[str]] = {}
    if not title.strip():
        errors["title"] = [_("Give the complaint a short title.")]
    if not description.strip():
        errors["description"] = [_("Describe what is wrong.")]
    if priority not in Priority.values:
        errors["priority"] = [_("Choose low, normal, high or urgent.")]
    if not category.is_active:
        errors["category"] = [_("This category is no longer used.")]
    if reporter is not None and reporter != actor and not is_manager(actor):
        errors["reporter"] = [_("Only a manager files on someone else's behalf.")]
    reporter = reporter or actor
    works_here = bool(roles_of(actor) & ({Role.PROPERTY_MANAGER} | STAFF_ROLES))
    if unit is not None and not works_here and not units_visible_to(reporter).contains(unit):
        errors["unit"] = [_("Choose a unit you live in, or leave empty for a common area.")]
    if errors:
        raise ValidationError(errors)
    now = now or timezone.now()
    response_due, resolution_due = _dues(category, priority, now)
    with tenant_atomic():
        ticket = Ticket.objects.create(
            category=category,
            priority=priority,
            unit=unit,
            location=location.strip(),
            title=title.strip(),
            description=description.strip(),
            reporter=reporter,
            filed_by=actor,
            response_due=response_due,
            resolution_due=resolution_due,
            created_at=now,
        )
        _record(ticket, actor, "", S.OPEN, "", now)
        where = str(unit) if unit is not None else location.strip() or "-"
        for manager in active_managers():
            if manager != actor:
                notify(
                    recipient=manager,
                    template="ticket_filed",
                    context={**_about(ticket), "where": where},
                )
    return ticket


def _about(ticket: Ticket) -> dict[str, Any]:
    return {
        "number": ticket.pk,
        "title": ticket.title,
        "link": tenant_url("complaint-page", pk=ticket.pk),
    }


def _kinds(ticket: Ticket, actor: User | None) -> set[str]:
    """What ``actor`` is to ``ticket``."""
    if actor is None:
        return {SYSTEM}
    kinds = set()
    roles = roles_of(actor)
    if Role.PROPERTY_MANAGER in roles:
        kinds.add(MANAGER)
    if actor.pk in (ticket.reporter_id, ticket.filed_by_id):
        kinds.add(REPORTER)
    if ticket.assignee_id == actor.pk:
        kinds.add(ASSIGNEE)
    if ticket.assignee_id is None and ticket.queue and ticket.queue in roles:
        kinds.add(QUEUE)
    return kinds


def moves_for(ticket: Ticket, user: User) -> list[str]:
    """The states ``user`` may move ``ticket`` to now (a manager's assigning aside: that
    names an assignee, on its own form)."""
    kinds = _kinds(ticket, user)
    return [
        to
        for to, who in MOVES[ticket.status].items()
        if who & kinds and not (to == S.ASSIGNED and kinds == {MANAGER})
    ]


def move_ticket(
    *,
    ticket: Ticket,
    to: str,
    actor: User | None,
    note: str = "",
    assignee: User | None = None,
    now: datetime | None = None,
) -> Ticket:
    """Move ``ticket`` to ``to``, if that move is allowed from where it is now, for ``actor``.

    The row is locked while deciding: a move made by someone else a moment earlier makes
    this one illegal (409), and it is refused. Every move is recorded with a note.
    """
    now = now or timezone.now()
    with tenant_atomic():
        ticket = Ticket.objects.select_for_update().get(pk=ticket.pk)
        allowed = MOVES.get(ticket.status, {}).get(to)
        if allowed is None:
            raise StateConflict(
                _("A %(state)s ticket cannot become %(to)s.")
                % {"state": S(ticket.status).label.lower(), "to": _label(to)},
                code="ticket_transition_not_allowed",
            )
        taker = actor if to == S.ASSIGNED and assignee in (None, actor) else None
        if taker and ticket.assignee_id not in (None, taker.pk) and not is_manager(taker):
            raise StateConflict(
                _("Someone else took this ticket a moment ago."), code="ticket_already_taken"
            )
        if not allowed & _kinds(ticket, actor):
            raise PermissionDenied(_("You may not make this change to the ticket."))
        if to == S.REOPENED and ticket.resolved_at is not None:
            window = timedelta(days=HelpdeskSettings.current().reopen_days)
            if now > ticket.resolved_at + window:
                raise StateConflict(
                    _("It was resolved more than %(days)s days ago: file a new complaint.")
                    % {"days": window.days},
                    code="ticket_reopen_too_late",
                )
        before = ticket.status
        _apply(ticket, to, actor, assignee, now)
        ticket.status = to
        ticket.save()
        _record(ticket, actor, before, to, note, now)
        _tell(ticket, to, actor, note)
    return ticket


# The moves the reporter is told of when someone else makes them.
TOLD = (S.IN_PROGRESS, S.RESOLVED, S.CLOSED, S.CANCELLED)


def _tell(ticket: Ticket, to: str, actor: User | None, note: str) -> None:
    """Whom a move concerns: the new assignee, or the reporter of the news."""
    if to == S.ASSIGNED and ticket.assignee is not None and ticket.assignee != actor:
        notify(
            recipient=ticket.assignee,
            template="ticket_assigned",
            context={**_about(ticket), "due": ticket.resolution_due},
        )
    reporter = ticket.reporter
    if to in TOLD and reporter is not None and reporter != actor and reporter.is_active:
        with translation.override(reporter.language):
            status = str(S(to).label).lower()
        notify(
            recipient=reporter,
            template="ticket_update",
            context={**_about(ticket), "status": status, "note": note.strip()},
        )


def _label(status: str) -> str:
    return str(S(status).label).lower() if status in S.values else status


def _apply(
    ticket: Ticket, to: str, actor: User | None, assignee: User | None, now: datetime
) -> None:
    """What a move changes besides the state: the assignee, the clocks."""
    if to == S.ASSIGNED:
        assignee = assignee or actor  # staff taking a ticket of their queue
        if assignee is None or not roles_of(assignee) & STAFF_ROLES:
            raise ValidationError({"assignee": [_("Assign the ticket to a staff member.")]})
        ticket.assignee = assignee
    staff_moved = actor is not None and bool(
        roles_of(actor) & (STAFF_ROLES | {Role.PROPERTY_MANAGER})
    )
    if staff_moved and to in (S.ASSIGNED, S.IN_PROGRESS) and ticket.first_response_at is None:
        ticket.first_response_at = now
    if to == S.RESOLVED:
        ticket.resolved_at = now
    if to == S.CLOSED:
        ticket.closed_at = now
    if to == S.REOPENED:  # a new target, watched afresh
        ticket.resolved_at = None
        ticket.resolution_due = _dues(ticket.category, ticket.priority, now)[1]
        ticket.warned_at = ticket.escalated_at = None


def _record(
    ticket: Ticket, actor: User | None, before: str, to: str, note: str, now: datetime
) -> None:
    TicketEvent.objects.create(
        ticket=ticket,
        actor=actor,
        actor_label=actor.name if actor is not None else "Klustera",
        from_status=before,
        to_status=to,
        note=note.strip()[:1000],
        created_at=now,
    )


MAX_PHOTOS = 5


def add_photos(*, ticket: Ticket, images: list[Any], actor: User, kind: str) -> list[TicketPhoto]:
    """Attach photos (at most five of a kind per ticket), each stripped of its metadata and
    with a thumbnail; all of them or none."""
    if kind not in TicketPhoto.Kind.values:
        raise ValidationError({"kind": [_("A photo is of the problem or of the work done.")]})
    cleaned = clean_photos(images)
    with tenant_atomic():
        Ticket.objects.select_for_update().filter(pk=ticket.pk).first()
        held = TicketPhoto.objects.filter(ticket=ticket, kind=kind).count()
        if held + len(cleaned) > MAX_PHOTOS:
            raise ValidationError(
                {"photos": [_("At most %(n)s photos of each kind.") % {"n": MAX_PHOTOS}]},
                code="too_many_photos",
            )
        return [
            TicketPhoto.objects.create(
                ticket=ticket, kind=kind, image=full, thumbnail=small, added_by=actor
            )
            for full, small in cleaned
        ]


def add_comment(
    *, ticket: Ticket, actor: User, body: str, internal: bool = False, question: bool = False
) -> Comment:
    """A message in the thread. Internal notes and questions to the resident are for staff and
    managers; a resident's answer counts as the ticket's news, never as the first response."""
    if not body.strip():
        raise ValidationError({"body": [_("Write something.")]})
    works_here = bool(roles_of(actor) & (STAFF_ROLES | {Role.PROPERTY_MANAGER}))
    if (internal or question) and not works_here:
        raise PermissionDenied(_("Only staff and managers write internal notes or questions."))
    if ticket.status in (S.CLOSED, S.CANCELLED):
        raise StateConflict(
            _("This ticket is finished; file a new complaint."), code="ticket_finished"
        )
    now = timezone.now()
    with tenant_atomic():
        comment = Comment.objects.create(
            ticket=ticket,
            author=actor,
            author_label=actor.name,
            body=body.strip()[:2000],
            internal=internal,
            is_question=question,
            created_at=now,
        )
        if works_here and not internal:
            Ticket.objects.filter(pk=ticket.pk, first_response_at__isnull=True).update(
                first_response_at=now
            )
        if question and ticket.reporter is not None and ticket.reporter != actor:
            notify(
                recipient=ticket.reporter,
                template="ticket_question",
                context={**_about(ticket), "question": comment.body},
            )
    return comment


def route_ticket(*, ticket: Ticket, queue: str, actor: User) -> Ticket:
    """A manager puts an open ticket in a staff role's queue, where its staff can take it."""
    if not is_manager(actor):
        raise PermissionDenied(_("Only a manager routes tickets."))
    if queue not in QUEUES:
        raise ValidationError({"queue": [_("Choose a staff role's queue.")]})
    with tenant_atomic():
        ticket = Ticket.objects.select_for_update().get(pk=ticket.pk)
        if ticket.status not in (S.OPEN, S.REOPENED):
            raise StateConflict(
                _("Only an open ticket waits in a queue."), code="ticket_transition_not_allowed"
            )
        ticket.queue = queue
        ticket.save(update_fields=["queue", "updated_at"])
        _record(ticket, actor, ticket.status, ticket.status, f"queue: {queue}", timezone.now())
    return ticket


def take_ticket(*, ticket: Ticket, actor: User, note: str = "") -> Ticket:
    """Staff take an unassigned ticket of their queue; of two at once, one gets it."""
    return move_ticket(ticket=ticket, to=S.ASSIGNED, actor=actor, assignee=actor, note=note)


def assign_tickets(
    *, tickets: list[Ticket], actor: User, assignee: User | None = None, queue: str = ""
) -> tuple[list[Ticket], dict[int, str]]:
    """A manager gives several tickets at once to a staff member or a queue. Each ticket is
    moved on its own, as if one by one: those that may not be moved now keep their state
    and are returned with the reason; the others are assigned."""
    if not is_manager(actor):
        raise PermissionDenied(_("Only a manager assigns tickets."))
    done: list[Ticket] = []
    refused: dict[int, str] = {}
    for ticket in tickets:
        try:
            if queue:
                done.append(route_ticket(ticket=ticket, queue=queue, actor=actor))
            else:
                done.append(
                    move_ticket(ticket=ticket, to=S.ASSIGNED, actor=actor, assignee=assignee)
                )
        except ValidationError as exc:  # a conflict too: resolved, or moved a moment ago
            refused[ticket.pk] = " ".join(exc.messages)
    return done, refused


def save_category(
    *,
    actor: User,
    name: str,
    targets: dict[str, tuple[int, int]],
    category: Category | None = None,
    is_active: bool = True,
    business_hours_only: bool = False,
) -> Category:
    """Add or change a complaint category and its targets (hours to the first response and
    to the resolution, per priority); audited. Tickets keep the targets they were filed with."""
    errors: dict[str, list[str]] = {}
    if not name.strip():
        errors["name"] = [_("Name the category.")]
    for priority, (response, resolution) in targets.items():
        if priority not in Priority.values or not 0 < response <= resolution <= 24 * 90:
            errors[priority] = [
                _("Hours to answer must be at least 1 and at most the hours to resolve.")
            ]
    if errors:
        raise ValidationError(errors)
    with tenant_atomic():
        clash = Category.objects.filter(name__iexact=name.strip())
        if category is not None:
            clash = clash.exclude(pk=category.pk)
        if clash.exists():
            raise StateConflict(
                {"name": [_("A category with this name exists.")]}, code="category_exists"
            )
        category = category or Category(position=Category.objects.count())
        category.name = name.strip()
        category.is_active, category.business_hours_only = is_active, business_hours_only
        category.save()
        for priority, (response, resolution) in targets.items():
            ServiceTarget.objects.update_or_create(
                category=category,
                priority=priority,
                defaults={"response_hours": response, "resolution_hours": resolution},
            )
        record(
            actor=actor,
            action="helpdesk.category_saved",
            target=category,
            name=category.name,
            targets={p: list(hours) for p, hours in targets.items()},
        )
    return category


def save_settings(
    *,
    actor: User,
    business_start: time,
    business_end: time,
    business_days: list[int],
    reopen_days: int,
    auto_close_days: int,
) -> HelpdeskSettings:
    """Change the business hours the clock runs in for categories that use them, how long a
    resolved ticket may be reopened and when it closes by itself; audited. Targets of tickets
    already filed stay as they were."""
    errors: dict[str, list[str]] = {}
    if not business_start < business_end:
        errors["business_end"] = [_("The office closes after it opens.")]
    days = sorted(set(business_days))
    if not days or not set(days) <= set(range(1, 8)):
        errors["business_days"] = [_("Choose at least one working day.")]
    if not 1 <= reopen_days <= 90:
        errors["reopen_days"] = [_("From 1 to 90 days.")]
    if not 1 <= auto_close_days <= 90:
        errors["auto_close_days"] = [_("From 1 to 90 days.")]
    if errors:
        raise ValidationError(errors)
    with tenant_atomic():
        config = HelpdeskSettings.current()
        config.business_start, config.business_end = business_start, business_end
        config.business_days = days
        config.reopen_days, config.auto_close_days = reopen_days, auto_close_days
        config.save()
        record(
            actor=actor,
            action="helpdesk.settings_saved",
            target=config,
            business_hours=f"{business_start:%H:%M}-{business_end:%H:%M}",
            business_days=days,
            reopen_days=reopen_days,
            auto_close_days=auto_close_days,
        )
    return config


WARN_BEFORE = timedelta(hours=2)  # the assignee hears this long before the target
UNFINISHED = (S.OPEN, S.ASSIGNED, S.IN_PROGRESS, S.REOPENED)


def watch_deadlines(*, now: datetime | None = None) -> dict[str, int]:
    """Warn assignees of resolution targets near, and tell managers of targets missed (the
    first answer, the resolution): once per target.

    Each ticket is claimed by a conditional update before its message is queued, so two
    runs at once, or a run every few minutes, never send the same warning twice.
    """
    now = now or timezone.now()
    counts = {"warned": 0, "unanswered": 0, "escalated": 0}
    near = Ticket.objects.filter(
        status__in=UNFINISHED,
        assignee__isnull=False,
        warned_at__isnull=True,
        resolution_due__gt=now,
        resolution_due__lte=now + WARN_BEFORE,
    ).select_related("assignee")
    for ticket in near:
        assignee = ticket.assignee
        with tenant_atomic():
            claimed = Ticket.objects.filter(pk=ticket.pk, warned_at__isnull=True).update(
                warned_at=now
            )
            if not claimed or assignee is None:
                continue
            notify(
                recipient=assignee,
                template="ticket_due_soon",
                context={**_about(ticket), "due": ticket.resolution_due},
            )
        counts["warned"] += 1
    managers = list(active_managers())
    unanswered = Ticket.objects.filter(
        status__in=UNFINISHED,
        first_response_at__isnull=True,
        unanswered_at__isnull=True,
        response_due__lte=now,
    )
    counts["unanswered"] = _escalate(
        unanswered, "unanswered_at", "ticket_unanswered", managers, now
    )
    late = Ticket.objects.filter(
        status__in=UNFINISHED, escalated_at__isnull=True, resolution_due__lte=now
    )
    counts["escalated"] = _escalate(late, "escalated_at", "ticket_breached", managers, now)
    return counts


def _escalate(
    tickets: QuerySet[Ticket], mark: str, template: str, managers: list[User], now: datetime
) -> int:
    """Tell the managers of each ticket that missed a target, claiming it by ``mark`` first
    (a conditional update) so that each miss is told once; how many were told."""
    told = 0
    for ticket in tickets.select_related("assignee"):
        with tenant_atomic():
            if not Ticket.objects.filter(pk=ticket.pk, **{f"{mark}__isnull": True}).update(
                **{mark: now}
            ):
                continue
            who = ticket.assignee.name if ticket.assignee else "-"
            for manager in managers:
                notify(
                    recipient=manager,
                    template=template,
                    context={**_about(ticket), "assignee": who},
                )
        told += 1
    return told


POOR = 2  # a rating at or below this flags the ticket for the manager


def rate_ticket(*, ticket: Ticket, actor: User, stars: int, comment: str = "") -> Ticket:
    """The reporter rates the work once it is resolved; a poor rating flags the ticket."""
    if not 1 <= stars <= 5:
        raise ValidationError({"stars": [_("Rate from 1 to 5.")]})
    with tenant_atomic():
        ticket = Ticket.objects.select_for_update().get(pk=ticket.pk)
        if REPORTER not in _kinds(ticket, actor):
            raise PermissionDenied(_("Only the person who reported it rates the work."))
        if ticket.status not in (S.RESOLVED, S.CLOSED):
            raise StateConflict(_("Rate the work once it is resolved."), code="ticket_not_resolved")
        if ticket.rating is not None:
            raise StateConflict(_("This ticket is rated already."), code="ticket_already_rated")
        ticket.rating, ticket.rating_comment = stars, comment.strip()[:500]
        ticket.flagged = stars <= POOR
        ticket.save(update_fields=["rating", "rating_comment", "flagged", "updated_at"])
        _record(ticket, actor, ticket.status, ticket.status, f"★{stars} {comment}", timezone.now())
    return ticket


def close_resolved(*, now: datetime | None = None) -> int:
    """Close tickets resolved more than the configured days ago with no answer; how many."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=HelpdeskSettings.current().auto_close_days)
    closed = 0
    for ticket in Ticket.objects.filter(status=S.RESOLVED, resolved_at__lte=cutoff):
        try:
            move_ticket(
                ticket=ticket, to=S.CLOSED, actor=None, note=_("Closed: no answer."), now=now
            )
        except StateConflict:
            continue  # reopened a moment ago: it stays open
        closed += 1
    return closed

"""Incidents: reported from a phone once per ``client_id``; a major or critical one told to
the managers at once (past quiet hours); followed up open → investigating → closed with
notes, the actions taken and maybe a helpdesk ticket, each step kept; a month summed up."""

from __future__ import annotations

import uuid
from collections import Counter
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db import IntegrityError
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from klustera.accounts.models import User
from klustera.accounts.selectors import active_managers
from klustera.audit.services import record
from klustera.errors import StateConflict
from klustera.helpdesk.models import Ticket
from klustera.notifications.services import notify
from klustera.operations.models import Incident, IncidentEvent, IncidentPhoto, IncidentSummary
from klustera.operations.services.common import is_skewed, local_zone, refuse
from klustera.tenancy.context import tenant_atomic
from klustera.tenancy.links import tenant_url
from klustera.uploads import clean_photos

S = Incident.Status
# Where an incident may go from each status; the same status again adds a note.
MOVES = {
    S.OPEN: {S.OPEN, S.INVESTIGATING, S.CLOSED},
    S.INVESTIGATING: {S.INVESTIGATING, S.CLOSED},
    S.CLOSED: {S.INVESTIGATING},  # reopened
}


def report_incident(
    *,
    reporter: User,
    client_id: uuid.UUID,
    device_time: datetime,
    sent_at: datetime | None = None,
    kind: str,
    severity: str,
    occurred_at: datetime,
    location: str,
    description: str,
    people: str = "",
    latitude: Decimal | None = None,
    longitude: Decimal | None = None,
    photos: list[Any] | None = None,
) -> tuple[Incident, bool]:
    """Store a report and whether it is new: the same ``client_id`` again returns what was
    stored. A major or critical incident is told to every manager at once, by WhatsApp and
    push, past quiet hours, in the same transaction."""
    stored = Incident.objects.filter(client_id=client_id).first()
    if stored is not None:
        return stored, False
    if not description.strip():
        raise refuse("description", _("Say what happened."), "required")
    if not location.strip():
        raise refuse("location", _("Say where it happened."), "required")
    cleaned = clean_photos(photos or [])
    received = timezone.now()
    try:
        with tenant_atomic():
            incident = Incident.objects.create(
                kind=kind,
                severity=severity,
                occurred_at=occurred_at,
                location=location.strip()[:120],
                latitude=latitude,
                longitude=longitude,
                description=description.strip()[:4000],
                people=people.strip()[:1000],
                reported_by=reporter,
                reported_at=device_time,
                received_at=received,
                clock_skewed=is_skewed(sent_at or device_time, received),
                client_id=client_id,
            )
            IncidentPhoto.objects.bulk_create(
                IncidentPhoto(incident=incident, image=full, thumbnail=small)
                for full, small in cleaned
            )
            IncidentEvent.objects.create(
                incident=incident, to_status=S.OPEN, actor=reporter, actor_label=str(reporter)
            )
            if incident.is_urgent:
                _tell_managers(incident)
    except IntegrityError:  # sent twice at once: what the first stored
        return Incident.objects.get(client_id=client_id), False
    return incident, True


def _tell_managers(incident: Incident) -> None:
    when = date_format(timezone.localtime(incident.occurred_at, local_zone()), "j M H:i")
    for manager in active_managers():
        notify(
            recipient=manager,
            template="incident_urgent",
            context={
                "severity": incident.get_severity_display(),
                "kind": incident.get_kind_display(),
                "where": incident.location,
                "when": when,
                "link": tenant_url("incident-page", pk=incident.pk),
            },
        )


def follow_up_incident(
    *,
    incident: Incident,
    actor: User,
    status: str,
    note: str = "",
    actions: str = "",
    ticket: Ticket | None = None,
) -> Incident:
    """Move the incident (or, to its own status, add a note), with what was done; closing
    needs a word on the outcome. The step is kept in the history and audited."""
    with tenant_atomic():
        incident = Incident.objects.select_for_update().get(pk=incident.pk)
        if status not in MOVES[S(incident.status)]:
            raise StateConflict(
                _("An incident that is %(status)s cannot become %(to)s.")
                % {"status": incident.get_status_display(), "to": S(status).label},
                code="bad_transition",
            )
        if status == S.CLOSED and not (note.strip() or actions.strip()):
            raise refuse("note", _("Say how it ended before closing it."), "required")
        if status == incident.status and not (note.strip() or actions.strip() or ticket):
            raise refuse("note", _("Write a note."), "required")
        before = incident.status
        incident.status = status
        incident.closed_at = timezone.now() if status == S.CLOSED else None
        if ticket is not None:
            incident.ticket = ticket
        incident.save()
        IncidentEvent.objects.create(
            incident=incident,
            from_status=before,
            to_status=status,
            note=note.strip()[:2000],
            actions=actions.strip()[:2000],
            actor=actor,
            actor_label=str(actor),
        )
        record(
            actor=actor,
            action="incident.followed_up",
            target=incident,
            from_status=before,
            to_status=status,
            ticket=ticket.pk if ticket else None,
        )
    return incident


def incident_counts(first: date, last: date) -> dict[str, Counter[str]]:
    """The incidents that happened from ``first`` to ``last`` (local days), counted by
    severity, by kind and by status."""
    zone = local_zone()
    since = datetime.combine(first, datetime.min.time(), zone)
    until = datetime.combine(last, datetime.max.time(), zone)
    rows = Incident.objects.filter(occurred_at__gte=since, occurred_at__lte=until)
    fields = rows.values_list("severity", "kind", "status")
    counts: dict[str, Counter[str]] = {
        "severity": Counter(),
        "kind": Counter(),
        "status": Counter(),
    }
    for severity, kind, status in fields:
        counts["severity"][severity] += 1
        counts["kind"][kind] += 1
        counts["status"][status] += 1
    return counts


def send_incident_summary(*, month: date) -> bool:
    """The month's incidents summed up for the managers, once per month (a second run finds
    it sent). Whether it was sent now."""
    first = month.replace(day=1)
    last = (first.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
    label = f"{first:%Y-%m}"
    counts = incident_counts(first, last)
    total = sum(counts["severity"].values())
    try:
        with tenant_atomic():
            IncidentSummary.objects.create(month=first, total=total)
            _send_summary(first, label, counts, total)
    except IntegrityError:  # sent already (an earlier run, another worker)
        return False
    return True


def _send_summary(first: date, label: str, counts: dict[str, Counter[str]], total: int) -> None:
    for manager in active_managers():
        notify(
            recipient=manager,
            template="incident_summary",
            context={
                "month": date_format(first, "F Y"),
                "total": str(total),
                "urgent": str(counts["severity"]["major"] + counts["severity"]["critical"]),
                "open": str(counts["status"]["open"] + counts["status"]["investigating"]),
                "link": f"{tenant_url('incidents-page')}?month={label}",
            },
        )

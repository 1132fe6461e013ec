"""Patrols: checkpoints with their signed stickers, routes walked in rounds, a guard's scan
stored once however often the phone sends it, and each round judged when its time is up,
a miss told once to the guard on duty and the managers."""

from __future__ import annotations

import base64
import hmac
import logging
import math
import uuid
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db import IntegrityError
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.formats import time_format
from django.utils.translation import gettext as _

from klustera.accounts.models import User
from klustera.accounts.selectors import active_managers
from klustera.audit.services import record
from klustera.notifications.services import notify
from klustera.operations.models import (
    Checkpoint,
    PatrolRound,
    PatrolRoute,
    PatrolScan,
    RouteStop,
    Shift,
)
from klustera.operations.schedules import route_starts
from klustera.operations.services.common import is_skewed, local_zone, refuse, save_fields
from klustera.roles import Role
from klustera.tenancy.context import current_tenant, tenant_atomic
from klustera.tenancy.links import tenant_url

log = logging.getLogger(__name__)

# --- The sticker's token: the complex and the checkpoint, signed ----------------------

STICKER_SALT = "klustera.operations.checkpoint"
STICKER_PREFIX = "KP1"


def _signature(slug: str, pk: int) -> str:
    digest = salted_hmac(STICKER_SALT, f"{slug}.{pk}", algorithm="sha256").digest()
    return base64.b32encode(digest[:10]).decode()  # 16 letters and digits: typeable


def checkpoint_token(checkpoint: Checkpoint) -> str:
    """What the sticker's QR holds (and prints, to type where there is no camera):
    ``KP1.<complex>.<checkpoint>.<signature>``."""
    slug = _slug()
    return f"{STICKER_PREFIX}.{slug}.{checkpoint.pk}.{_signature(slug, checkpoint.pk)}"


def _slug() -> str:
    tenant = current_tenant()
    if tenant is None:
        raise ValueError("A checkpoint belongs to a complex: select one first")
    return str(tenant.slug)


def read_token(token: str, guard: User) -> Checkpoint:
    """The checkpoint a sticker names. An altered or made-up token, one of another complex
    or of a checkpoint no longer in use is refused (and the attempt logged and audited,
    without the token)."""
    parts = token.strip().split(".")
    here = _slug()
    reason = ""
    if len(parts) != 4 or parts[0].upper() != STICKER_PREFIX or not parts[2].isdigit():
        reason = "malformed"
    elif not hmac.compare_digest(parts[3].upper(), _signature(parts[1].lower(), int(parts[2]))):
        reason = "bad_signature"
    elif parts[1].lower() != here:
        reason = "other_complex"
    if not reason:
        checkpoint = Checkpoint.objects.filter(pk=int(parts[2]), is_active=True).first()
        if checkpoint is not None:
            return checkpoint
        reason = "unknown_checkpoint"
    log.warning("patrol.token_refused", extra={"reason": reason, "guard": guard.pk})
    with tenant_atomic():
        record(actor=guard, action="patrol.token_refused", reason=reason)
    message = (
        _("This sticker belongs to another complex.")
        if reason == "other_complex"
        else _("This is not one of our checkpoint stickers.")
    )
    raise refuse(
        "token", message, "foreign_checkpoint" if reason == "other_complex" else "bad_token"
    )


# --- The manager's side: checkpoints and routes ----------------------------------------

CHECKPOINT_FIELDS = ("name", "description", "latitude", "longitude", "radius_m", "is_active")


def save_checkpoint(*, checkpoint: Checkpoint | None, actor: User, **fields: Any) -> Checkpoint:
    """Add or change a checkpoint (its sticker stays valid). A position needs both its
    latitude and its longitude. Audited."""
    if (fields.get("latitude") is None) != (fields.get("longitude") is None):
        raise refuse(
            "longitude", _("Give both latitude and longitude, or neither."), "half_position"
        )
    with tenant_atomic():
        is_new = checkpoint is None
        checkpoint = save_fields(checkpoint or Checkpoint(), fields)
        record(
            actor=actor,
            action="checkpoint.added" if is_new else "checkpoint.changed",
            target=checkpoint,
            name=checkpoint.name,
        )
    return checkpoint


ROUTE_FIELDS = (
    "name",
    "ordered",
    "at",
    "every_hours",
    "until",
    "minutes",
    "starts_on",
    "is_active",
)


def save_route(
    *, route: PatrolRoute | None, actor: User, checkpoints: list[Checkpoint], **fields: Any
) -> PatrolRoute:
    """Add or change a route: its checkpoints in their order and its schedule. Rounds
    already made keep their times. Audited."""
    if not checkpoints:
        raise refuse("checkpoints", _("Choose the route's checkpoints."), "no_checkpoints")
    if len({c.pk for c in checkpoints}) != len(checkpoints):
        raise refuse("checkpoints", _("Each checkpoint once."), "repeated_checkpoint")
    with tenant_atomic():
        is_new = route is None
        route = save_fields(route or PatrolRoute(), fields)
        route.stops.all().delete()
        RouteStop.objects.bulk_create(
            RouteStop(route=route, checkpoint=c, position=n) for n, c in enumerate(checkpoints)
        )
        record(
            actor=actor,
            action="patrol_route.added" if is_new else "patrol_route.changed",
            target=route,
            name=route.name,
            checkpoints=[c.pk for c in checkpoints],
        )
    return route


# --- The guard's scan -----------------------------------------------------------------

EARTH_M = 6_371_000


def distance_m(lat1: Decimal, lon1: Decimal, lat2: Decimal, lon2: Decimal) -> int:
    """Metres between two points (haversine; a few metres off at a complex's scale)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return round(2 * EARTH_M * math.asin(math.sqrt(a)))


def scan_checkpoint(
    *,
    guard: User,
    token: str,
    client_id: uuid.UUID,
    scanned_at: datetime,
    sent_at: datetime | None = None,
    latitude: Decimal | None = None,
    longitude: Decimal | None = None,
    accuracy: int | None = None,
) -> tuple[PatrolScan, bool]:
    """Store a guard's scan of a sticker, and whether it is new: the same ``client_id`` again
    (a replay from an offline phone, a double tap) returns what was stored. A scan far from
    the checkpoint (beyond its radius, give or take the phone's accuracy up to the radius)
    or with a far-off clock is stored and flagged."""
    stored = PatrolScan.objects.filter(client_id=client_id).first()
    if stored is not None:
        return stored, False
    checkpoint = read_token(token, guard)
    received = timezone.now()
    distance = None
    if None not in (latitude, longitude, checkpoint.latitude, checkpoint.longitude):
        distance = distance_m(checkpoint.latitude, checkpoint.longitude, latitude, longitude)  # type: ignore[arg-type]
    slack = min(accuracy or 0, checkpoint.radius_m)
    try:
        with tenant_atomic():
            scan = PatrolScan.objects.create(
                checkpoint=checkpoint,
                guard=guard,
                scanned_at=scanned_at,
                received_at=received,
                latitude=latitude,
                longitude=longitude,
                accuracy_m=accuracy,
                distance_m=distance,
                far=distance is not None and distance > checkpoint.radius_m + slack,
                clock_skewed=is_skewed(sent_at or scanned_at, received),
                client_id=client_id,
            )
    except IntegrityError:  # the same scan, sent twice at once: what the first stored
        return PatrolScan.objects.get(client_id=client_id), False
    return scan, True


# --- Rounds: made from the routes' schedules, judged when their time is up -----------


def make_rounds(*, day: date) -> int:
    """The rounds of the active routes starting on the local ``day``; a round already made
    is left as it is. How many were made."""
    zone = local_zone()
    rounds = [
        PatrolRound(
            route=route,
            starts_at=start,
            due_at=start + timedelta(minutes=route.minutes),
            closes_at=start + timedelta(minutes=2 * route.minutes),
        )
        for route in PatrolRoute.objects.filter(is_active=True, starts_on__lte=day)
        for start in route_starts(route, day, zone)
    ]
    with tenant_atomic():
        before = PatrolRound.objects.count()
        PatrolRound.objects.bulk_create(rounds, ignore_conflicts=True)
        return PatrolRound.objects.count() - before


def first_scans(patrol_round: PatrolRound) -> dict[int, PatrolScan]:
    """Each of the round's checkpoints' first scan within the round's time (to its close)."""
    stops = [stop.checkpoint_id for stop in patrol_round.route.stops.all()]
    scans = PatrolScan.objects.filter(
        checkpoint_id__in=stops,
        scanned_at__gte=patrol_round.starts_at,
        scanned_at__lt=patrol_round.closes_at,
    ).select_related("guard")
    first: dict[int, PatrolScan] = {}
    for scan in scans.order_by("scanned_at", "pk"):
        first.setdefault(scan.checkpoint_id, scan)
    return first


def check_rounds(*, now: datetime | None = None) -> int:
    """Judge the rounds whose time is up: every checkpoint scanned in time is on time; a
    checkpoint missing when the round is due is told once (to the guards on duty at once,
    to the managers after quiet hours), and at the round's close the round is late or
    incomplete. How many rounds were told about."""
    now = now or timezone.now()
    told = 0
    due = PatrolRound.objects.filter(status=PatrolRound.Status.PENDING, due_at__lte=now)
    for pk in due.values_list("pk", flat=True):
        with tenant_atomic():
            patrol_round = (
                PatrolRound.objects.select_for_update()
                .select_related("route")
                .filter(pk=pk, status=PatrolRound.Status.PENDING)
                .first()
            )
            if patrol_round is not None:
                told += _judge(patrol_round, now)
    return told


def _judge(patrol_round: PatrolRound, now: datetime) -> bool:
    stops = list(patrol_round.route.stops.select_related("checkpoint"))
    first = first_scans(patrol_round)
    in_time = [
        s
        for s in stops
        if s.checkpoint_id in first and first[s.checkpoint_id].scanned_at < patrol_round.due_at
    ]
    closed = now >= patrol_round.closes_at
    if len(in_time) == len(stops):
        patrol_round.status = PatrolRound.Status.ON_TIME
    elif closed:
        missing = [s.checkpoint.name for s in stops if s.checkpoint_id not in first]
        patrol_round.missed = missing
        patrol_round.status = PatrolRound.Status.INCOMPLETE if missing else PatrolRound.Status.LATE
    if patrol_round.route.ordered:
        walked = sorted(first.values(), key=lambda scan: scan.scanned_at)
        order = [scan.checkpoint_id for scan in walked]
        patrol_round.out_of_order = order != [
            s.checkpoint_id for s in stops if s.checkpoint_id in first
        ]
    tell = patrol_round.alerted_at is None and len(in_time) < len(stops)
    tell = tell and (not closed or patrol_round.status == PatrolRound.Status.INCOMPLETE)
    if tell:
        late = [s.checkpoint.name for s in stops if s not in in_time]
        _tell_missed(patrol_round, late)
        patrol_round.alerted_at = now
    patrol_round.save()
    return tell


def guards_on_duty() -> list[User]:
    """Security staff checked in and not yet out."""
    shifts = Shift.objects.filter(
        ended_at__isnull=True, user__is_active=True, user__groups__name=Role.SECURITY_STAFF
    )
    return [shift.user for shift in shifts.select_related("user")]


def _tell_missed(patrol_round: PatrolRound, checkpoints: list[str]) -> None:
    """A miss told through the outbox, in the same transaction that marks it told."""
    zone = local_zone()
    context = {
        "route": patrol_round.route.name,
        "when": time_format(patrol_round.starts_at.astimezone(zone), "H:i"),
        "checkpoints": ", ".join(checkpoints),
    }
    night = patrol_round.starts_at.astimezone(zone) - timedelta(hours=12)
    for guard in guards_on_duty():
        notify(
            recipient=guard,
            template="patrol_missed_on_duty",
            context={**context, "link": tenant_url("patrol-page")},
        )
    for manager in active_managers():
        notify(
            recipient=manager,
            template="patrol_missed",
            context={
                **context,
                "link": f"{tenant_url('patrol-night-page')}?night={night:%Y-%m-%d}",
            },
        )

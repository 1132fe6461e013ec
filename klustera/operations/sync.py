"""The offline sync API: a staff phone's queued entries, sent in one batch when it is back
online, each stored once per ``client_id`` and answered one by one.

An entry is ``{"type": …, "client_id": …, <the type's fields>}``; the types are the same
writes the phone makes online (a gate's answer, a walk-in, an exit, a parcel, a patrol scan,
a task's completion, an incident, a shift's check-in or -out), checked by the same
serializers and stored by the same services. A walk-in offline is one the guard decided
(the unit could not be asked). Each entry is its own transaction: a malformed or refused
entry is answered ``refused`` with a stable code and the rest of the batch is stored. A
replayed entry is answered ``duplicate`` with what was stored. The device's clock is judged
by the batch's ``sent_at``, not by how long an entry waited in the queue. An entry with
photos goes to its multipart endpoint instead (``sent_at`` in its form), idempotent per
``client_id`` too.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from klustera.access.api import ExitRequest, NewParcelJson, NewWalkInJson
from klustera.access.models import AccessLog, Parcel
from klustera.access.services import (
    log_parcel,
    record_exit,
    record_offline_check,
    record_offline_walk_in,
)
from klustera.accounts.models import User
from klustera.api import (
    DeviceIdField,
    IdField,
    MomentField,
    RejectUnknownFields,
    codes_of,
    ok,
    user_of,
    validated,
)
from klustera.estate.models import Unit
from klustera.operations.api import Attendance, Completion, NewIncidentJson, Scan
from klustera.operations.models import Shift, Task
from klustera.operations.selectors import access_task
from klustera.operations.services.incidents import report_incident
from klustera.operations.services.patrols import scan_checkpoint
from klustera.operations.services.shifts import check_in, check_out
from klustera.operations.services.tasks import complete_task
from klustera.permissions import IsStaffOrManager
from klustera.roles import guards_the_gate, is_manager, is_staff_member

MAX_ENTRIES = 500  # per batch; the rest are refused ``too_many`` and sent again next time


class Batch(RejectUnknownFields, serializers.Serializer):
    sent_at = MomentField(help_text="the device's time when it sent the batch")
    device = serializers.CharField(max_length=64, required=False, allow_blank=True)
    entries = serializers.ListField(
        child=serializers.JSONField(allow_null=True),  # a malformed entry is refused alone
        help_text=f"up to {MAX_ENTRIES} entries, the oldest first: each "
        '{"type": …, "client_id": …} and the fields of its online endpoint\'s body',
    )


class GateCheck(RejectUnknownFields, serializers.Serializer):
    client_id = DeviceIdField()
    device_time = MomentField(help_text="when the device answered")
    payload = serializers.CharField(max_length=2000, help_text="the pass scanned or code typed")
    answer = serializers.ChoiceField(AccessLog.Result.choices, help_text="what the device said")
    gate = serializers.CharField(max_length=40)
    plate = serializers.CharField(max_length=30, required=False, allow_blank=True)


class WalkInEntry(NewWalkInJson):
    client_id = DeviceIdField()
    device_time = MomentField(help_text="when the guard decided")
    allowed = serializers.BooleanField(help_text="the guard's decision (the unit was not asked)")


class ExitEntry(ExitRequest):
    client_id = DeviceIdField()
    device_time = MomentField(help_text="when the visitor left")


class ParcelEntry(NewParcelJson):
    client_id = DeviceIdField()
    device_time = MomentField(help_text="when the parcel was left at the gate")


class TaskCompletion(Completion):
    task = IdField()
    photos = None  # type: ignore[assignment]  # a completion with photos: the multipart endpoint
    sent_at = None  # type: ignore[assignment]  # the batch's


class EntryOut(serializers.Serializer):
    client_id = serializers.CharField(allow_null=True)
    type = serializers.CharField(allow_null=True)
    status = serializers.ChoiceField(["stored", "duplicate", "refused"])
    id = serializers.IntegerField(required=False, help_text="what was stored")
    flags = serializers.ListField(
        child=serializers.CharField(),
        required=False,
        help_text="conflict, cancelled, disputed (a gate's answer), far, clock_skewed",
    )
    code = serializers.CharField(required=False, help_text="why it was refused")
    details = serializers.DictField(required=False, help_text="the messages, field by field")


class BatchOut(serializers.Serializer):
    stored = serializers.IntegerField()
    duplicates = serializers.IntegerField()
    refused = serializers.IntegerField()
    entries = EntryOut(many=True)


Stored = tuple[Any, bool, list[str]]  # what was stored, whether it is new, its flags


def _skewed(skewed: bool) -> list[str]:
    return ["clock_skewed"] if skewed else []


def _gate_check(user: User, data: dict[str, Any], sent_at: datetime, device: str) -> Stored:
    log, new = record_offline_check(
        guard=user,
        checked_at=data.pop("device_time"),
        sent_at=sent_at,
        device=device,
        **data,
    )
    return log, new, [log.flag] * bool(log.flag) + _skewed(log.clock_skewed)


def _walk_in(user: User, data: dict[str, Any], sent_at: datetime, device: str) -> Stored:
    unit = get_object_or_404(Unit, pk=data.pop("unit"))
    walk_in, new = record_offline_walk_in(guard=user, unit=unit, sent_at=sent_at, **data)
    return walk_in, new, _skewed(bool(walk_in.log and walk_in.log.clock_skewed))


def _exit(user: User, data: dict[str, Any], sent_at: datetime, device: str) -> Stored:
    new = not AccessLog.objects.filter(client_id=data["client_id"]).exists()
    entry = get_object_or_404(AccessLog, pk=data.pop("entry"))
    log = record_exit(entry=entry, guard=user, sent_at=sent_at, **data)
    return log, new, _skewed(log.clock_skewed)


def _parcel(user: User, data: dict[str, Any], sent_at: datetime, device: str) -> Stored:
    new = not Parcel.objects.filter(client_id=data["client_id"]).exists()
    unit = get_object_or_404(Unit, pk=data.pop("unit"))
    return log_parcel(guard=user, unit=unit, **data), new, []


def _patrol_scan(user: User, data: dict[str, Any], sent_at: datetime, device: str) -> Stored:
    scan, new = scan_checkpoint(guard=user, sent_at=sent_at, **data)
    return scan, new, ["far"] * scan.far + _skewed(scan.clock_skewed)


def _task_completion(user: User, data: dict[str, Any], sent_at: datetime, device: str) -> Stored:
    new = not Task.objects.filter(client_id=data["client_id"]).exists()
    task = access_task(user, data.pop("task"))
    task = complete_task(task=task, actor=user, sent_at=sent_at, **data)
    return task, new, _skewed(task.clock_skewed)


def _incident(user: User, data: dict[str, Any], sent_at: datetime, device: str) -> Stored:
    incident, new = report_incident(reporter=user, sent_at=sent_at, **data)
    return incident, new, _skewed(incident.clock_skewed)


def _shift(service: Callable[..., Shift], field: str) -> Callable[..., Stored]:
    def store(user: User, data: dict[str, Any], sent_at: datetime, device: str) -> Stored:
        new = not Shift.objects.filter(**{field: data["client_id"]}).exists()
        shift = service(user=user, sent_at=sent_at, **data)
        return shift, new, _skewed(shift.clock_skewed)

    return store


@dataclass(frozen=True)
class EntryType:
    serializer: type[serializers.Serializer]
    allowed: Callable[[Any], bool]
    store: Callable[[User, dict[str, Any], datetime, str], Stored]


def _staff_or_manager(user: Any) -> bool:
    return is_staff_member(user) or is_manager(user)


ENTRY_TYPES = {
    "gate_check": EntryType(GateCheck, guards_the_gate, _gate_check),
    "walk_in": EntryType(WalkInEntry, guards_the_gate, _walk_in),
    "exit": EntryType(ExitEntry, guards_the_gate, _exit),
    "parcel": EntryType(ParcelEntry, guards_the_gate, _parcel),
    "patrol_scan": EntryType(Scan, guards_the_gate, _patrol_scan),
    "task_completion": EntryType(TaskCompletion, _staff_or_manager, _task_completion),
    "incident": EntryType(NewIncidentJson, _staff_or_manager, _incident),
    "shift_check_in": EntryType(Attendance, is_staff_member, _shift(check_in, "start_client_id")),
    "shift_check_out": EntryType(Attendance, is_staff_member, _shift(check_out, "end_client_id")),
}


class EntryIn(serializers.Serializer):
    """One entry of a batch; its other fields are its type's (the online endpoint's body)."""

    type = serializers.ChoiceField(list(ENTRY_TYPES))
    client_id = DeviceIdField()


def sync_batch(*, user: User, sent_at: datetime, entries: list[Any], device: str = "") -> dict:
    """Store each entry of a batch on its own and answer for each, in the batch's order."""
    answers = [
        _sync_entry(user, entry, sent_at, device)
        if index < MAX_ENTRIES
        else _refused(entry, "too_many", {"detail": [str(_("Too many entries: send again."))]})
        for index, entry in enumerate(entries)
    ]
    statuses = [answer["status"] for answer in answers]
    return {
        "stored": statuses.count("stored"),
        "duplicates": statuses.count("duplicate"),
        "refused": statuses.count("refused"),
        "entries": answers,
    }


def _sync_entry(user: User, entry: Any, sent_at: datetime, device: str) -> dict[str, Any]:
    head = EntryIn(data=entry if isinstance(entry, dict) else {})
    if not head.is_valid():
        return _refused(entry, "invalid", head.errors)
    kind = ENTRY_TYPES[head.validated_data["type"]]
    if not kind.allowed(user):
        return _refused(entry, "forbidden", {"detail": [str(_("Not for your role."))]})
    fields = {name: value for name, value in entry.items() if name != "type"}
    checked = kind.serializer(data=fields)
    if not checked.is_valid():
        return _refused(entry, "invalid", checked.errors)
    try:
        stored, new, flags = kind.store(user, dict(checked.validated_data), sent_at, device)
    except Http404:
        return _refused(entry, "not_found", {"detail": [str(_("Not found."))]})
    except DjangoValidationError as exc:
        codes = codes_of(exc)
        first = next((code for found in codes.values() for code in found), "invalid")
        messages = exc.message_dict if hasattr(exc, "error_dict") else {"detail": exc.messages}
        return _refused(entry, first, messages)
    return {
        "client_id": str(head.validated_data["client_id"]),
        "type": head.validated_data["type"],
        "status": "stored" if new else "duplicate",
        "id": stored.pk,
        "flags": flags,
    }


def _refused(entry: Any, code: str, errors: Any) -> dict[str, Any]:
    known = entry if isinstance(entry, dict) else {}
    client_id, kind = known.get("client_id"), known.get("type")
    return {
        "client_id": client_id if isinstance(client_id, str) else None,
        "type": kind if isinstance(kind, str) else None,
        "status": "refused",
        "code": code,
        "details": errors,
    }


class SyncView(APIView):
    """A phone's queued entries after an outage (gate answers, walk-ins the guard decided,
    exits, parcels, patrol scans, task completions, incidents, shift check-ins and -outs),
    each stored once per
    ``client_id`` and answered in order: ``stored``, ``duplicate`` (sent before) or
    ``refused`` with a code (``invalid``, ``forbidden``, ``not_found``, ``too_many`` or
    the service's own). A gate's answer given offline is kept and judged again:
    ``conflict``, ``cancelled`` and ``disputed`` flags go to the manager's access log."""

    permission_classes = [IsStaffOrManager]

    @extend_schema(request=Batch, responses={200: BatchOut})
    def post(self, request: Request) -> Response:
        data = validated(Batch, request)
        return ok(sync_batch(user=user_of(request), **data))

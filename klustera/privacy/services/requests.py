"""Data-subject requests: taken, worked on and answered within 3 × 24 hours."""

from __future__ import annotations

import tempfile
from typing import TYPE_CHECKING

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import IntegrityError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from klustera.audit.services import record
from klustera.errors import StateConflict
from klustera.notifications.services import notify
from klustera.privacy.models import ANSWER_WITHIN, EXPORT_KEPT, DataRequest
from klustera.privacy.services.anonymise import anonymise, kept_notes
from klustera.privacy.services.export import write_export
from klustera.privacy.services.subjects import Subject
from klustera.roles import Role
from klustera.tasks import enqueue
from klustera.tenancy.context import on_commit, tenant_atomic
from klustera.tenancy.links import tenant_url

if TYPE_CHECKING:
    from klustera.accounts.models import User

EXPORT_TASK = "klustera.privacy.tasks.build_export"


def open_request(*, user: User, kind: str, details: str = "") -> DataRequest:
    """Take the person's request; the 3 × 24 hours start now. A copy of one's data is made on
    the queue at once; a restriction holds at once; the rest wait for a manager."""
    if kind not in DataRequest.Kind.values:
        raise ValidationError({"kind": [ValidationError(_("Unknown request."), code="invalid")]})
    if kind == DataRequest.Kind.CORRECTION and not details.strip():
        raise ValidationError(
            {"details": [ValidationError(_("Say what should be corrected."), code="required")]}
        )
    now = timezone.now()
    with tenant_atomic():
        try:
            with tenant_atomic():  # a savepoint: the unique open request decides
                request = DataRequest.objects.create(
                    user=user,
                    kind=kind,
                    details=details.strip(),
                    created_at=now,
                    due_at=now + ANSWER_WITHIN,
                )
        except IntegrityError:
            raise StateConflict(
                _("A request of this kind is already open."), code="request_already_open"
            ) from None
        if kind == DataRequest.Kind.ACCESS:
            request.status = DataRequest.Status.IN_PROGRESS
            request.save(update_fields=["status"])
            enqueue(EXPORT_TASK, request.pk)
        elif kind == DataRequest.Kind.RESTRICTION:
            _finish(request, actor=None, outcome=_("Only what billing and security need is sent."))
        else:
            _tell_managers(request)
        record(actor=user, action="privacy.request_opened", target=request, kind=kind)
    return request


def make_export(*, request: DataRequest) -> DataRequest:
    """Build the person's ZIP, keep it for 7 days and tell them where it is."""
    if request.kind != DataRequest.Kind.ACCESS or not request.is_open:
        return request  # already built (a retried task) or not a copy at all
    with tempfile.TemporaryFile(suffix=".zip") as spool:  # on disk: never all in memory
        counts = write_export(Subject.of(request.user), spool)
        spool.seek(0)
        with tenant_atomic():
            request = DataRequest.objects.select_for_update().get(pk=request.pk)
            if not request.is_open:
                return request
            request.export.save(f"data-{request.pk}.zip", File(spool), save=False)
            request.export_expires_at = timezone.now() + EXPORT_KEPT
            rows = sum(counts.values())
            _finish(request, actor=None, outcome=_("%(rows)d records exported.") % {"rows": rows})
            notify(
                recipient=request.user,
                template="data_export_ready",
                context={
                    "until": request.export_expires_at,
                    "link": tenant_url("privacy-page"),
                },
            )
    return request


def complete_request(*, request: DataRequest, actor: User, outcome: str) -> DataRequest:
    """A manager answers a correction or a deletion. A deletion anonymises the person now;
    what the books keep (an unpaid bill) is added to the outcome for the managers."""
    with tenant_atomic():
        request = _locked_open(request)
        if request.kind == DataRequest.Kind.DELETION:
            notes = kept_notes(request.user)
            subject = Subject.of(request.user)
            _drop_exports(subject)
            changed = anonymise(subject)
            outcome = " ".join([outcome.strip() or _("The person's data was anonymised."), *notes])
            _finish(request, actor=actor, outcome=outcome)
            record(
                actor=actor,
                action="privacy.person_anonymised",
                target=request,
                rows=sum(changed.values()),
                kept=bool(notes),
            )
        else:
            if not outcome.strip():
                raise ValidationError(
                    {"outcome": [ValidationError(_("Say what was done."), code="required")]}
                )
            _finish(request, actor=actor, outcome=outcome.strip())
            _tell_person(request)
            record(actor=actor, action="privacy.request_completed", target=request)
    return request


def reject_request(*, request: DataRequest, actor: User, reason: str) -> DataRequest:
    """Refuse a request, with the reason the person reads (UU PDP lets some be refused)."""
    if not reason.strip():
        raise ValidationError({"reason": [ValidationError(_("Give the reason."), code="required")]})
    with tenant_atomic():
        request = _locked_open(request)
        request.status = DataRequest.Status.REJECTED
        request.handled_by = actor
        request.completed_at = timezone.now()
        request.outcome = reason.strip()
        request.save(update_fields=["status", "handled_by", "completed_at", "outcome"])
        _tell_person(request)
        record(actor=actor, action="privacy.request_rejected", target=request)
    return request


def lift_restriction(*, user: User) -> int:
    """The person ends their restriction: messages of every kind may reach them again."""
    with tenant_atomic():
        lifted = DataRequest.objects.filter(
            user=user,
            kind=DataRequest.Kind.RESTRICTION,
            status=DataRequest.Status.COMPLETED,
            lifted_at__isnull=True,
        ).update(lifted_at=timezone.now(), updated_at=timezone.now())
        if lifted:
            record(actor=user, action="privacy.restriction_lifted", target=None)
    return lifted


def is_restricted(user_id: int) -> bool:
    return DataRequest.objects.filter(
        user_id=user_id,
        kind=DataRequest.Kind.RESTRICTION,
        status=DataRequest.Status.COMPLETED,
        lifted_at__isnull=True,
    ).exists()


def expire_exports() -> int:
    """Delete the copies whose 7 days are over."""
    expired = DataRequest.objects.filter(export_expires_at__lte=timezone.now()).exclude(export="")
    count = 0
    for request in expired:
        request.export.delete(save=False)
        request.save(update_fields=["export"])
        count += 1
    return count


def _locked_open(request: DataRequest) -> DataRequest:
    locked = DataRequest.objects.select_for_update().get(pk=request.pk)
    if not locked.is_open:
        raise StateConflict(_("This request was already answered."), code="request_closed")
    if locked.kind in (DataRequest.Kind.ACCESS, DataRequest.Kind.RESTRICTION):
        raise StateConflict(_("This request is answered by the system."), code="request_automatic")
    return locked


def _finish(request: DataRequest, *, actor: User | None, outcome: str) -> None:
    request.status = DataRequest.Status.COMPLETED
    request.handled_by = actor
    request.completed_at = timezone.now()
    request.outcome = outcome
    request.save()


def _drop_exports(subject: Subject) -> None:
    for request in DataRequest.objects.filter(user_id=subject.pk).exclude(export=""):
        name, storage = request.export.name, request.export.storage
        on_commit(lambda name=name, storage=storage: storage.delete(name))
        request.export = ""
        request.export_expires_at = None
        request.save(update_fields=["export", "export_expires_at"])


def _tell_person(request: DataRequest) -> None:
    with override(request.user.language):
        kind, status = request.get_kind_display(), request.get_status_display()
    notify(
        recipient=request.user,
        template="data_request_answered",
        context={
            "kind": str(kind),
            "status": str(status),
            "outcome": request.outcome,
            "link": tenant_url("privacy-page"),
        },
    )


def _tell_managers(request: DataRequest) -> None:
    managers = get_user_model()._default_manager.filter(
        groups__name=Role.PROPERTY_MANAGER, is_active=True
    )
    for manager in managers:
        with override(manager.language):
            kind = str(request.get_kind_display())
        notify(
            recipient=manager,
            template="data_request_received",
            context={
                "kind": kind,
                "due": request.due_at,
                "link": tenant_url("privacy-request", pk=request.pk),
            },
        )

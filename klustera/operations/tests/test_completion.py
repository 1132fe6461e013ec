"""A task completed from a phone: the checklist, notes and photos; a required photo; not
done with a reason; the same completion sent again, or twice at once, stored once; the
device's far-off clock flagged."""

from __future__ import annotations

import uuid
from datetime import date, datetime, time, timedelta
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.forms import ImageField
from django.utils import timezone

from klustera.accounts.tests.factories import UserFactory
from klustera.errors import StateConflict
from klustera.operations.models import Task, TaskTemplate
from klustera.operations.services import complete_task, generate_tasks
from klustera.payments.tests.test_manual import photo
from klustera.roles import Role
from klustera.tenancy.context import tenant_context
from tests.concurrency import at_once


def _task(**rules: Any) -> Task:
    TaskTemplate.objects.create(
        title="Bersihkan taman",
        checklist=["Sapu", "Siram", "Buang sampah"],
        at=time(7),
        starts_on=date(2026, 1, 1),
        **rules,
    )
    generate_tasks(day=timezone.localdate())
    return Task.objects.get()


def test_a_task_done_with_its_checklist_notes_and_photo(in_tenant_a, settings, tmp_path) -> None:
    settings.MEDIA_ROOT = tmp_path
    cleaner = UserFactory(phone="081300000051", roles=[Role.CLEANING_STAFF])
    task = _task(photo_required=True)
    sent = {"task": task, "actor": cleaner, "done": True, "device_time": timezone.now()}
    with pytest.raises(ValidationError) as refused:
        complete_task(client_id=uuid.uuid4(), **sent)
    assert refused.value.error_dict["photos"][0].code == "photo_required"
    one = uuid.uuid4()
    done = complete_task(
        client_id=one, checked=[0, 2], notes="Selesai", photos=[ImageField().clean(photo())], **sent
    )
    assert done.status == "done" and done.photos.count() == 1
    assert [item["done"] for item in done.checklist] == [True, False, True]
    again = complete_task(client_id=one, notes="lagi", **sent)  # the phone sent it twice
    assert again.pk == done.pk and again.notes == "Selesai" and again.photos.count() == 1
    with pytest.raises(StateConflict):
        complete_task(client_id=uuid.uuid4(), photos=[ImageField().clean(photo())], **sent)


def test_not_done_needs_a_reason_and_a_far_clock_is_flagged(in_tenant_a) -> None:
    guard = UserFactory(phone="081300000052", roles=[Role.SECURITY_STAFF])
    task = _task()
    late = timezone.now() - timedelta(hours=5)  # offline since the morning, clock right
    with pytest.raises(ValidationError):
        complete_task(task=task, actor=guard, done=False, client_id=uuid.uuid4(), device_time=late)
    skipped = complete_task(
        task=task,
        actor=guard,
        done=False,
        reason="Hujan deras",
        client_id=uuid.uuid4(),
        device_time=late,
    )
    assert (skipped.status, skipped.reason, skipped.completed_at) == (
        "not_done",
        "Hujan deras",
        late,
    )
    assert skipped.clock_skewed  # five hours off the server's receipt: kept, and flagged


def test_the_same_completion_twice_at_once_is_one(pg_scratch) -> None:
    """On PostgreSQL, two requests with one ``client_id`` at the same moment: one completion,
    and both answered with it."""
    with tenant_context(pg_scratch):
        cleaner = UserFactory(phone="081300000053", roles=[Role.CLEANING_STAFF])
        task = _task()
    one = uuid.uuid4()

    def send() -> int:
        return complete_task(
            task=task,
            actor=cleaner,
            done=True,
            client_id=one,
            device_time=datetime.now(tz=timezone.get_current_timezone()),
        ).pk

    answers = at_once(pg_scratch, [send, send])
    assert answers == [task.pk, task.pk]
    with tenant_context(pg_scratch):
        assert Task.objects.filter(client_id=one).count() == 1

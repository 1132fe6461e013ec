"""Tasks that failed their last attempt: kept for the operations page, retried from there."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import structlog
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from huey import signals as huey_signals

from klustera.observability.logs import scrub
from klustera.observability.models import FailedTask
from klustera.tasks import QUEUES, queue, tenant_of

logger = structlog.get_logger(__name__)
KEPT = timedelta(days=30)


def watch_failures() -> None:
    """Keep every queue's final failures (Huey's error signal with no retry left)."""
    for name in QUEUES:
        queue(name).signal(huey_signals.SIGNAL_ERROR)(_recorder(name))


def _recorder(queue_name: str) -> Any:
    def record(signal: str, task: Any, exc: BaseException | None = None, *args: Any) -> None:
        if task.retries:  # Huey tries it again
            return
        failed = FailedTask.objects.create(
            queue=queue_name,
            task=task.name,
            complex=tenant_of(task),
            error=f"{type(exc).__name__}: {scrub(str(exc))}"[:400] if exc else "?",
            message=queue(queue_name).serialize_task(task),
        )
        logger.warning("task.failed", queue=queue_name, task=task.name, failed_task=failed.pk)

    return record


def retry_failed_task(*, failed: FailedTask, operator_id: int) -> FailedTask:
    """Enqueue the task again, once: a second click (or a second operator) is refused."""
    now = timezone.now()
    unretried = FailedTask.objects.filter(pk=failed.pk, retried_at__isnull=True)
    if not unretried.update(retried_at=now, updated_at=now):
        raise ValidationError(_("This task was already retried."), code="already_retried")
    failed.retried_at = now
    huey = queue(failed.queue)
    huey.enqueue(huey.deserialize_task(bytes(failed.message)))
    logger.info("task.retried", task=failed.task, failed_task=failed.pk, operator=operator_id)
    return failed


def forget_old_failures() -> int:
    """Failures older than 30 days go; their errors were logged when they happened."""
    deleted, _count = FailedTask.objects.filter(created_at__lt=timezone.now() - KEPT).delete()
    return deleted

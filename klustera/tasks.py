"""Background work on named Huey queues; every tenant task carries its tenant.

Queues: ``default``, ``billing``, ``notifications``, ``email``, ``sms``. In the
embedded default they share one SQLite file under ``var/``; with ``REDIS_URL``
set each is a Redis queue. ``klustera worker`` consumes them.

A task declared with :func:`tenant_task` is enqueued with the current
tenant's slug as its first argument and runs inside ``tenant_context`` of that
tenant. Enqueueing one with no tenant selected raises ``NoTenantSelected``.
"""

from __future__ import annotations

import functools
import logging
import time
from collections.abc import Callable
from importlib import import_module
from typing import Any

import structlog
from django.conf import settings
from huey import RedisHuey, SqliteHuey
from huey.api import Huey, Result, TaskWrapper

from klustera.tenancy.context import current_alias, current_tenant, on_commit, tenant_context
from klustera.tenancy.models import Tenant

logger = logging.getLogger(__name__)

# ``documents`` renders PDFs (slow, in bulk after a billing run) apart from ``billing``,
# so payment callbacks never wait behind a run's PDFs.
QUEUES = ("default", "billing", "documents", "notifications", "email", "sms")


@functools.cache
def queue(name: str) -> Huey:
    """The Huey instance of a named queue."""
    if name not in QUEUES:
        raise ValueError(f"Unknown queue '{name}'; queues are {', '.join(QUEUES)}.")
    immediate = bool(settings.TASKS_IMMEDIATE)
    if settings.REDIS_URL:
        return RedisHuey(name=f"klustera.{name}", url=settings.REDIS_URL, immediate=immediate)
    settings.QUEUE_DATABASE.parent.mkdir(parents=True, exist_ok=True)
    return SqliteHuey(name=name, filename=str(settings.QUEUE_DATABASE), immediate=immediate)


class TenantTask:
    """A task that always runs for the tenant that enqueued it."""

    def __init__(self, func: Callable[..., Any], wrapper: TaskWrapper) -> None:
        self.func = func
        self.wrapper = wrapper
        functools.update_wrapper(self, func)

    def __call__(self, *args: Any, **kwargs: Any) -> Result | None:
        """Enqueue for the current tenant now."""
        return self.wrapper(_current_slug(), *args, _log=_log_context(), **kwargs)

    def on_commit(self, *args: Any, **kwargs: Any) -> None:
        """Enqueue for the current tenant once its open transaction commits.

        The tenant is fixed now: the commit may happen after this context ends.
        """
        slug, log = _current_slug(), _log_context()
        on_commit(lambda: self.wrapper(slug, *args, _log=log, **kwargs))


def _log_context() -> dict[str, Any]:
    """What travels with the task: when it was enqueued (the operations page's oldest waiting
    task), and for its log lines the request id, so a payment's callback, its processing and
    its receipt share one."""
    context = structlog.contextvars.get_contextvars()
    travelling: dict[str, Any] = {ENQUEUED_AT: time.time()}
    if "request_id" in context:
        travelling["request_id"] = str(context["request_id"])
    return travelling


ENQUEUED_AT = "enqueued_at"


def _for_log_lines(travelling: dict[str, Any] | None) -> dict[str, Any]:
    return {k: v for k, v in (travelling or {}).items() if k != ENQUEUED_AT}


def enqueued_at(message: Any) -> float | None:
    """When a queued task (Huey's deserialized message) was enqueued, if it says: tenant and
    platform tasks do, periodic ones (enqueued by the scheduler, run at once) do not."""
    log = (message.kwargs or {}).get("_log") or {}
    value = log.get(ENQUEUED_AT)
    return float(value) if value is not None else None


def tenant_of(task: Any) -> str:
    """The complex a Huey task runs for; empty for the platform's own work."""
    return str(task.args[0]) if task.name in _DECLARED and task.args else ""


def _current_slug() -> str:
    current_alias()  # raises NoTenantSelected
    tenant = current_tenant()
    assert tenant is not None
    return tenant.slug


# A moving complex's tasks wait this long, again and again, until it is served again.
MOVING_DELAY_SECONDS = 30


class TenantMoving(Exception):
    """The complex is being moved between clusters: its work waits, it is not dropped."""


def run_for_tenant(slug: str, func: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Execute ``func`` inside the named tenant; inactive tenants' work is dropped, a moving
    tenant's raises ``TenantMoving``."""
    tenant = Tenant.objects.filter(slug=slug).first()
    if tenant is not None and tenant.status == Tenant.Status.MOVING:
        raise TenantMoving(slug)
    if tenant is None or not tenant.is_active:
        logger.warning("Dropped task %s for tenant %s: not active", func.__name__, slug)
        return None
    with tenant_context(tenant):
        return func(*args, **kwargs)


_DECLARED: dict[str, TenantTask] = {}


def tenant_task(queue_name: str = "default", **options: Any) -> Callable[..., TenantTask]:
    """Declare a task of tenant work on ``queue_name`` (Huey options such as ``retries``).

    Its name is its dotted path (``klustera.billing.tasks.run_billing``), by which
    services enqueue it (``enqueue``) without importing their tasks module.
    """

    def decorate(func: Callable[..., Any]) -> TenantTask:
        def runner(slug: str, *args: Any, _log: dict[str, Any] | None = None, **kwargs: Any) -> Any:
            with structlog.contextvars.bound_contextvars(complex=slug, **_for_log_lines(_log)):
                try:
                    return run_for_tenant(slug, func, *args, **kwargs)
                except TenantMoving:
                    logger.info("Task %s for %s waits: the complex is moving", name, slug)
                    wrapper.schedule(
                        (slug, *args), {"_log": _log, **kwargs}, delay=MOVING_DELAY_SECONDS
                    )
                    return None

        name = f"{func.__module__}.{func.__qualname__}"
        wrapper = queue(queue_name).task(name=name, **options)(runner)
        task = TenantTask(func, wrapper)
        _DECLARED[name] = task
        return task

    return decorate


def declared(name: str) -> TenantTask:
    """The tenant task of that dotted name; its module is imported the first time it is asked for.

    Services name their follow-up work instead of importing their app's tasks
    module, which imports the services (Zulip's ``queue_json_publish`` by queue name).
    """
    if name not in _DECLARED:
        import_module(name.rpartition(".")[0])
    return _DECLARED[name]


def enqueue(name: str, *args: Any, on_commit: bool = True, **kwargs: Any) -> None:
    """Enqueue the task ``name`` for the current tenant, once its transaction commits."""
    task = declared(name)
    if on_commit:
        task.on_commit(*args, **kwargs)
    else:
        task(*args, **kwargs)


class PlatformTask:
    """Work that belongs to no complex (the operators' alerts); it runs as enqueued, with
    what travels with every task (:func:`_log_context`)."""

    def __init__(self, func: Callable[..., Any], wrapper: TaskWrapper) -> None:
        self.func = func
        self.wrapper = wrapper
        functools.update_wrapper(self, func)

    def __call__(self, *args: Any, **kwargs: Any) -> Result | None:
        return self.wrapper(*args, _log=_log_context(), **kwargs)

    def s(self, *args: Any, **kwargs: Any) -> Any:
        """The task, not enqueued (Huey's ``s``)."""
        return self.wrapper.s(*args, _log=_log_context(), **kwargs)


def platform_task(queue_name: str = "default", **options: Any) -> Callable[..., PlatformTask]:
    """Declare work that belongs to no complex on ``queue_name`` (Huey options)."""

    def decorate(func: Callable[..., Any]) -> PlatformTask:
        def runner(*args: Any, _log: dict[str, Any] | None = None, **kwargs: Any) -> Any:
            with structlog.contextvars.bound_contextvars(**_for_log_lines(_log)):
                return func(*args, **kwargs)

        name = f"{func.__module__}.{func.__qualname__}"
        return PlatformTask(func, queue(queue_name).task(name=name, **options)(runner))

    return decorate


def periodic_task(queue_name: str, schedule: Callable[..., bool], **options: Any) -> Callable:
    """Declare platform-level periodic work (Huey crontab); it fans out per tenant itself."""

    def decorate(func: Callable[..., Any]) -> Any:
        name = f"{func.__module__}.{func.__qualname__}"
        return queue(queue_name).periodic_task(schedule, name=name, **options)(func)

    return decorate

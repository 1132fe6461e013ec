"""What the operations' writes share: the complex's zone, a device's clock judged against
ours, a refusal naming its field and code, and a manager's fields saved on a row."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.db.models import Model

from klustera.tenancy.context import current_tenant

SKEW = timedelta(minutes=10)  # a device's clock further off than this is flagged


def local_zone() -> ZoneInfo:
    tenant = current_tenant()
    return ZoneInfo(tenant.time_zone if tenant else "Asia/Jakarta")


def is_skewed(device_time: datetime, received: datetime) -> bool:
    """The device's time is kept, not refused; far from ours it is flagged. An entry queued
    offline and sent later is judged by the device's time of sending (``sent_at``)."""
    return abs(received - device_time) > SKEW


def refuse(field: str, message: str, code: str) -> ValidationError:
    return ValidationError({field: [ValidationError(message, code=code)]})


M = TypeVar("M", bound=Model)


def save_fields(instance: M, fields: dict[str, Any]) -> M:
    """The manager's form or request applied to a row, checked by the model, and saved."""
    for name, value in fields.items():
        setattr(instance, name, value)
    instance.full_clean()
    instance.save()
    return instance

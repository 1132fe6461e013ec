"""Reads of privacy: a person's own requests; the managers' queue, soonest due first."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone

from klustera.privacy.models import DataRequest
from klustera.roles import is_manager
from klustera.tenancy.security import report


def my_requests(user: Any) -> QuerySet[DataRequest]:
    return DataRequest.objects.filter(user=user)


def access_data_request(user: Any, pk: int) -> DataRequest:
    """One request: its person's, or any for a manager; anyone else learns nothing (404)."""
    rows = DataRequest.objects.select_related("user", "handled_by")
    if not is_manager(user):
        rows = rows.filter(user=user)
    request = rows.filter(pk=pk).first()
    if request is None:
        report("foreign_object", user=user, detail=f"data request {pk}")
        raise Http404
    return request


def request_queue(*, open_only: bool = True) -> QuerySet[DataRequest]:
    rows = DataRequest.objects.select_related("user", "handled_by")
    if open_only:
        return rows.filter(status__in=DataRequest.OPEN).order_by("due_at", "pk")
    return rows.order_by("-created_at", "-pk")


def overdue_requests() -> QuerySet[DataRequest]:
    return request_queue().filter(due_at__lte=timezone.now())

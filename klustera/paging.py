"""Portal lists: the page and order asked for, the filters, and the query string to keep."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import BadRequest
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest
from rest_framework import serializers
from rest_framework.exceptions import ValidationError

from klustera.api import query


def filters_of(
    request: HttpRequest, serializer_class: type[serializers.Serializer]
) -> dict[str, Any]:
    """A page's ``?…`` filters, checked as the API checks them; bad ones are a 400 page."""
    try:
        return query(serializer_class, request.GET)
    except ValidationError as exc:
        raise BadRequest("bad filter") from exc


def paginate(
    request: HttpRequest,
    rows: Any,
    per_page: int = 20,
    *,
    sorts: dict[str, tuple[str, ...]] | None = None,
) -> dict[str, Any]:
    """``page`` (the ``?page=`` asked for) and ``query`` (the other parameters, for its links).

    ``sorts`` names the columns the list can be sorted by and their fields:
    ``?sort=owed`` sorts by them, ``?sort=-owed`` the other way round. Any
    other ``sort`` keeps the list's own order. The sorting links keep the
    filters (``sort_query``) and start again at the first page.
    """
    params = request.GET.copy()
    params.pop("page", None)
    sort = request.GET.get("sort", "")
    column = sort.removeprefix("-")
    if sorts and column in sorts and isinstance(rows, QuerySet):
        fields = [f"-{field}" if sort.startswith("-") else field for field in sorts[column]]
        rows = rows.order_by(*fields, "pk")
    else:
        sort = ""
        params.pop("sort", None)
    sort_params = params.copy()
    sort_params.pop("sort", None)
    page = Paginator(rows, per_page).get_page(request.GET.get("page"))
    return {
        "page": page,
        "query": params.urlencode(),
        "sort": sort,
        "sort_query": sort_params.urlencode(),
    }

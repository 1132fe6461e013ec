"""Pages of a list for the portal: the page asked for and the query string to keep."""

from __future__ import annotations

from typing import Any

from django.core.paginator import Paginator
from django.http import HttpRequest


def paginate(request: HttpRequest, rows: Any, per_page: int = 20) -> dict[str, Any]:
    """``page`` (the ``?page=`` asked for) and ``query`` (the other filters, for its links)."""
    params = request.GET.copy()
    params.pop("page", None)
    page = Paginator(rows, per_page).get_page(request.GET.get("page"))
    return {"page": page, "query": params.urlencode()}

"""The audit trail page: who did what, when, with filters."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from klustera.audit.filters import AuditFilters, filter_entries
from klustera.audit.models import AuditEntry
from klustera.paging import filters_of, paginate
from klustera.permissions import manager_required


@manager_required
def audit_trail(request: HttpRequest) -> HttpResponse:
    """Every admin and financial action of the complex, newest first (append-only)."""
    entries = filter_entries(
        AuditEntry.objects.select_related("actor"), filters_of(request, AuditFilters)
    )
    actions = AuditEntry.objects.values_list("action", flat=True).distinct()
    return render(
        request,
        "audit/trail.html",
        {
            **paginate(request, entries, 50),
            "areas": sorted({action.split(".")[0] for action in actions}),
            "filters": {
                name: request.GET.get(name, "") for name in ("area", "actor", "since", "until")
            },
        },
    )

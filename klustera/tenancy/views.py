"""Pages outside any complex: errors for unknown or suspended ones, and the platform console."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from klustera.api import error_response, is_api_request

TITLES = {
    "TENANT_UNKNOWN": _("Complex not found"),
    "TENANT_SUSPENDED": _("Complex suspended"),
    "TENANT_UNAVAILABLE": _("Complex temporarily unavailable"),
    "TENANT_CANCELLED": _("Complex no longer served"),
}


def tenant_error(request: HttpRequest, code: str, message: str, *, status: int) -> HttpResponse:
    if is_api_request(request):
        return error_response(code, message, status=status)
    return render(
        request,
        "tenancy/tenant_error.html",
        {"code": code, "title": TITLES.get(code, code), "message": message},
        status=status,
    )

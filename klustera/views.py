"""The site-wide error pages."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from klustera.api import error_response, is_api_request
from klustera.tenancy.security import report


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if is_api_request(request):
        return error_response("NOT_FOUND", _("Not found."), status=404)
    return render(request, "404.html", status=404)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if is_api_request(request):
        return error_response("VALIDATION_ERROR", _("The request could not be read."), status=400)
    return render(request, "400.html", status=400)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """A styled page that keeps the navigation, instead of a bare "403 Forbidden"."""
    report("permission_denied", request=request)
    if is_api_request(request):
        return error_response("PERMISSION_DENIED", _("You may not do this."), status=403)
    return render(request, "403.html", status=403)


def server_error(request: HttpRequest) -> HttpResponse:
    if is_api_request(request):
        return error_response("SERVER_ERROR", _("Something went wrong on our side."), status=500)
    return render(request, "500.html", status=500)

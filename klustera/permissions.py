"""Who may call what: role checks for API views and portal pages."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponseBase
from rest_framework.permissions import BasePermission
from rest_framework.request import Request

from klustera.roles import guards_the_gate, is_manager, is_staff_member


class IsPropertyManager(BasePermission):
    message = "Only the complex's property managers may do this."

    def has_permission(self, request: Request, view: Any) -> bool:
        return is_manager(request.user)


class GuardsTheGate(BasePermission):
    message = "Only the complex's security staff (and managers) may do this."

    def has_permission(self, request: Request, view: Any) -> bool:
        return guards_the_gate(request.user)


class IsStaffMember(BasePermission):
    message = "Only the complex's staff may do this."

    def has_permission(self, request: Request, view: Any) -> bool:
        return is_staff_member(request.user)


class IsStaffOrManager(BasePermission):
    message = "Only the complex's staff and managers may do this."

    def has_permission(self, request: Request, view: Any) -> bool:
        return is_staff_member(request.user) or is_manager(request.user)


def manager_required(
    view: Callable[..., HttpResponseBase],
) -> Callable[..., HttpResponseBase]:
    """A portal page for the complex's property managers only."""

    @login_required
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not is_manager(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped

"""Who may call what: role checks for API views."""

from __future__ import annotations

from typing import Any

from rest_framework.permissions import BasePermission
from rest_framework.request import Request

from klustera.accounts.policies import guards_the_gate, is_manager


class IsPropertyManager(BasePermission):
    message = "Only the complex's property managers may do this."

    def has_permission(self, request: Request, view: Any) -> bool:
        return is_manager(request.user)


class GuardsTheGate(BasePermission):
    message = "Only the complex's security staff (and managers) may do this."

    def has_permission(self, request: Request, view: Any) -> bool:
        return guards_the_gate(request.user)

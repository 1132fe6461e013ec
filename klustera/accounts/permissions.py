"""Who may call what: role checks for API views."""

from __future__ import annotations

from typing import Any

from rest_framework.permissions import BasePermission
from rest_framework.request import Request

from klustera.accounts.roles import Role


class IsPropertyManager(BasePermission):
    message = "Only the complex's property managers may do this."

    def has_permission(self, request: Request, view: Any) -> bool:
        user = request.user
        return bool(user and user.is_authenticated and user.has_role(Role.PROPERTY_MANAGER))

"""Who may call what: role checks for API views."""

from __future__ import annotations

from typing import Any

from rest_framework.permissions import BasePermission
from rest_framework.request import Request

from klustera.accounts.policies import is_manager


class IsPropertyManager(BasePermission):
    message = "Only the complex's property managers may do this."

    def has_permission(self, request: Request, view: Any) -> bool:
        return is_manager(request.user)

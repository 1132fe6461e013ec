"""Errors a service raises that the API answers with more than a 422."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError


class StateConflict(ValidationError):
    """A well-formed request that collides with what is stored: the API answers 409.

    It is a ``ValidationError``, so a portal form shows it like any other (on
    its field, when ``message`` is a dict of them); ``api_code`` is the
    envelope's ``error.code`` (``CONFLICT``, ``PLAN_LIMIT`` …).
    """

    def __init__(self, message: Any, *, code: str, api_code: str = "CONFLICT") -> None:
        super().__init__(message, code=code)
        self.api_code = api_code

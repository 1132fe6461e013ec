"""Errors a service raises that the API answers with more than a 422."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError


class StateConflict(ValidationError):
    """A well-formed request that collides with what is stored: the API answers 409.

    It is a ``ValidationError``, so a portal form shows it like any other (on
    its field, when ``message`` is a dict of them); ``api_code`` is the
    envelope's ``error.code`` (``CONFLICT``, ``PLAN_LIMIT`` …) and ``code`` the
    stable reason in ``error.details.codes`` (``tariff_overlaps`` …). ``details``
    adds what a client can act on (the next free times of a taken slot).
    """

    def __init__(
        self,
        message: Any,
        *,
        code: str,
        api_code: str = "CONFLICT",
        details: dict[str, Any] | None = None,
    ) -> None:
        if isinstance(message, dict):  # each field's message carries the code too
            message = {
                field: [
                    ValidationError(text, code=code)
                    for text in (texts if isinstance(texts, list) else [texts])
                ]
                for field, texts in message.items()
            }
        super().__init__(message, code=code)
        self.api_code = api_code
        self.details = details or {}

"""Hooks the apps above offer their own follow-ups on (accounts imports none of them)."""

from django.dispatch import Signal

account_switched_off = Signal()
"""Sent inside the transaction that stops an account; arguments ``user`` and ``actor``."""

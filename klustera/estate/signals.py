"""Hooks the apps above offer their own follow-ups on (the estate imports none of them)."""

from django.dispatch import Signal

stay_ended = Signal()
"""Sent inside the transaction that ends a stay; arguments ``occupancy`` and ``actor``."""

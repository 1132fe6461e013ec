"""The guest list a guard's device keeps for checking codes with no network.

It holds the active invitations of today and tomorrow (in the complex's time zone), each with
what the gate shows (the guest, the host unit, the window, single or multi-use) and a slow
keyed hash of its code, never the code: PBKDF2-HMAC-SHA256 with a salt of the complex and
the day, so the device hashes a typed code once and looks it up. Someone holding a stolen
device's list would need on the order of 31⁸ × 60,000 hash rounds to find the codes, far
longer than the list lives (it changes salt every day). Each invitation's hash under a
day's salt is computed once and cached.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from klustera.access.models import GuestInvitation
from klustera.access.services import code_of
from klustera.tenancy.context import current_tenant

ALGORITHM = "PBKDF2-SHA256"
ITERATIONS = 60_000
REFRESH_SECONDS = 300  # the device asks again this often while online


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def list_salt(day: Any) -> bytes:
    tenant = current_tenant()
    message = f"offline-guest-list:{tenant.slug if tenant else ''}:{day.isoformat()}"
    return hmac.new(settings.SECRET_KEY.encode(), message.encode(), hashlib.sha256).digest()[:16]


def code_digest(code: str, salt: bytes) -> str:
    """What the device computes from a typed (normalised) code."""
    return _b64(hashlib.pbkdf2_hmac("sha256", code.encode(), salt, ITERATIONS))


def _digest_of(invitation: GuestInvitation, salt: bytes) -> str:
    key = f"access:offline-digest:{invitation.code_hash}:{salt.hex()}"  # one per code
    return str(
        cache.get_or_set(key, lambda: code_digest(code_of(invitation), salt), timeout=2 * 24 * 3600)
    )


def offline_list(now: datetime | None = None) -> dict[str, Any]:
    """Today's and tomorrow's active invitations, for a guard's device."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    after_tomorrow = timezone.make_aware(
        datetime.combine(today + timedelta(days=2), datetime.min.time())
    )
    invitations = GuestInvitation.objects.filter(
        status=GuestInvitation.Status.ACTIVE, ends_at__gte=now, starts_at__lt=after_tomorrow
    ).select_related("unit")
    salt = list_salt(today)
    return {
        "generated_at": now,
        "refresh_after": REFRESH_SECONDS,
        "algorithm": ALGORITHM,
        "iterations": ITERATIONS,
        "salt": _b64(salt),
        "guests": [
            {
                "hash": _digest_of(invitation, salt),
                "name": invitation.guest_name,
                "unit": str(invitation.unit),
                "people": invitation.people,
                "plate": invitation.plate,
                "starts_at": invitation.starts_at,
                "ends_at": invitation.ends_at,
                "multi_use": invitation.multi_use,
            }
            for invitation in invitations.order_by("starts_at")
        ],
    }

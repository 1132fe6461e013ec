"""Residents' QR passes: short tokens signed with the complex's Ed25519 key.

A pass reads ``KP1.<payload>.<signature>`` (base64url). The payload names the
complex, the key, the resident and unit, an expiry a few minutes ahead and a
nonce. A guard's device holding only the public keys (``GET
/api/v1/access/keys``) can verify it offline; a screenshot stops working when
it expires. Keys rotate without breaking passes issued just before: a
retired key still verifies for ``PASS_TTL`` plus the allowed clock skew.
"""

from __future__ import annotations

import base64
import json
import secrets
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    PublicFormat,
)
from django.utils import timezone

from klustera.access.models import GateKey
from klustera.crypto import decrypt, encrypt
from klustera.estate.models import Occupancy, Resident
from klustera.tenancy.context import current_tenant, tenant_atomic

PREFIX = "KP1"
PASS_TTL = timedelta(minutes=5)
SKEW = timedelta(seconds=60)  # devices' clocks may differ by a minute
KEY_PURPOSE = "access.gate-key"
KEYS_FRESH_FOR = 60.0  # seconds a process trusts its copy of the public keys
_public_keys: dict[str, tuple[float, dict[str, tuple[str, datetime | None]]]] = {}


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def current_key() -> GateKey:
    key = GateKey.objects.filter(retired_at__isnull=True).order_by("-created_at").first()
    return key or rotate_key()


def rotate_key() -> GateKey:
    """A new signing key; the old one keeps verifying the passes it signed until they expire."""
    private = Ed25519PrivateKey.generate()
    raw_private = private.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
    raw_public = private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    now = timezone.now()
    tenant = current_tenant()
    _public_keys.pop(tenant.slug if tenant else "", None)
    with tenant_atomic():
        GateKey.objects.filter(retired_at__isnull=True).update(retired_at=now)
        return GateKey.objects.create(
            kid=secrets.token_hex(4),
            private_key=encrypt(_b64(raw_private), purpose=KEY_PURPOSE),
            public_key=_b64(raw_public),
            created_at=now,
        )


def verifying_keys(now: datetime | None = None) -> list[GateKey]:
    """The keys a guard's device needs: the current one and those retired recently."""
    now = now or timezone.now()
    since = now - PASS_TTL - SKEW
    return list(GateKey.objects.exclude(retired_at__lt=since))


def public_keys(now: datetime, *, fresh: bool = False) -> dict[str, str]:
    """The public keys by kid that verify passes at ``now``, for the server's own checks.

    Each process keeps a copy and reads the keys again after a minute, or when
    asked for ``fresh`` ones (a pass names a key rotated in by another process).
    """
    tenant = current_tenant()
    slug = tenant.slug if tenant else ""
    cached = _public_keys.get(slug)
    if cached is None or time.monotonic() - cached[0] > KEYS_FRESH_FOR or fresh:
        keys = {key.kid: (key.public_key, key.retired_at) for key in GateKey.objects.all()}
        cached = _public_keys[slug] = (time.monotonic(), keys)
    since = now - PASS_TTL - SKEW
    return {
        kid: public
        for kid, (public, retired_at) in cached[1].items()
        if retired_at is None or retired_at >= since
    }


@dataclass(frozen=True)
class IssuedPass:
    token: str
    expires_at: datetime


def issue_pass(resident: Resident, *, now: datetime | None = None) -> IssuedPass:
    """A fresh pass for the resident's current unit (the billing unit first)."""
    now = now or timezone.now()
    stay = (
        Occupancy.objects.filter(resident=resident, end_on__isnull=True)
        .order_by("-is_billing_contact", "start_on")
        .first()
    )
    tenant = current_tenant()
    key = current_key()
    expires = now + PASS_TTL
    payload = {
        "c": tenant.slug if tenant else "",
        "k": key.kid,
        "r": resident.pk,
        "u": stay.unit_id if stay else None,
        "e": int(expires.timestamp()),
        "n": secrets.token_hex(6),
        # what a guard's device shows when it verifies the pass offline
        "m": resident.name[:60],
        "l": str(stay.unit) if stay else "",
    }
    body = _b64(json.dumps(payload, separators=(",", ":")).encode())
    private = Ed25519PrivateKey.from_private_bytes(
        _unb64(decrypt(key.private_key, purpose=KEY_PURPOSE))
    )
    signature = _b64(private.sign(f"{PREFIX}.{body}".encode()))
    return IssuedPass(f"{PREFIX}.{body}.{signature}", expires)


@dataclass(frozen=True)
class PassCheck:
    result: str  # valid, invalid, expired, not_yet
    resident_id: int | None = None
    unit_id: int | None = None
    reason: str = ""


def check_pass(
    token: str, *, public_keys: dict[str, str], complex_slug: str, now: datetime
) -> PassCheck:
    """Verify a pass with public keys alone (what a guard's device can do offline)."""
    parts = token.strip().split(".")
    if len(parts) != 3 or parts[0] != PREFIX:
        return PassCheck("invalid", reason="not a pass")
    try:
        payload = json.loads(_unb64(parts[1]))
        signature = _unb64(parts[2])
        public = public_keys.get(str(payload.get("k")))
        if public is None:
            return PassCheck("invalid", reason="unknown key")
        Ed25519PublicKey.from_public_bytes(_unb64(public)).verify(
            signature, f"{PREFIX}.{parts[1]}".encode()
        )
        expires = datetime.fromtimestamp(int(payload["e"]), tz=timezone.get_current_timezone())
    except (ValueError, TypeError, AttributeError, KeyError, OverflowError, InvalidSignature):
        return PassCheck("invalid", reason="bad signature or payload")
    if payload.get("c") != complex_slug:
        return PassCheck("invalid", reason="a pass of another complex")
    if now > expires + SKEW:
        return PassCheck("expired", payload.get("r"), payload.get("u"), "the pass has expired")
    if now < expires - PASS_TTL - SKEW:
        return PassCheck("not_yet", payload.get("r"), payload.get("u"), "issued in the future")
    return PassCheck("valid", payload.get("r"), payload.get("u"))

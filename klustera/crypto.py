"""Field encryption: AES-256-GCM with a key derived per tenant and per purpose.

Provider tokens, guest codes and other secrets are stored as ``v1.<base64>``.
The key is derived (HKDF-SHA256) from ``ENCRYPTION_KEYS`` for the current
tenant and the purpose, and the tenant and purpose are also bound as
associated data: a value copied into another tenant's database or into
another column does not decrypt. Several keys may be configured for
rotation; the first encrypts, all are tried to decrypt.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

from klustera.tenancy.context import current_tenant

PREFIX = "v1."
# Every purpose a value is encrypted for: `klustera keys check` opens each stored value with them.
PURPOSES = (
    "access.gate-key",
    "access.guest-code",
    "notifications.provider-token",
    "notifications.secret",
    "payments.xendit-key",
    "poll-ballot",
)


class DecryptionError(Exception):
    """The value was not encrypted by us for this tenant and purpose."""


def _scope(purpose: str) -> bytes:
    tenant = current_tenant()
    return f"{tenant.sealed_as if tenant else 'platform'}:{purpose}".encode()


def _derive(master: bytes, scope: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=b"klustera", info=scope).derive(master)


def encrypt(value: str, *, purpose: str) -> str:
    if purpose not in PURPOSES:
        raise ValueError(f"Declare the encryption purpose {purpose!r} in klustera.crypto.PURPOSES")
    scope = _scope(purpose)
    nonce = os.urandom(12)
    sealed = AESGCM(_derive(settings.ENCRYPTION_KEYS[0], scope)).encrypt(
        nonce, value.encode(), scope
    )
    return PREFIX + base64.urlsafe_b64encode(nonce + sealed).decode()


def decrypt(token: str, *, purpose: str) -> str:
    if not token.startswith(PREFIX):
        raise DecryptionError("Not an encrypted value.")
    try:
        raw = base64.urlsafe_b64decode(token[len(PREFIX) :].encode())
    except ValueError as exc:
        raise DecryptionError("Malformed encrypted value.") from exc
    scope = _scope(purpose)
    for master in settings.ENCRYPTION_KEYS:
        try:
            return AESGCM(_derive(master, scope)).decrypt(raw[:12], raw[12:], scope).decode()
        except InvalidTag:
            continue
    raise DecryptionError("The value does not decrypt for this complex and purpose.")


def opened_by(token: str) -> tuple[int, str] | None:
    """Which key of ``ENCRYPTION_KEYS`` (its index) and which purpose open a stored value in
    the current complex; None when none does."""
    try:
        raw = base64.urlsafe_b64decode(token[len(PREFIX) :].encode())
    except ValueError:
        return None
    for purpose in PURPOSES:
        scope = _scope(purpose)
        for index, master in enumerate(settings.ENCRYPTION_KEYS):
            try:
                AESGCM(_derive(master, scope)).decrypt(raw[:12], raw[12:], scope)
            except (InvalidTag, ValueError):
                continue
            return index, purpose
    return None


def _lookup_hash(master: bytes, value: str, purpose: str) -> str:
    key = _derive(master, _scope(purpose) + b":lookup")
    return hmac.new(key, value.encode(), hashlib.sha256).hexdigest()


def keyed_hash(value: str, *, purpose: str) -> str:
    """A stable HMAC-SHA256 for looking values up without storing them (the current key)."""
    return _lookup_hash(settings.ENCRYPTION_KEYS[0], value, purpose)


def keyed_hashes(value: str, *, purpose: str) -> list[str]:
    """``keyed_hash`` under each key of ``ENCRYPTION_KEYS``, the current one first.

    Lookups match on any of them, so what was stored before a key rotation
    is still found, as ``decrypt`` still opens it.
    """
    return [_lookup_hash(master, value, purpose) for master in settings.ENCRYPTION_KEYS]

"""Use cases of identity: creating users and issuing or revoking API tokens."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import Group
from django.utils import timezone

from klustera.accounts.models import ApiToken, User
from klustera.accounts.phones import normalize_phone
from klustera.accounts.roles import Role
from klustera.tenancy.context import current_tenant, tenant_atomic


def create_user(
    *,
    phone: str,
    name: str,
    password: str | None = None,
    email: str = "",
    roles: Iterable[str] = (),
) -> User:
    """Create a user of the current complex holding ``roles``; the phone is stored as E.164."""
    with tenant_atomic():
        user = User.objects.create_user(
            normalize_phone(phone), password, name=name.strip(), email=email
        )
        for role in roles:
            group, _ = Group.objects.get_or_create(name=Role(role).value)
            user.groups.add(group)
    return user


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(*, user: User, device_name: str = "") -> tuple[str, ApiToken]:
    """A new bearer token for ``user``: ``<tenant-slug>.<secret>`` (256 bits of randomness).

    The token names its tenant so that a shared API host can route it; only its
    digest is stored, so a copy of the database yields no usable token.
    """
    tenant = current_tenant()
    assert tenant is not None, "tokens are issued inside a tenant"
    token = f"{tenant.slug}.{secrets.token_urlsafe(32)}"
    record = ApiToken.objects.create(
        user=user,
        digest=token_digest(token),
        device_name=device_name[:100],
        expires_at=timezone.now() + timedelta(days=settings.API_TOKEN_TTL_DAYS),
    )
    return token, record


def revoke_token(*, token: ApiToken) -> None:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])

"""DRF authentication by the opaque bearer tokens of ``accounts.ApiToken``."""

from __future__ import annotations

import logging
import re
from datetime import timedelta

from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.permissions import SAFE_METHODS
from rest_framework.request import Request

from klustera.accounts.models import ApiKey, ApiToken, User
from klustera.accounts.services import is_api_key, token_digest
from klustera.accounts.token_cache import cached_token, load_token
from klustera.api import TokenExpired
from klustera.net import client_ip
from klustera.roles import is_manager
from klustera.tenancy.context import current_tenant
from klustera.tenancy.security import report

security_log = logging.getLogger("klustera.security")
SLUG_LIKE = re.compile(r"[^a-z0-9-]")

# Writing last_used_at on every request would turn reads into writes.
LAST_USED_RESOLUTION = timedelta(minutes=5)


def _log_foreign_token(request: Request, token: str, *, here: str) -> None:
    """A security event: a token made for one complex, shown to another (never the token)."""
    named, dot, _secret = token.partition(".")
    report("foreign_token", request=request, other_complex=SLUG_LIKE.sub("?", named) if dot else "")
    security_log.warning(
        "security.foreign_token complex=%s token_complex=%s route=%s ip=%s",
        here or "-",
        SLUG_LIKE.sub("?", named)[:40] if dot else "-",
        request.path[:200],
        client_ip(request),
    )


# What each scope of an API key reaches: the apps whose endpoints it may call.
KEY_SCOPES = {ApiKey.Scope.BILLING: {"billing", "payments"}, ApiKey.Scope.ACCESS: {"access"}}


def _authenticate_key(request: Request, secret: str) -> tuple[User, ApiKey]:
    """An API key acts for the manager who made it, within its scope, while both last."""
    key = ApiKey.objects.select_related("created_by").filter(digest=token_digest(secret)).first()
    if key is None or not key.is_usable:
        raise exceptions.AuthenticationFailed(_("Invalid API key."))
    if not (key.created_by.is_active and is_manager(key.created_by)):  # its maker left
        raise exceptions.AuthenticationFailed(_("Invalid API key."))
    view = (request.parser_context or {}).get("view")
    app = type(view).__module__.split(".")[1] if view is not None else ""
    if app == "accounts":  # keys never manage people, tokens or keys
        allowed = False
    elif key.scope == ApiKey.Scope.READ_ONLY:
        allowed = request.method in SAFE_METHODS
    else:
        allowed = app in KEY_SCOPES[ApiKey.Scope(key.scope)]
    if not allowed:
        raise exceptions.PermissionDenied(_("This API key's scope does not reach here."))
    now = timezone.now()
    if key.last_used_at is None or now - key.last_used_at > LAST_USED_RESOLUTION:
        ApiKey.objects.filter(pk=key.pk).update(last_used_at=now)
    return key.created_by, key


class BearerTokenAuthentication(BaseAuthentication):
    def authenticate(self, request: Request) -> tuple[User, ApiToken | ApiKey] | None:
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() != b"bearer":
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed(_("Malformed Authorization header."))
        token = parts[1].decode("ascii", errors="replace")
        tenant = current_tenant()
        # A token names its complex; it is only ever valid on that complex.
        if tenant is None or not token.startswith(tenant.slug + "."):
            _log_foreign_token(request, token, here=tenant.slug if tenant else "")
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        if is_api_key(token):
            return _authenticate_key(request, token)
        digest = token_digest(token)
        record = cached = cached_token(digest)
        if cached is None:
            record = load_token(digest)
        if record is None or record.revoked_at is not None or not record.user.is_active:
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        now = timezone.now()
        if record.expires_at <= now:
            raise TokenExpired(_("The token has expired; refresh it or sign in again."))
        # Written when the record is read from the database: a cached record leaves it be.
        stale = record.last_used_at is None or now - record.last_used_at > LAST_USED_RESOLUTION
        if cached is None and stale:
            ApiToken.objects.filter(pk=record.pk).update(last_used_at=now)
        return record.user, record

    def authenticate_header(self, request: Request) -> str:
        return 'Bearer realm="api"'

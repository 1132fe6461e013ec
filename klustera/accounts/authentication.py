"""DRF authentication by the opaque bearer tokens of ``accounts.ApiToken``."""

from __future__ import annotations

import logging
import re
from datetime import timedelta

from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.request import Request

from klustera.accounts.models import ApiToken, User
from klustera.accounts.services import token_digest
from klustera.net import client_ip
from klustera.tenancy.context import current_tenant


class TokenExpired(exceptions.AuthenticationFailed):
    default_detail = "The token has expired."
    default_code = "token_expired"


security_log = logging.getLogger("klustera.security")
SLUG_LIKE = re.compile(r"[^a-z0-9-]")

# Writing last_used_at on every request would turn reads into writes.
LAST_USED_RESOLUTION = timedelta(minutes=5)


def _log_foreign_token(request: Request, token: str, *, here: str) -> None:
    """A security event: a token made for one complex, shown to another (never the token)."""
    named, dot, _secret = token.partition(".")
    security_log.warning(
        "security.foreign_token complex=%s token_complex=%s route=%s ip=%s",
        here or "-",
        SLUG_LIKE.sub("?", named)[:40] if dot else "-",
        request.path[:200],
        client_ip(request),
    )


class BearerTokenAuthentication(BaseAuthentication):
    def authenticate(self, request: Request) -> tuple[User, ApiToken] | None:
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
        record = ApiToken.objects.select_related("user").filter(digest=token_digest(token)).first()
        if record is None or record.revoked_at is not None or not record.user.is_active:
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        now = timezone.now()
        if record.expires_at <= now:
            raise TokenExpired(_("The token has expired; refresh it or sign in again."))
        if record.last_used_at is None or now - record.last_used_at > LAST_USED_RESOLUTION:
            ApiToken.objects.filter(pk=record.pk).update(last_used_at=now)
        return record.user, record

    def authenticate_header(self, request: Request) -> str:
        return 'Bearer realm="api"'

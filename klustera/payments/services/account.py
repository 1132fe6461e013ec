"""The complex's Xendit account: its keys, stored encrypted, and a client that uses them."""

from __future__ import annotations

from typing import Any

from klustera.accounts.models import User
from klustera.audit.services import record
from klustera.crypto import decrypt, encrypt
from klustera.payments.models import XenditAccount
from klustera.payments.xendit import XenditClient
from klustera.tenancy.context import tenant_atomic

KEY_PURPOSE = "payments.xendit-key"


class GatewayUnavailable(Exception):
    """Xendit could not be reached or refused the request; nothing was charged."""


def xendit_account() -> XenditAccount:
    return XenditAccount.objects.get_or_create(pk=1)[0]


def update_xendit_account(*, changes: dict[str, Any], actor: User) -> XenditAccount:
    """Save the complex's Xendit keys (encrypted) and choices; audited without the secrets."""
    with tenant_atomic():
        account = XenditAccount.objects.select_for_update().get_or_create(pk=1)[0]
        for name, value in changes.items():
            if name in ("secret_key", "callback_token"):
                value = encrypt(value, purpose=KEY_PURPOSE) if value else ""
            setattr(account, name, value)
        account.save()
        record(actor=actor, action="payments.xendit_settings_changed", fields=sorted(changes))
    return account


def xendit_client(account: XenditAccount | None = None) -> XenditClient:
    account = account or xendit_account()
    secret = decrypt(account.secret_key, purpose=KEY_PURPOSE) if account.secret_key else ""
    return XenditClient(secret_key=secret, for_user_id=account.for_user_id)

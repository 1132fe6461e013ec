"""`klustera keys check`: before a key of ENCRYPTION_KEYS is retired, every encrypted value in
every complex is opened; what only an older key opens is listed (and re-encrypted on
request), and a value no configured key opens fails the check."""

from __future__ import annotations

import secrets
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from klustera.crypto import decrypt, encrypt
from klustera.payments.models import XenditAccount
from klustera.tenancy import connections as tenant_connections
from klustera.tenancy.context import tenant_context
from klustera.tenancy.services import drop_database

OLD, NEW = secrets.token_bytes(32), secrets.token_bytes(32)


def _check(*extra: str) -> str:
    out = StringIO()
    call_command("keys", "check", "--tenant", "alpha", *extra, stdout=out)
    return out.getvalue()


def test_keys_check_finds_every_value_and_what_an_older_key_still_holds(
    tenant_a, tenant_b, settings
) -> None:
    settings.ENCRYPTION_KEYS = [OLD]
    with tenant_context(tenant_a):
        XenditAccount.objects.create(
            secret_key=encrypt("xnd_development_alpha", purpose="payments.xendit-key")
        )
    with tenant_context(tenant_b):
        foreign = encrypt("xnd_development_beta", purpose="payments.xendit-key")
    assert "key 1: 1" in _check() and "0 still need an older key" in _check()

    settings.ENCRYPTION_KEYS = [NEW, OLD]  # rotated: the new key encrypts, both open
    report = _check()
    assert "alpha  payments.XenditAccount.secret_key  key 2: 1" in report
    assert "1 still need an older key" in report and "Keep the older keys" in report

    settings.ENCRYPTION_KEYS = [NEW]  # retired too early
    with pytest.raises(CommandError, match="1 value\\(s\\) open with no configured key"):
        _check()

    settings.ENCRYPTION_KEYS = [NEW, OLD]
    assert "re-encrypted with key 1: 1" in _check("--rewrap")
    settings.ENCRYPTION_KEYS = [NEW]
    assert "the others can be retired" in _check()
    with tenant_context(tenant_a):
        stored = XenditAccount.objects.get().secret_key
        assert decrypt(stored, purpose="payments.xendit-key") == "xnd_development_alpha"

        settings.ENCRYPTION_KEYS = [NEW, OLD]
        XenditAccount.objects.update(callback_token=foreign)  # beta's value, copied into alpha
    with pytest.raises(CommandError, match="open with no configured key"):
        _check()


def test_a_value_is_only_encrypted_for_a_declared_purpose(tenant_a) -> None:
    with pytest.raises(ValueError, match="Declare the encryption purpose"):
        encrypt("x", purpose="anything")


def test_a_complex_whose_database_cannot_be_reached_is_not_called_checked(
    sqlite_scratch, tenant_a
) -> None:
    tenant_connections.forget(tenant_connections.alias_for(sqlite_scratch))
    drop_database(sqlite_scratch)
    out = StringIO()
    with pytest.raises(CommandError, match="Not checked, their databases cannot be reached"):
        call_command("keys", "check", stdout=out)
    assert f"{sqlite_scratch.slug}  UNCHECKED" in out.getvalue()

"""Cache keys carry the tenant, so one tenant's cached data is never served to another.

A key that starts with ``global:`` is shared by every complex on purpose: the
counters of one client address across all of them.
"""

from __future__ import annotations

from klustera.tenancy.context import current_tenant

GLOBAL = "global:"


def tenant_cache_key(key: str, key_prefix: str, version: int) -> str:
    if key.startswith(GLOBAL):
        return f"{key_prefix}:{version}:{key}"
    tenant = current_tenant()
    scope = f"t:{tenant.slug}" if tenant is not None else "platform"
    return f"{key_prefix}:{version}:{scope}:{key}"

"""Cache keys carry the tenant, so one tenant's cached data is never served to another."""

from __future__ import annotations

from klustera.tenancy.context import current_tenant


def tenant_cache_key(key: str, key_prefix: str, version: int) -> str:
    tenant = current_tenant()
    scope = f"t:{tenant.slug}" if tenant is not None else "platform"
    return f"{key_prefix}:{version}:{scope}:{key}"

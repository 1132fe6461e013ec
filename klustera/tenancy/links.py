"""Absolute links into a complex, for messages sent outside any request."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.urls import get_script_prefix, reverse, set_script_prefix

from klustera.tenancy.context import current_tenant
from klustera.tenancy.models import Domain


def tenant_url(viewname: str, **kwargs: Any) -> str:
    """The absolute URL of a view on the current complex's public address.

    The complex's primary custom domain when it has one, otherwise
    ``TENANT_URL_TEMPLATE`` (``https://{slug}.{base_domain}`` in production,
    ``http://localhost:8000/c/{slug}`` in the embedded default).
    """
    tenant = current_tenant()
    if tenant is None:
        raise ValueError("tenant_url needs a selected complex")
    domain = (
        Domain.objects.filter(tenant_id=tenant.pk, is_primary=True)
        .values_list("host", flat=True)
        .first()
    )
    if domain:
        base = f"https://{domain}"
    else:
        base = settings.TENANT_URL_TEMPLATE.format(
            slug=tenant.slug, base_domain=settings.BASE_DOMAIN
        )
    # Reverse without the /c/<slug>/ prefix of a request that may be under way.
    previous = get_script_prefix()
    set_script_prefix("/")
    try:
        path = reverse(viewname, kwargs=kwargs or None)
    finally:
        set_script_prefix(previous)
    return base.rstrip("/") + path

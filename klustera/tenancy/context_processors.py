from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from klustera.tenancy.context import current_tenant


def tenant(request: HttpRequest) -> dict[str, Any]:
    return {"tenant": current_tenant()}

"""Another process that authenticates bearer tokens, for the token cache's tests.

Reads a complex (JSON, first line) and then one token per line from stdin; for each, prints a
JSON line: the roles it signs in with, or ``refused``, and how many queries the complex's
database answered (0: served from the cache). Configured by the environment like any process.
"""

from __future__ import annotations

import json
import sys

import django


def main() -> None:
    django.setup()
    from django.db import connections
    from django.test import RequestFactory
    from django.test.utils import CaptureQueriesContext
    from rest_framework.exceptions import AuthenticationFailed
    from rest_framework.request import Request

    from klustera.accounts.authentication import BearerTokenAuthentication
    from klustera.roles import roles_of
    from klustera.tenancy.connections import alias_for
    from klustera.tenancy.context import tenant_context
    from klustera.tenancy.models import Tenant

    tenant = Tenant(**json.loads(sys.stdin.readline()))
    for line in sys.stdin:
        request = Request(RequestFactory().get("/", HTTP_AUTHORIZATION=f"Bearer {line.strip()}"))
        with tenant_context(tenant), CaptureQueriesContext(connections[alias_for(tenant)]) as q:
            try:
                user, _record = BearerTokenAuthentication().authenticate(request)  # type: ignore[misc]
                answer: object = sorted(roles_of(user))
            except AuthenticationFailed:
                answer = "refused"
        print(json.dumps({"answer": answer, "queries": len(q)}), flush=True)


if __name__ == "__main__":
    main()

"""The complexes of ``bench/load.py``, made in the stack's own settings (run as a script with
the stack's environment): ``python bench/load_seed.py FIRST COUNT CLUSTERS OUT [--bare]``.

Each complex is provisioned as a manager would (``provision_tenant``); unless ``--bare``, it
gets the demo's estate (one block of 10 houses, the demo's staff), its notice accepted, two
months billed (the earlier one mostly paid), an account at the Xendit simulator, an account
for every owner, 20 guest codes, and for each person an API token and a portal session.
What the simulated users need is written to ``OUT`` as JSON lines, one per complex, with the
complex's account at the simulator (``xendit``).
"""

from __future__ import annotations

import json
import secrets
import sys
from datetime import timedelta
from pathlib import Path
from typing import Any

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY  # noqa: E402
from django.contrib.sessions.backends.db import SessionStore  # noqa: E402
from django.db import connections  # noqa: E402
from django.utils import timezone  # noqa: E402

from klustera.access.services import register_guest  # noqa: E402
from klustera.accounts.models import User  # noqa: E402
from klustera.accounts.services import create_user, issue_token  # noqa: E402
from klustera.billing.models import Invoice  # noqa: E402
from klustera.demo.seed import (  # noqa: E402
    LOGINS,
    seed_billing,
    seed_estate,
    seed_privacy,
    simulator_account,
)
from klustera.estate.models import Occupancy  # noqa: E402
from klustera.phones import normalize_phone  # noqa: E402
from klustera.privacy.models import ConsentRecord  # noqa: E402
from klustera.privacy.services import accept_notice  # noqa: E402
from klustera.roles import Role  # noqa: E402
from klustera.tenancy.context import tenant_context  # noqa: E402
from klustera.tenancy.services import NewManager, provision_tenant  # noqa: E402


def signed_in(user: User) -> dict[str, str]:
    """An API token and a portal session, as a sign-in would leave them."""
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return {"token": issue_token(user=user, device_name="load")[0], "session": session.session_key}


def seed_complex(slug: str) -> dict[str, Any]:
    seed_estate(blocks="A", per_block=10)
    manager = User.objects.get(phone=normalize_phone(LOGINS[0].phone))
    guard = User.objects.get(phone=normalize_phone(LOGINS[2].phone))
    owners = Occupancy.objects.filter(end_on__isnull=True, is_billing_contact=True)
    residents = []
    for occupancy in owners.select_related("resident", "unit"):
        person = occupancy.resident
        if person.user is None:
            person.user = create_user(phone=person.phone, name=person.name, roles=[Role.RESIDENT])
            person.save(update_fields=["user", "updated_at"])
        residents.append((person.user, occupancy.unit))
    seed_privacy()  # everyone with an account accepted the notice
    seed_billing(months=2)
    account = simulator_account(f"xnd_development_{slug.replace('-', '_')}_{secrets.token_hex(4)}")
    now = timezone.now()
    host, unit = residents[0]
    codes = [
        register_guest(host=host, unit=unit, guest_name=f"Tamu {n}", starts_at=now,
                       ends_at=now + timedelta(days=2), multi_use=True)[1]
        for n in range(20)
    ]  # fmt: skip
    return {
        "slug": slug,
        "residents": [
            {**signed_in(user), "unit": unit.pk,
             "invoices": list(Invoice.objects.filter(unit=unit).values_list("pk", flat=True))}
            for user, unit in residents
        ],
        "guards": [signed_in(guard)],
        "managers": [signed_in(manager)],
        "codes": codes,
        "xendit": account,
    }  # fmt: skip


def seed_bare() -> dict[str, Any]:
    manager = User.objects.get(phone=normalize_phone(LOGINS[0].phone))
    accept_notice(user=manager, opt_ins={}, method=ConsentRecord.Method.REGISTRATION)
    return {"managers": [signed_in(manager)]}


def main() -> None:
    first, count, clusters, out = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4]
    bare = "--bare" in sys.argv
    with Path(out).open("a") as lines:
        for n in range(first, first + count):
            slug = f"load-{n:04d}"
            cluster = clusters.split(",")[n % len(clusters.split(","))]
            tenant = provision_tenant(
                name=f"Perumahan Uji {n}", slug=slug, cluster=cluster, max_units=50,
                manager=NewManager(phone=LOGINS[0].phone, name=LOGINS[0].name),
            )  # fmt: skip
            with tenant_context(tenant):
                people = {"slug": slug, **seed_bare()} if bare else seed_complex(slug)
            lines.write(json.dumps(people) + "\n")
            lines.flush()
            connections.close_all()  # as a served request would: hold no idle connections


if __name__ == "__main__":
    main()

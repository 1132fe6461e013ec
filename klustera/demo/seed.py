"""The demo complex ``graha-indah`` that ``make run`` creates once.

Its logins are fixed and documented in the README. Each area adds its own
demo data here.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from klustera.accounts.models import User
from klustera.accounts.phones import normalize_phone
from klustera.accounts.roles import Role
from klustera.accounts.services import create_user
from klustera.estate.models import Occupancy, Resident, Unit
from klustera.notifications.models import Channel, Consent
from klustera.notifications.services import set_consent
from klustera.tenancy.context import tenant_atomic, tenant_context
from klustera.tenancy.models import Tenant
from klustera.tenancy.services import NewManager, provision_tenant

SLUG = "graha-indah"
PASSWORD = "klustera-demo"  # noqa: S105  (the documented demo login)


@dataclass(frozen=True)
class DemoLogin:
    role: str
    phone: str
    name: str


LOGINS = (
    DemoLogin(Role.PROPERTY_MANAGER, "081100000001", "Budi Santoso"),
    DemoLogin(Role.RESIDENT, "081100000002", "Siti Rahmawati"),
    DemoLogin(Role.SECURITY_STAFF, "081100000003", "Agus Prasetyo"),
)
STAFF = (
    (Role.SECURITY_STAFF, "081100000004", "Joko Widodo Saputra"),
    (Role.CLEANING_STAFF, "081100000005", "Rina Marlina"),
    (Role.FACILITY_STAFF, "081100000006", "Dedi Kurniawan"),
)
FIRST_NAMES = [
    "Andi",
    "Dewi",
    "Hendra",
    "Lestari",
    "Rudi",
    "Wati",
    "Fajar",
    "Intan",
    "Yusuf",
    "Maya",
    "Bayu",
    "Sari",
    "Teguh",
    "Nur",
    "Eko",
    "Putri",
    "Arif",
    "Ratna",
]
LAST_NAMES = [
    "Wijaya",
    "Hidayat",
    "Saputra",
    "Lubis",
    "Siregar",
    "Nasution",
    "Halim",
    "Gunawan",
    "Susanto",
    "Kusuma",
    "Pratama",
    "Utami",
]


def ensure_demo() -> tuple[Tenant, bool]:
    """Create the demo complex if it does not exist yet; returns it and whether it was created."""
    tenant = Tenant.objects.filter(slug=SLUG).first()
    if tenant is not None:
        return tenant, False
    manager = LOGINS[0]
    tenant = provision_tenant(
        name="Graha Indah Residence",
        slug=SLUG,
        plan=Tenant.Plan.STANDARD,
        max_units=200,
        manager=NewManager(phone=manager.phone, name=manager.name, password=PASSWORD),
    )
    with tenant_context(tenant):
        seed_estate()
    return tenant, True


def seed_estate(*, blocks: str = "ABCD", per_block: int = 10) -> None:
    """Units in blocks A–D, their residents (owners, renters, family) and the staff."""
    rng = random.Random(2026)  # noqa: S311  (reproducible demo data, not secrets)
    with tenant_atomic():
        people = [(login.role, login.phone, login.name) for login in LOGINS[1:]] + list(STAFF)
        users = {
            phone: create_user(phone=phone, name=name, password=PASSWORD, roles=[role])
            for role, phone, name in people
        }
        demo_resident_user = users[LOGINS[1].phone]
        manager = User.objects.get(phone=normalize_phone(LOGINS[0].phone))
        for user in (manager, *users.values()):
            set_consent(
                user=user,
                channel=Channel.WHATSAPP,
                granted=True,
                method=Consent.Method.REGISTRATION,
            )
        for block in blocks:
            for n in range(1, per_block + 1):
                land = Decimal(rng.choice([72, 90, 120, 150]))
                unit = Unit.objects.create(
                    block=block,
                    number=f"{n:02d}",
                    unit_type=Unit.Type.HOUSE,
                    land_area=land,
                    building_area=land * Decimal("0.8"),
                )
                if block == "A" and n == 1:
                    owner = Resident.objects.create(
                        name=demo_resident_user.name,
                        phone=demo_resident_user.phone,
                        user=demo_resident_user,
                    )
                else:
                    name = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
                    phone = f"+62812{rng.randrange(10**7, 10**8)}"
                    owner = Resident.objects.create(name=name, phone=phone)
                role = Occupancy.Role.OWNER if rng.random() < 0.8 else Occupancy.Role.RENTER
                Occupancy.objects.create(
                    unit=unit,
                    resident=owner,
                    role=role,
                    start_on=date(2024, 1, 1),
                    is_billing_contact=True,
                )

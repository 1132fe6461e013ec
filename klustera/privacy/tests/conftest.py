"""A resident with a history in every app, and a neighbour whose data must never leak."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone
from PIL import Image

from klustera.access.models import AccessLog, GuestInvitation, Parcel
from klustera.accounts.models import AuthFailure, User
from klustera.accounts.services import create_user, issue_token
from klustera.audit.services import record
from klustera.billing.models import Invoice, Payment, Tariff
from klustera.billing.services import generate_invoices, record_payment
from klustera.estate.models import Occupancy, Resident, Unit
from klustera.helpdesk.models import Category, Comment, Ticket, TicketPhoto
from klustera.notifications.models import Channel, Consent
from klustera.notifications.services import notify, set_consent
from klustera.privacy.services import accept_notice
from klustera.roles import Role
from klustera.tenancy.context import tenant_context

PASSWORD = "x-pass-123"


@dataclass
class Person:
    user: User
    resident: Resident
    unit: Unit
    token: str
    phone: str
    name: str
    email: str

    @property
    def needles(self) -> list[str]:
        """What must be found nowhere once they are anonymised."""
        return [self.phone.removeprefix("+62"), self.email, self.name]  # the phone in any form


def jpeg(colour: str = "red") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), colour).save(out, "JPEG")
    return out.getvalue()


def _person(phone: str, name: str, email: str, unit: Unit) -> Person:
    user = create_user(
        phone=phone, name=name, password=PASSWORD, email=email, roles=[Role.RESIDENT]
    )
    resident = Resident.objects.create(name=name, phone=user.phone, email=email, user=user)
    Occupancy.objects.create(
        unit=unit,
        resident=resident,
        role="owner",
        start_on=date(2025, 1, 1),
        is_billing_contact=True,
    )
    token, _ = issue_token(user=user, device_name=f"{name}'s phone")
    return Person(user, resident, unit, token, user.phone, name, email)


def _history(person: Person, guard: User) -> None:
    """A little of everything: consent, messages, the gate, a complaint with a photo, a
    payment with its receipt, sign-in failures, an audited action."""
    user = person.user
    accept_notice(user=user, opt_ins={"community": True}, method="registration")
    set_consent(
        user=user, channel=Channel.WHATSAPP, granted=True, method=Consent.Method.REGISTRATION
    )
    notify(
        recipient=user,
        template="announcement",
        context={"complex": "Alpha", "title": "Kerja bakti", "body": "Minggu pagi", "link": "x"},
    )
    now = timezone.now()
    GuestInvitation.objects.create(
        unit=person.unit,
        host=user,
        guest_name=f"Tamu {person.name}",
        guest_phone="+6281399990000",
        plate="B1234TMU",
        starts_at=now,
        ends_at=now + timedelta(hours=4),
        code_cipher="x",
        code_hash=f"hash-{user.pk}",
    )
    AccessLog.objects.create(
        kind="resident",
        method="qr",
        result="allowed",
        guard=guard,
        gate="Utama",
        plate=f"B{user.pk}RES",
        unit=person.unit,
        resident=person.resident,
        at=now,
    )
    Parcel.objects.create(
        unit=person.unit,
        recipient_name=person.name,
        courier="JNE",
        gate="Utama",
        received_by=guard,
        received_at=now,
        photo=ContentFile(jpeg(), name="parcel.jpg"),
    )
    category, _ = Category.objects.get_or_create(name="Air")
    ticket = Ticket.objects.create(
        category=category,
        unit=person.unit,
        title="Pipa bocor",
        description=f"Pipa bocor di rumah {person.name}, hubungi {person.phone}",
        reporter=user,
        filed_by=user,
        response_due=now + timedelta(hours=4),
        resolution_due=now + timedelta(days=2),
    )
    TicketPhoto.objects.create(
        ticket=ticket,
        kind="problem",
        image=ContentFile(jpeg("blue"), name="leak.jpg"),
        thumbnail=ContentFile(jpeg("blue"), name="leak-thumb.jpg"),
        added_by=user,
    )
    Comment.objects.create(
        ticket=ticket, author=user, author_label=person.name, body="Tolong cepat"
    )
    AuthFailure.objects.create(phone=person.phone, kind="password", ip="10.1.2.3")
    record(actor=user, action="resident.registered", target=person.resident)


@pytest.fixture
def people(tenant_a) -> dict[str, Any]:
    """Siti (A-01) with ten weeks of history, an unpaid invoice and a receipt; Hendra next door
    (A-02) with the same kinds of records; a manager; a guard."""
    with tenant_context(tenant_a):
        a01 = Unit.objects.create(block="A", number="01")
        a02 = Unit.objects.create(block="A", number="02")
        manager = create_user(
            phone="081300000001",
            name="Budi Pengelola",
            password=PASSWORD,
            roles=[Role.PROPERTY_MANAGER],
        )
        guard = create_user(
            phone="081300000003",
            name="Agus Satpam",
            password=PASSWORD,
            roles=[Role.SECURITY_STAFF],
        )
        siti = _person("081355501234", "Siti Privasi", "siti.privasi@contoh.id", a01)
        hendra = _person("081355509999", "Hendra Tetangga", "hendra.tetangga@contoh.id", a02)
        Tariff.objects.create(charge="IPL", rate=Decimal("250000"), effective_from=date(2025, 1, 1))
        this_month = timezone.localdate().replace(day=1)
        last_month = (this_month - timedelta(days=1)).replace(day=1)
        generate_invoices(period=last_month)
        generate_invoices(period=this_month)
        for person in (siti, hendra):
            paid = record_payment(
                unit=person.unit,
                amount=Decimal("250000"),
                method=Payment.Method.CASH,
                actor=manager,
            )
            paid.receipt_pdf.save("receipt.pdf", ContentFile(b"%PDF-1.4 receipt"), save=True)
            invoice = Invoice.objects.filter(unit=person.unit).order_by("period").first()
            invoice.pdf.save("invoice.pdf", ContentFile(b"%PDF-1.4 invoice"), save=True)
            _history(person, guard)
        manager_token, _ = issue_token(user=manager, device_name="test")
    return {
        "siti": siti,
        "hendra": hendra,
        "manager": manager,
        "manager_token": manager_token,
        "guard": guard,
        "tenant": tenant_a,
    }

"""The cross-tenant harness: every API route, probed across the tenant boundary.

The URL conf is enumerated, so a new endpoint without a probe here fails
``test_every_api_route_has_a_probe``. For each route:

* a token of complex B, sent to complex A, is refused (401) on every
  authenticated route;
* complex A's manager, naming the ids of complex B's objects, gets 404 and
  B's objects are untouched;
* complex A's lists never show complex B's rows (B's rows carry a marker).
"""

from __future__ import annotations

import io
import uuid
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone
from pypdf import PdfReader

from klustera.access.models import AccessLog, GateKey, GuestInvitation, Parcel, WalkIn
from klustera.accounts.models import ApiKey, ApiToken, Passkey
from klustera.accounts.services import create_user, issue_tokens
from klustera.billing.models import (
    BillingRun,
    BillingSettings,
    Invoice,
    OneOffCharge,
    Payment,
    Refund,
    Tariff,
)
from klustera.community.models import Announcement, Attachment, Poll, PollOption
from klustera.estate.models import Invitation, Occupancy, Resident, Unit, Vehicle
from klustera.facilities.models import Booking, Facility, FacilityPhoto, Holiday
from klustera.helpdesk.models import Category, Ticket
from klustera.notifications.models import Message, PushSubscription
from klustera.operations.models import (
    Checkpoint,
    Incident,
    PatrolRoute,
    RouteStop,
    Task,
    TaskTemplate,
)
from klustera.payments.models import PaymentAttempt, TransferProof, XenditAccount
from klustera.privacy.models import DataRequest
from klustera.roles import Role
from klustera.tenancy.context import tenant_context
from tests.seed import seed_complex

MARKER = "BETAONLY"
FOREIGN_ID = 7_000_001  # ids given to B's objects, never used in A


@dataclass(frozen=True)
class Probe:
    methods: tuple[str, ...]
    # object: takes B's id; list: must not show B's rows; self: about the caller only
    # (a token check); public: no token needed
    kind: str
    foreign: str = ""  # the B object whose id goes into the URL


PROBES: dict[str, Probe] = {
    "auth-login": Probe(("post",), "public"),
    "auth-refresh": Probe(("post",), "public"),
    "auth-otp-request": Probe(("post",), "public"),
    "auth-otp-verify": Probe(("post",), "public"),
    "auth-password-reset": Probe(("post",), "public"),
    "auth-register": Probe(("post",), "public"),
    "auth-logout": Probe(("post",), "list"),
    "auth-password": Probe(("post",), "list"),
    "auth-me": Probe(("get",), "list"),
    "auth-tokens": Probe(("get",), "list"),
    "auth-token-detail": Probe(("delete",), "object", "token"),
    "auth-passkey-sign-in-options": Probe(("post",), "public"),
    "auth-passkey-sign-in": Probe(("post",), "public"),
    "auth-passkeys": Probe(("get", "post"), "list"),
    "auth-passkey-options": Probe(("post",), "list"),
    "auth-passkey-detail": Probe(("delete",), "object", "passkey"),
    "access-shift": Probe(("get", "post", "delete"), "list"),
    "access-shift-options": Probe(("post",), "list"),
    "access-shift-resume": Probe(("post",), "list"),
    "admin-gate-settings": Probe(("get", "patch"), "list"),
    "admin-invitations": Probe(("get", "post"), "list"),
    "admin-invitation-resend": Probe(("post",), "object", "invitation"),
    "admin-invitation-revoke": Probe(("post",), "object", "invitation"),
    "admin-staff": Probe(("get", "post"), "list"),
    "admin-api-keys": Probe(("get", "post"), "list"),
    "admin-api-key-revoke": Probe(("post",), "object", "api_key"),
    "unit-list": Probe(("get",), "list"),
    "unit-detail": Probe(("get",), "object", "unit"),
    "whatsapp-webhook": Probe(("get", "post"), "public"),
    "twilio-status": Probe(("post",), "public"),
    "notification-preferences": Probe(("get", "put"), "list"),
    "notification-consents": Probe(("post",), "list"),
    "push-key": Probe(("get",), "list"),
    "push-subscriptions": Probe(("post",), "list"),
    "push-subscription-detail": Probe(("delete",), "object", "push"),
    "admin-outbox": Probe(("get",), "list"),
    "admin-outbox-resend": Probe(("post",), "object", "message"),
    "inbox": Probe(("get",), "list"),
    "inbox-read": Probe(("post",), "object", "message"),
    "inbox-read-all": Probe(("post",), "list"),
    "admin-notification-settings": Probe(("get", "patch"), "list"),
    "admin-notification-test": Probe(("post",), "list"),
    "admin-audit": Probe(("get",), "list"),
    "privacy-notice-api": Probe(("get",), "public"),
    "privacy-consent-api": Probe(("post",), "list"),
    "privacy-choices": Probe(("get",), "list"),
    "privacy-opt-ins": Probe(("post",), "list"),
    "privacy-requests-api": Probe(("get", "post"), "list"),
    "privacy-request-api": Probe(("get",), "object", "data_request"),
    "privacy-download-api": Probe(("get",), "object", "data_request"),
    "privacy-lift": Probe(("post",), "list"),
    "admin-privacy-requests": Probe(("get",), "list"),
    "admin-privacy-complete": Probe(("post",), "object", "data_request"),
    "admin-privacy-reject": Probe(("post",), "object", "data_request"),
    "admin-privacy-notice": Probe(("post",), "list"),
    "announcements": Probe(("get", "post"), "list"),
    "admin-announcement": Probe(("patch",), "object", "announcement"),
    "admin-announcement-publish": Probe(("post",), "object", "announcement"),
    "admin-announcement-withdraw": Probe(("post",), "object", "announcement"),
    "admin-announcement-remind": Probe(("post",), "object", "announcement"),
    "admin-announcement-reads": Probe(("get",), "object", "announcement"),
    "admin-announcement-attachments": Probe(("post",), "object", "announcement"),
    "admin-poll-attachments": Probe(("post",), "object", "poll"),
    "attachment": Probe(("get",), "object", "attachment"),
    "admin-attachment": Probe(("delete",), "object", "attachment"),
    "polls": Probe(("get",), "list"),
    "poll": Probe(("get",), "object", "poll"),
    "poll-votes": Probe(("post",), "object", "poll"),
    "poll-results": Probe(("get",), "object", "poll"),
    "poll-minutes": Probe(("get",), "object", "poll"),
    "admin-polls": Probe(("get", "post"), "list"),
    "admin-poll": Probe(("get", "patch"), "object", "poll"),
    "admin-poll-close": Probe(("post",), "object", "poll"),
    "admin-poll-cancel": Probe(("post",), "object", "poll"),
    "admin-units": Probe(("get",), "list"),
    "admin-units-export": Probe(("get",), "list"),
    "admin-units-import": Probe(("post",), "list"),
    "admin-unit-detail": Probe(("get", "put"), "object", "unit"),
    "admin-move-in": Probe(("post",), "object", "unit"),
    "admin-vehicles": Probe(("post",), "object", "unit"),
    "admin-move-out": Probe(("post",), "object", "occupancy"),
    "admin-billing-contact": Probe(("post",), "object", "occupancy"),
    "admin-vehicle-detail": Probe(("delete",), "object", "vehicle"),
    "admin-residents": Probe(("get",), "list"),
    "invoice-list": Probe(("get",), "list"),
    "invoice-detail": Probe(("get",), "object", "invoice"),
    "admin-invoices": Probe(("get",), "list"),
    "admin-invoice-detail": Probe(("put",), "object", "invoice"),
    "admin-billing-runs": Probe(("get",), "list"),
    "admin-resident-detail": Probe(("get", "put"), "object", "resident"),
    "admin-tariffs": Probe(("get", "post"), "list"),
    "admin-remind-overdue": Probe(("post",), "list"),
    "admin-report": Probe(("get",), "list"),
    "complaints": Probe(("get", "post"), "list"),
    "complaint-detail": Probe(("get",), "object", "ticket"),
    "complaint-status": Probe(("patch",), "object", "ticket"),
    "complaint-comments": Probe(("post",), "object", "ticket"),
    "complaint-photos": Probe(("post",), "object", "ticket"),
    "complaint-assign": Probe(("post",), "object", "ticket"),
    "complaint-rating": Probe(("post",), "object", "ticket"),
    "admin-helpdesk-categories": Probe(("get", "put"), "list"),
    "admin-helpdesk-report": Probe(("get",), "list"),
    "facilities": Probe(("get",), "list"),
    "facility-availability": Probe(("get",), "object", "facility"),
    "facility-bookings": Probe(("post",), "object", "facility"),
    "bookings": Probe(("get",), "list"),
    "booking-cancel": Probe(("post",), "object", "booking"),
    "booking-pay": Probe(("post",), "object", "booking"),
    "admin-facilities": Probe(("get", "post"), "list"),
    "admin-facility": Probe(("get", "put"), "object", "facility"),
    "admin-facility-closures": Probe(("get", "post"), "object", "facility"),
    "admin-facilities-approvals": Probe(("get",), "list"),
    "admin-booking-decision": Probe(("post",), "object", "booking"),
    "admin-booking-close": Probe(("post",), "object", "booking"),
    "admin-facilities-report": Probe(("get",), "list"),
    "admin-facility-photos": Probe(("post",), "object", "facility"),
    "admin-facility-photo": Probe(("delete",), "object", "facility_photo"),
    "admin-holidays": Probe(("get", "post"), "list"),
    "staff-tasks": Probe(("get",), "list"),
    "staff-task-complete": Probe(("patch",), "object", "task"),
    "admin-task-templates": Probe(("get", "post"), "list"),
    "admin-task-template": Probe(("get", "put"), "object", "task_template"),
    "admin-tasks": Probe(("get", "post"), "list"),
    "admin-task-week": Probe(("get",), "list"),
    "staff-patrol-scan": Probe(("post",), "list"),
    "staff-patrol-rounds": Probe(("get",), "list"),
    "sync": Probe(("post",), "list"),
    "staff-check-in": Probe(("post",), "self"),
    "staff-check-out": Probe(("post",), "self"),
    "admin-checkpoints": Probe(("get", "post"), "list"),
    "admin-checkpoint": Probe(("get", "put"), "object", "checkpoint"),
    "admin-checkpoint-stickers": Probe(("get",), "list"),
    "admin-patrol-routes": Probe(("get", "post"), "list"),
    "admin-patrol-route": Probe(("get", "put"), "object", "patrol_route"),
    "admin-on-duty": Probe(("get",), "list"),
    "staff-incidents": Probe(("get", "post"), "list"),
    "staff-incident": Probe(("get",), "object", "incident"),
    "admin-incident-follow-up": Probe(("post",), "object", "incident"),
    "admin-incidents-export": Probe(("get",), "list"),
    "admin-patrol-report": Probe(("get",), "list"),
    "admin-attendance": Probe(("get",), "list"),
    "admin-holiday": Probe(("delete",), "object", "holiday"),
    "admin-tariff-detail": Probe(("put",), "object", "tariff"),
    "admin-tariff-change": Probe(("post",), "object", "tariff"),
    "admin-charges": Probe(("get", "post"), "list"),
    "admin-billing-settings": Probe(("get", "patch"), "list"),
    "unit-statement": Probe(("get",), "object", "unit"),
    "payment-list": Probe(("get",), "list"),
    "payment-receipt": Probe(("get",), "object", "payment"),
    "invoice-pay": Probe(("post",), "object", "invoice"),
    "unit-virtual-account": Probe(("get", "post"), "object", "unit"),
    "xendit-callback": Probe(("post",), "public"),
    "admin-xendit": Probe(("get", "patch"), "list"),
    "admin-payment-attempts": Probe(("get",), "list"),
    "admin-payment-reverse": Probe(("post",), "object", "payment"),
    "admin-refunds": Probe(("get", "post"), "list"),
    "transfer-proofs": Probe(("get", "post"), "list"),
    "admin-transfer-proofs": Probe(("get",), "list"),
    "access-pass": Probe(("get",), "self"),
    "access-keys": Probe(("get",), "list"),
    "access-offline-list": Probe(("get",), "list"),
    "access-verify": Probe(("post",), "list"),
    "access-code-generate": Probe(("post",), "list"),
    "guest-list": Probe(("get",), "list"),
    "guest-register": Probe(("post",), "list"),
    "guest-cancel": Probe(("post",), "object", "guest"),
    "admin-access-logs": Probe(("get",), "list"),
    "access-exit": Probe(("post",), "list"),
    "access-inside": Probe(("get",), "list"),
    "walk-ins": Probe(("get", "post"), "list"),
    "walk-in-answer": Probe(("post",), "object", "walk_in"),
    "parcels": Probe(("get", "post"), "list"),
    "parcel-pick-up": Probe(("post",), "object", "parcel"),
    "admin-access-export": Probe(("get",), "list"),
    "admin-transfer-proof-review": Probe(("post",), "object", "proof"),
    "invoice-pdf": Probe(("get",), "object", "invoice"),
    "admin-payments": Probe(("get", "post"), "list"),
}
PLATFORM_ROUTES = {"api-schema", "api-docs"}  # the same document for everyone


def api_route_names() -> set[str]:
    names: set[str] = set()

    def walk(patterns: list[Any], prefix: str) -> None:
        for entry in patterns:
            route = prefix + str(entry.pattern)
            if isinstance(entry, URLResolver):
                walk(entry.url_patterns, route)
            elif isinstance(entry, URLPattern) and route.startswith("api/v1/"):
                names.add(str(entry.name))

    walk(get_resolver().url_patterns, "")
    return names - PLATFORM_ROUTES


def test_every_api_route_has_a_probe() -> None:
    missing = api_route_names() - set(PROBES)
    assert not missing, f"API routes without a cross-tenant probe: {sorted(missing)}"
    assert not set(PROBES) - api_route_names(), "probes for routes that no longer exist"


@pytest.fixture
def world(tenant_a, tenant_b):
    a = seed_complex(tenant_a, marker="alpha")
    b = seed_complex(tenant_b, marker="beta")
    with tenant_context(tenant_b):
        unit = Unit.objects.create(pk=FOREIGN_ID, block=MARKER, number="1")
        manager = create_user(
            phone="081300000099", name=f"{MARKER} Staff", roles=[Role.SECURITY_STAFF]
        )
        pair = issue_tokens(user=manager, device_name=MARKER)
        api_key = ApiKey.objects.create(
            pk=FOREIGN_ID,
            name=MARKER,
            scope="read_only",
            digest=MARKER,
            hint="x",
            created_by=manager,
            expires_at="2099-01-01T00:00:00Z",
        )
        ApiToken.objects.filter(pk=pair.record.pk).update(id=FOREIGN_ID)
        token = ApiToken.objects.get(pk=FOREIGN_ID)
        message = Message.objects.create(
            pk=FOREIGN_ID,
            to_name=MARKER,
            to_address="+6281300000099",
            channel="whatsapp",
            category="billing",
            template="test",
            context={"complex": MARKER},
            status="failed",
            next_attempt_at="2026-01-01T00:00:00Z",
        )
        passkey = Passkey.objects.create(
            pk=FOREIGN_ID, user=manager, credential_id=MARKER.encode(), public_key=b"x", name=MARKER
        )
        push = PushSubscription.objects.create(
            pk=FOREIGN_ID,
            user=manager,
            endpoint="https://fcm.googleapis.com/fcm/send/beta",
            p256dh="x",
            auth="y",
        )
        resident = Resident.objects.create(
            pk=FOREIGN_ID, name=f"{MARKER} Resident", phone="+6281300000098"
        )
        occupancy = Occupancy.objects.create(
            pk=FOREIGN_ID, unit=unit, resident=resident, role="owner", start_on="2025-01-01"
        )
        vehicle = Vehicle.objects.create(pk=FOREIGN_ID, unit=unit, plate=f"{MARKER}1")
        ticket = Ticket.objects.create(
            pk=FOREIGN_ID,
            category=Category.objects.first(),
            unit=unit,
            title=MARKER,
            description=MARKER,
            response_due="2099-01-01T00:00:00Z",
            resolution_due="2099-01-01T00:00:00Z",
        )
        invitation = Invitation.objects.create(
            pk=FOREIGN_ID,
            code_hash=MARKER,
            unit=unit,
            name=MARKER,
            phone="+6281300000097",
            occupancy_role="owner",
            expires_at="2099-01-01T00:00:00Z",
        )
        invoice = Invoice.objects.create(
            pk=FOREIGN_ID,
            unit=unit,
            period="2026-12-01",
            number=f"{MARKER}/1",
            due_on="2026-12-10",
            subtotal=1,
            total=1,
        )
        BillingRun.objects.create(period="2026-12-01", failures=[{"unit": MARKER, "error": "x"}])
        tariff = Tariff.objects.create(
            pk=FOREIGN_ID, charge=MARKER, rate=1, effective_from="2026-01-01"
        )
        OneOffCharge.objects.create(unit=unit, period="2026-12-01", description=MARKER, amount=1)
        BillingSettings.objects.create(pk=1, payment_instructions=MARKER, invoice_prefix="BETA")
        XenditAccount.objects.create(pk=1, for_user_id=MARKER, callback_token="x")
        GateKey.objects.create(
            kid=MARKER, private_key="x", public_key=MARKER, created_at="2026-11-01T00:00:00Z"
        )
        guest = GuestInvitation.objects.create(
            pk=FOREIGN_ID,
            unit=unit,
            host=manager,
            guest_name=MARKER,
            starts_at="2026-11-01T00:00:00Z",
            ends_at="2099-11-02T00:00:00Z",
            code_cipher="x",
            code_hash=MARKER,
        )
        walk_in = WalkIn.objects.create(
            pk=FOREIGN_ID,
            unit=unit,
            visitor_name=MARKER,
            purpose=MARKER,
            gate=MARKER,
            guard=manager,
            created_at="2026-11-01T00:00:00Z",
            answer_by="2026-11-01T00:05:00Z",
        )
        parcel = Parcel.objects.create(
            pk=FOREIGN_ID,
            unit=unit,
            recipient_name=MARKER,
            courier=MARKER,
            gate=MARKER,
            received_by=manager,
            received_at="2026-11-01T00:00:00Z",
        )
        AccessLog.objects.create(
            kind="guest_entry",
            method="guest_code",
            result="valid",
            gate=MARKER,
            detail=MARKER,
            at=timezone.now(),
        )
        Refund.objects.create(
            unit=unit,
            amount=1,
            method="cash",
            reason=MARKER,
            created_at="2026-11-01T00:00:00Z",
        )
        proof = TransferProof.objects.create(
            pk=FOREIGN_ID,
            unit=unit,
            amount=1,
            transferred_on="2026-11-01",
            bank=MARKER,
            image="beta/proofs/x.png",
            submitted_by=manager,
        )
        PaymentAttempt.objects.create(
            invoice=invoice,
            amount=1,
            reference_id=MARKER,
            review_reason=MARKER,
            expires_at="2027-01-01T00:00:00Z",
        )
        facility = Facility.objects.create(pk=FOREIGN_ID, name=MARKER, rules=MARKER)
        holiday = Holiday.objects.create(pk=FOREIGN_ID, day="2026-12-25", name=MARKER)
        task_template = TaskTemplate.objects.create(
            pk=FOREIGN_ID,
            title=MARKER,
            queue="cleaning_staff",
            at="06:00",
            starts_on="2026-01-01",
        )
        task = Task.objects.create(
            pk=FOREIGN_ID,
            title=MARKER,
            queue="cleaning_staff",
            starts_at="2026-12-01T00:00:00Z",
            due_at="2026-12-01T01:00:00Z",
        )
        checkpoint = Checkpoint.objects.create(pk=FOREIGN_ID, name=MARKER, description=MARKER)
        patrol_route = PatrolRoute.objects.create(
            pk=FOREIGN_ID, name=MARKER, at="22:00", until="04:00", starts_on="2026-01-01"
        )
        RouteStop.objects.create(route=patrol_route, checkpoint=checkpoint, position=0)
        incident = Incident.objects.create(
            pk=FOREIGN_ID,
            kind="other",
            severity="info",
            occurred_at="2026-12-01T00:00:00Z",
            location=MARKER,
            description=MARKER,
            reported_at="2026-12-01T00:00:00Z",
            received_at="2026-12-01T00:00:00Z",
            client_id=uuid.uuid4(),
        )
        facility_photo = FacilityPhoto.objects.create(
            pk=FOREIGN_ID, facility=facility, image="beta/x.jpg", thumbnail="beta/y.jpg"
        )
        booking = Booking.objects.create(
            pk=FOREIGN_ID,
            facility=facility,
            unit=unit,
            start="2099-01-01T10:00:00Z",
            end="2099-01-01T11:00:00Z",
            exclusive=True,
            status="confirmed",
            note=MARKER,
        )
        poll = Poll.objects.create(
            pk=FOREIGN_ID,
            question=MARKER,
            opens_at="2026-01-01T00:00:00Z",
            closes_at="2099-01-01T00:00:00Z",
            results="live",
        )
        PollOption.objects.create(pk=FOREIGN_ID, poll=poll, label=MARKER)
        announcement = Announcement.objects.create(
            pk=FOREIGN_ID, title=MARKER, body=MARKER, posted_at="2026-01-01T00:00:00Z"
        )
        attachment = Attachment.objects.create(
            pk=FOREIGN_ID,
            announcement=announcement,
            file="beta/attachment/x.pdf",
            name=MARKER,
            content_type="application/pdf",
            size=1,
        )
        payment = Payment.objects.create(
            pk=FOREIGN_ID,
            unit=unit,
            amount=1,
            method="cash",
            reference=MARKER,
            receipt_number=f"{MARKER}/1",
            paid_at="2026-12-01T00:00:00Z",
        )
        data_request = DataRequest.objects.create(
            pk=FOREIGN_ID,
            user=b.resident_user,
            kind=DataRequest.Kind.CORRECTION,
            details=MARKER,
            due_at="2099-01-01T00:00:00Z",
        )
    objects = {
        "unit": unit,
        "token": token,
        "facility": facility,
        "facility_photo": facility_photo,
        "holiday": holiday,
        "task": task,
        "task_template": task_template,
        "checkpoint": checkpoint,
        "patrol_route": patrol_route,
        "incident": incident,
        "booking": booking,
        "poll": poll,
        "announcement": announcement,
        "attachment": attachment,
        "message": message,
        "push": push,
        "passkey": passkey,
        "resident": resident,
        "occupancy": occupancy,
        "vehicle": vehicle,
        "invitation": invitation,
        "ticket": ticket,
        "invoice": invoice,
        "tariff": tariff,
        "payment": payment,
        "proof": proof,
        "guest": guest,
        "walk_in": walk_in,
        "parcel": parcel,
        "api_key": api_key,
        "data_request": data_request,
    }
    columns = {key: _columns(tenant_b, obj) for key, obj in objects.items()}
    return {"a": a, "b": b, "b_objects": objects, "b_columns": columns, "b_pair": pair}


def _call(client: Client, method: str, path: str) -> Any:
    return getattr(client, method)(path, {}, content_type="application/json")


def _path(name: str, probe: Probe) -> str:
    from django.urls import reverse

    kwargs: dict[str, Any] = {"pk": FOREIGN_ID} if probe.kind == "object" else {}
    if name == "admin-report":  # the journal lists payments: none of the other complex's
        kwargs = {"name": "journal"}
    return "/c/alpha" + reverse(name, kwargs=kwargs)


@pytest.mark.parametrize("name", sorted(PROBES))
def test_another_complexs_token_is_refused_here(name: str, world) -> None:
    probe = PROBES[name]
    if probe.kind == "public":
        pytest.skip("public route: no token is read")
    intruder = Client(HTTP_AUTHORIZATION=f"Bearer {world['b'].manager_token}")
    for method in probe.methods:
        response = _call(intruder, method, _path(name, probe))
        assert response.status_code == 401, (name, method, response.content[:200])
        assert MARKER not in response.content.decode()


@pytest.mark.parametrize("name", sorted(n for n, p in PROBES.items() if p.kind == "object"))
def test_another_complexs_ids_are_not_found_here(name: str, world, tenant_b) -> None:
    probe = PROBES[name]
    manager = Client(HTTP_AUTHORIZATION=f"Bearer {world['a'].manager_token}")
    for method in probe.methods:
        response = _call(manager, method, _path(name, probe))
        assert response.status_code == 404, (name, method, response.content[:200])
        assert response.json()["error"]["code"] == "NOT_FOUND"
    foreign = world["b_objects"][probe.foreign]
    assert _columns(tenant_b, foreign) == world["b_columns"][probe.foreign]


def _columns(tenant, obj) -> dict[str, Any]:
    """The object's stored columns, read back from its own complex's database."""
    with tenant_context(tenant):
        stored = type(obj).objects.get(pk=obj.pk)
    return {f.attname: getattr(stored, f.attname) for f in stored._meta.concrete_fields}


@pytest.mark.parametrize("name", sorted(n for n, p in PROBES.items() if p.kind == "list"))
def test_lists_here_never_show_another_complexs_rows(name: str, world) -> None:
    probe = PROBES[name]
    manager = Client(HTTP_AUTHORIZATION=f"Bearer {world['a'].manager_token}")
    for method in probe.methods:
        if method != "get":
            continue
        response = _call(manager, method, _path(name, probe))
        assert response.status_code == 200, (name, response.content[:200])
        assert MARKER not in _text(response)


def _text(response: Any) -> str:
    """What a person reads of the answer: a PDF's text, else the body."""
    if response["Content-Type"] == "application/pdf":
        pages = PdfReader(io.BytesIO(response.content)).pages
        return "\n".join(page.extract_text() for page in pages)
    return str(response.content.decode())


def test_another_complexs_credentials_do_not_sign_in_here(world) -> None:
    client = Client()
    login = client.post(
        "/c/alpha/api/v1/auth/login",
        {"phone": "081300000001", "password": "x-pass-123"},
        content_type="application/json",
    )
    assert login.status_code == 200  # alpha's own manager, same phone as beta's
    assert login.json()["data"]["user"]["name"] == "Manager alpha"
    refresh = client.post(
        "/c/alpha/api/v1/auth/refresh",
        {"refresh_token": world["b_pair"].refresh_token},
        content_type="application/json",
    )
    assert refresh.status_code == 401
    # Beta's refresh token still works at beta: nothing was revoked by the attempt.
    again = client.post(
        "/c/beta/api/v1/auth/refresh",
        {"refresh_token": world["b_pair"].refresh_token},
        content_type="application/json",
    )
    assert again.status_code == 200

"""The permission matrix: every route of the API and the portal × every role.

One table, ``API`` and ``PAGES``: a route, a method, the object its URL names
(if any), a body (if the view must read one before it can scope it), and the
roles allowed. The URL conf is enumerated, so a route without a row fails
``test_every_route_has_a_row``. Each row is then exercised for every role:

* an allowed role gets past the permission check: no 401, 403 or 404, and no
  redirect to the sign-in page (a 422 for an empty body is fine);
* a refused role gets 401 (API, not signed in or another complex's token), a
  redirect to the sign-in page (portal, likewise), or 403/404; and a refused
  write leaves every table of the complex exactly as it was.

Every request runs in a transaction that is rolled back, so one row's writes
never change another's world. Which rows a role sees in a list is checked in
``test_least_privilege.py``; here lists only have to open.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, time, timedelta
from typing import Any

import pytest
from django.apps import apps
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import connections, transaction
from django.forms import ImageField
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone
from rest_framework.throttling import SimpleRateThrottle

from klustera.access.models import AccessLog, Parcel, WalkIn
from klustera.access.services import register_guest
from klustera.accounts.models import ApiToken, Passkey, User
from klustera.accounts.services import create_api_key, create_user, issue_token
from klustera.billing.models import BillingRun, Invoice, Payment, Tariff
from klustera.community.models import Announcement, Attachment
from klustera.community.services import close_poll, create_poll
from klustera.estate.models import Invitation, Occupancy, Resident, Vehicle
from klustera.facilities.models import Booking, Facility, Holiday
from klustera.facilities.services import add_facility_photos
from klustera.helpdesk.models import Category
from klustera.helpdesk.services import add_photos, file_ticket
from klustera.notifications.models import Message, PushSubscription
from klustera.observability.models import FailedTask
from klustera.operations.models import (
    Checkpoint,
    Incident,
    IncidentPhoto,
    PatrolRoute,
    Task,
    TaskPhoto,
    TaskTemplate,
)
from klustera.payments.models import TransferProof, UnitVirtualAccount
from klustera.payments.tests.test_manual import photo
from klustera.privacy.models import Breach, DataRequest
from klustera.roles import Role
from klustera.tenancy.connections import alias_for
from klustera.tenancy.context import tenant_context
from tests.seed import seed_complex

PASSWORD = "x-pass-123"
M, R, N, G, C, F = "manager", "resident", "neighbour", "guard", "cleaner", "technician"
ANONYMOUS, FOREIGN = "anonymous", "foreign"  # foreign: a user of another complex
ROLES = (M, R, N, G, C, F, ANONYMOUS, FOREIGN)
SIGNED_IN = frozenset({M, R, N, G, C, F})
EVERYONE = frozenset(ROLES)
MANAGER = frozenset({M})
GATE = frozenset({M, G})
STAFF = frozenset({G, C, F})
HOUSEHOLD = frozenset({M, R})  # the managers and the residents of the unit
RESIDENTS = frozenset({R, N})
NOBODY: frozenset[str] = frozenset()
SAME_FOR_ALL = None  # webhooks: answered by their signature, not by a role


@dataclass(frozen=True)
class Row:
    name: str
    method: str
    allowed: frozenset[str] | None
    obj: str = ""  # the world's object whose id fills the URL
    body: Callable[[dict[str, Any]], dict[str, Any]] | None = None
    multipart: bool = False


def _guest_body(world: dict[str, Any]) -> dict[str, Any]:
    now = timezone.now()
    return {
        "unit": world["unit"].pk,
        "guest_name": "Tamu",
        "starts_at": now.isoformat(),
        "ends_at": (now + timedelta(hours=2)).isoformat(),
    }


def _proof_body(world: dict[str, Any]) -> dict[str, Any]:
    return {
        "unit": world["unit"].pk,
        "amount": "250000",
        "transferred_on": timezone.localdate().isoformat(),
        "image": photo(),
    }


API = [
    Row("auth-login", "post", EVERYONE),
    Row("auth-refresh", "post", EVERYONE),
    Row("auth-otp-request", "post", EVERYONE),
    Row("auth-otp-verify", "post", EVERYONE),
    Row("auth-password-reset", "post", EVERYONE),
    Row("auth-register", "post", EVERYONE),
    Row("auth-logout", "post", SIGNED_IN),
    Row("auth-password", "post", SIGNED_IN),
    Row("auth-me", "get", SIGNED_IN),
    Row("auth-tokens", "get", SIGNED_IN),
    Row("auth-token-detail", "delete", frozenset({R}), "token"),
    Row("auth-passkey-sign-in-options", "post", EVERYONE),
    Row("auth-passkey-sign-in", "post", EVERYONE),
    Row("auth-passkeys", "get", SIGNED_IN),
    Row("auth-passkeys", "post", SIGNED_IN),
    Row("auth-passkey-options", "post", SIGNED_IN),
    Row("auth-passkey-detail", "delete", frozenset({R}), "passkey"),
    Row("access-shift", "get", GATE),
    Row("access-shift", "post", GATE),
    Row("access-shift", "delete", GATE),
    Row("access-shift-options", "post", GATE),
    Row("access-shift-resume", "post", GATE),
    Row("admin-gate-settings", "get", MANAGER),
    Row("admin-gate-settings", "patch", MANAGER),
    Row("admin-invitations", "get", MANAGER),
    Row("admin-invitations", "post", MANAGER),
    Row("admin-invitation-resend", "post", MANAGER, "invitation"),
    Row("admin-invitation-revoke", "post", MANAGER, "invitation"),
    Row("admin-staff", "get", MANAGER),
    Row("admin-staff", "post", MANAGER),
    Row("admin-api-keys", "get", MANAGER),
    Row("admin-api-keys", "post", MANAGER),
    Row("admin-api-key-revoke", "post", MANAGER, "api_key"),
    Row("unit-list", "get", SIGNED_IN),
    Row("unit-detail", "get", frozenset({M, R, G}), "unit"),
    Row("admin-units", "get", MANAGER),
    Row("admin-units", "post", MANAGER),
    Row("admin-units-export", "get", MANAGER),
    Row("admin-units-import", "post", MANAGER),
    Row("admin-unit-detail", "get", MANAGER, "unit"),
    Row("admin-unit-detail", "put", MANAGER, "unit"),
    Row("admin-move-in", "post", MANAGER, "unit"),
    Row("admin-vehicles", "post", MANAGER, "unit"),
    Row("admin-move-out", "post", MANAGER, "occupancy"),
    Row("admin-billing-contact", "post", MANAGER, "occupancy"),
    Row("admin-vehicle-detail", "delete", MANAGER, "vehicle"),
    Row("admin-residents", "get", MANAGER),
    Row("admin-residents", "post", MANAGER),
    Row("admin-resident-detail", "get", MANAGER, "resident"),
    Row("admin-resident-detail", "put", MANAGER, "resident"),
    Row("invoice-list", "get", SIGNED_IN),
    Row("invoice-detail", "get", HOUSEHOLD, "invoice"),
    Row("invoice-pdf", "get", HOUSEHOLD, "invoice"),
    Row("invoice-pay", "post", HOUSEHOLD, "invoice", lambda w: {"kind": "cheque"}),
    Row("admin-invoices", "get", MANAGER),
    Row("admin-invoices", "post", MANAGER),
    Row("admin-invoice-detail", "put", MANAGER, "invoice"),
    Row("admin-billing-runs", "get", MANAGER),
    Row("admin-billing-runs", "post", MANAGER),
    Row("admin-remind-overdue", "post", MANAGER),
    Row("complaints", "get", SIGNED_IN),
    Row("complaints", "post", SIGNED_IN),
    Row("complaint-detail", "get", HOUSEHOLD, "ticket"),
    Row("complaint-status", "patch", HOUSEHOLD, "ticket"),
    Row("complaint-comments", "post", HOUSEHOLD, "ticket"),
    Row("complaint-photos", "post", HOUSEHOLD, "ticket"),
    Row("complaint-assign", "post", MANAGER, "ticket"),
    Row("complaint-rating", "post", HOUSEHOLD, "ticket"),
    Row("admin-helpdesk-categories", "get", MANAGER),
    Row("admin-helpdesk-categories", "put", MANAGER),
    Row("admin-helpdesk-report", "get", MANAGER),
    Row("facilities", "get", SIGNED_IN),
    Row("facility-availability", "get", SIGNED_IN, "facility"),
    Row("facility-bookings", "post", SIGNED_IN, "facility"),  # for one's own unit: 422 else
    Row("bookings", "get", SIGNED_IN),
    Row("booking-cancel", "post", HOUSEHOLD, "booking"),
    Row("booking-pay", "post", HOUSEHOLD, "booking"),  # nothing to pay on a free one: 409
    Row("admin-facilities", "get", MANAGER),
    Row("admin-facilities", "post", MANAGER),
    Row("admin-facility", "get", MANAGER, "facility"),
    Row("admin-facility", "put", MANAGER, "facility"),
    Row("admin-facility-closures", "get", MANAGER, "facility"),
    Row("admin-facility-closures", "post", MANAGER, "facility"),
    Row("admin-facilities-approvals", "get", MANAGER),
    Row("admin-booking-decision", "post", MANAGER, "booking"),
    Row("admin-booking-close", "post", MANAGER, "booking"),
    Row("admin-facilities-report", "get", MANAGER),
    Row(
        "admin-facility-photos",
        "post",
        MANAGER,
        "facility",
        lambda w: {"photos": photo()},
        multipart=True,
    ),
    Row("admin-facility-photo", "delete", MANAGER, "facility_photo"),
    Row("staff-tasks", "get", SIGNED_IN),  # a resident's list is empty
    Row("staff-task-complete", "patch", frozenset({M, C}), "task"),  # the cleaners' queue
    Row("admin-task-templates", "get", MANAGER),
    Row("admin-task-templates", "post", MANAGER),
    Row("admin-task-template", "get", MANAGER, "task_template"),
    Row("admin-task-template", "put", MANAGER, "task_template"),
    Row("admin-tasks", "post", MANAGER),
    Row("admin-tasks", "get", MANAGER),
    Row("admin-task-week", "get", MANAGER),
    Row("staff-patrol-scan", "post", GATE),
    Row("staff-patrol-rounds", "get", GATE),
    Row("sync", "post", STAFF | MANAGER),
    Row("staff-check-in", "post", STAFF),
    Row("staff-check-out", "post", STAFF),
    Row("admin-checkpoints", "get", MANAGER),
    Row("admin-checkpoints", "post", MANAGER),
    Row("admin-checkpoint", "get", MANAGER, "checkpoint"),
    Row("admin-checkpoint", "put", MANAGER, "checkpoint"),
    Row("admin-checkpoint-stickers", "get", MANAGER),
    Row("admin-patrol-routes", "get", MANAGER),
    Row("admin-patrol-routes", "post", MANAGER),
    Row("admin-patrol-route", "get", MANAGER, "patrol_route"),
    Row("admin-patrol-route", "put", MANAGER, "patrol_route"),
    Row("admin-on-duty", "get", MANAGER),
    Row("staff-incidents", "get", STAFF | MANAGER),
    Row("staff-incidents", "post", STAFF | MANAGER),
    Row("staff-incident", "get", GATE, "incident"),  # other staff: only their own reports
    Row("admin-incident-follow-up", "post", MANAGER, "incident"),
    Row("admin-incidents-export", "get", MANAGER),
    Row("admin-patrol-report", "get", MANAGER),
    Row("admin-attendance", "get", MANAGER),
    Row("admin-holidays", "get", MANAGER),
    Row("admin-holidays", "post", MANAGER),
    Row("admin-holiday", "delete", MANAGER, "holiday"),
    Row("admin-report", "get", MANAGER, "report"),
    Row("admin-tariffs", "get", MANAGER),
    Row("admin-tariffs", "post", MANAGER),
    Row("admin-tariff-detail", "put", MANAGER, "tariff"),
    Row("admin-tariff-change", "post", MANAGER, "tariff"),
    Row("admin-charges", "get", MANAGER),
    Row("admin-charges", "post", MANAGER),
    Row("admin-billing-settings", "get", MANAGER),
    Row("admin-billing-settings", "patch", MANAGER),
    Row("unit-statement", "get", HOUSEHOLD, "unit"),
    Row("unit-virtual-account", "get", HOUSEHOLD, "unit"),
    Row("unit-virtual-account", "post", MANAGER, "unit"),
    Row("payment-list", "get", SIGNED_IN),
    Row("payment-receipt", "get", HOUSEHOLD, "payment"),
    Row("admin-payments", "get", MANAGER),
    Row("admin-payments", "post", MANAGER),
    Row("admin-payment-reverse", "post", MANAGER, "payment"),
    Row("admin-refunds", "get", MANAGER),
    Row("admin-refunds", "post", MANAGER),
    Row("transfer-proofs", "get", SIGNED_IN),
    Row("transfer-proofs", "post", HOUSEHOLD, body=_proof_body, multipart=True),
    Row("admin-transfer-proofs", "get", MANAGER),
    Row("admin-transfer-proof-review", "post", MANAGER, "proof"),
    Row("xendit-callback", "post", SAME_FOR_ALL),
    Row("admin-xendit", "get", MANAGER),
    Row("admin-xendit", "patch", MANAGER),
    Row("admin-payment-attempts", "get", MANAGER),
    Row("access-pass", "get", RESIDENTS),
    Row("access-keys", "get", GATE),
    Row("access-offline-list", "get", GATE),
    Row("access-verify", "post", GATE),
    Row("access-exit", "post", GATE),
    Row("access-inside", "get", GATE),
    Row("walk-ins", "get", SIGNED_IN),
    Row("walk-ins", "post", GATE),
    Row("walk-in-answer", "post", frozenset({M, R, G}), "walk_in", lambda w: {"allow": True}),
    Row("parcels", "get", SIGNED_IN),
    Row("parcels", "post", GATE),
    Row("parcel-pick-up", "post", GATE, "parcel"),
    Row("access-code-generate", "post", HOUSEHOLD, body=lambda w: {"unit": w["unit"].pk}),
    Row("guest-list", "get", SIGNED_IN),
    Row("guest-register", "post", HOUSEHOLD, body=_guest_body),
    Row("guest-cancel", "post", HOUSEHOLD, "guest"),
    Row("admin-access-logs", "get", GATE),
    Row("admin-access-export", "get", MANAGER),
    Row("twilio-status", "post", SAME_FOR_ALL),
    Row("whatsapp-webhook", "get", SAME_FOR_ALL),
    Row("whatsapp-webhook", "post", SAME_FOR_ALL),
    Row("notification-preferences", "get", SIGNED_IN),
    Row("notification-preferences", "put", SIGNED_IN),
    Row("notification-consents", "post", SIGNED_IN),
    Row("push-key", "get", SIGNED_IN),
    Row("push-subscriptions", "post", SIGNED_IN),
    Row("push-subscription-detail", "delete", frozenset({R}), "push"),
    Row("admin-outbox", "get", MANAGER),
    Row("admin-outbox-resend", "post", MANAGER, "message"),
    Row("inbox", "get", SIGNED_IN),
    Row("inbox-read", "post", frozenset({R}), "inbox_entry"),
    Row("inbox-read-all", "post", SIGNED_IN),
    Row("admin-notification-settings", "get", MANAGER),
    Row("admin-notification-settings", "patch", MANAGER),
    Row("admin-notification-test", "post", MANAGER),
    Row("announcements", "get", SIGNED_IN),
    Row("announcements", "post", MANAGER),
    Row("admin-announcement", "patch", MANAGER, "announcement"),
    Row("admin-announcement-publish", "post", MANAGER, "announcement"),
    Row("admin-announcement-withdraw", "post", MANAGER, "announcement"),
    Row("admin-announcement-remind", "post", MANAGER, "announcement"),
    Row("admin-announcement-reads", "get", MANAGER, "announcement"),
    Row("admin-announcement-attachments", "post", MANAGER, "announcement"),
    Row("attachment", "get", SIGNED_IN, "attachment"),
    Row("admin-attachment", "delete", MANAGER, "attachment"),
    Row("polls", "get", SIGNED_IN),
    Row("poll", "get", SIGNED_IN, "poll"),
    Row("poll-votes", "post", RESIDENTS, "poll", lambda w: {"options": [w["poll_option"].pk]}),
    Row("poll-results", "get", SIGNED_IN, "poll"),
    Row("poll-minutes", "get", SIGNED_IN, "closed_poll"),
    Row("admin-polls", "get", MANAGER),
    Row("admin-polls", "post", MANAGER),
    Row("admin-poll", "get", MANAGER, "poll"),
    Row("admin-poll", "patch", MANAGER, "poll"),
    Row("admin-poll-close", "post", MANAGER, "poll"),
    Row("admin-poll-attachments", "post", MANAGER, "poll"),
    Row("admin-poll-cancel", "post", MANAGER, "poll"),
    Row("admin-audit", "get", MANAGER),
    # Public, but a token sent along is still checked: another complex's is refused.
    Row("api-schema", "get", EVERYONE - {FOREIGN}),
    Row("api-docs", "get", EVERYONE - {FOREIGN}),
    Row("privacy-notice-api", "get", EVERYONE - {FOREIGN}),  # read before registering
    Row("privacy-consent-api", "post", SIGNED_IN),
    Row("privacy-choices", "get", SIGNED_IN),
    Row("privacy-opt-ins", "post", SIGNED_IN),
    Row("privacy-requests-api", "get", SIGNED_IN),
    Row("privacy-requests-api", "post", SIGNED_IN),
    Row("privacy-request-api", "get", HOUSEHOLD, "data_request"),  # the person, or a manager
    Row("privacy-download-api", "get", frozenset({R}), "data_request"),  # the person alone
    Row("privacy-lift", "post", SIGNED_IN),
    Row("admin-privacy-requests", "get", MANAGER),
    Row("admin-privacy-complete", "post", MANAGER, "data_request"),  # a copy is automatic: 409
    Row("admin-privacy-reject", "post", MANAGER, "data_request"),
    Row("admin-privacy-notice", "post", MANAGER),
]

PAGES = [
    Row("healthz", "get", EVERYONE),
    Row("readyz", "get", EVERYONE),
    Row("metrics", "get", NOBODY),  # the scraper's token or network, never a role (test_metrics)
    Row("favicon", "get", EVERYONE),
    Row("manifest", "get", EVERYONE),
    Row("service-worker", "get", EVERYONE),
    Row("offline", "get", EVERYONE),
    Row("home", "get", EVERYONE),
    Row("login", "get", EVERYONE),
    Row("login-code", "get", EVERYONE),
    Row("login-passkey", "post", EVERYONE),
    Row("gate-settings", "post", MANAGER),
    Row("password-reset", "get", EVERYONE),
    Row("logout", "post", EVERYONE),
    Row("choose-language", "post", EVERYONE),
    Row("profile-page", "get", SIGNED_IN),
    Row("my-notifications", "get", SIGNED_IN),
    Row("inbox-page", "get", SIGNED_IN),
    Row("inbox-bell", "get", SIGNED_IN),
    Row("inbox-open", "get", frozenset({R}), "inbox_entry"),
    Row("inbox-read-page", "post", SIGNED_IN),
    Row("dashboard-live", "get", MANAGER),
    Row("notifications-outbox", "get", MANAGER),
    Row("notifications-resend", "post", MANAGER, "message"),
    Row("notifications-settings", "get", MANAGER),
    Row("notifications-test", "post", MANAGER),
    Row("invoices-page", "get", SIGNED_IN),
    Row("my-units", "get", SIGNED_IN),
    Row("announcements-page", "get", SIGNED_IN),
    Row("announcement-edit", "get", MANAGER, "announcement"),
    Row("announcement-action", "post", MANAGER, "announcement"),
    Row("announcement-reads", "get", MANAGER, "announcement"),
    Row("attachment-page", "get", SIGNED_IN, "attachment"),
    Row("polls-page", "get", SIGNED_IN),
    Row("poll-page", "get", SIGNED_IN, "poll"),
    Row("poll-minutes-page", "get", SIGNED_IN, "closed_poll"),
    Row("poll-new", "get", MANAGER),
    Row("poll-edit", "get", MANAGER, "poll"),
    Row("poll-close", "post", MANAGER, "poll"),
    Row("poll-cancel", "post", MANAGER, "poll"),
    Row("units-page", "get", MANAGER),
    Row("unit-new-page", "get", MANAGER),
    Row("unit-page", "get", MANAGER, "unit"),
    Row("unit-edit-page", "get", MANAGER, "unit"),
    Row("unit-move-in-page", "post", MANAGER, "unit"),
    Row("unit-vehicle-page", "post", MANAGER, "unit"),
    Row("stay-action-page", "post", MANAGER, "occupancy"),
    Row("vehicle-remove-page", "post", MANAGER, "vehicle"),
    Row("units-import-page", "get", MANAGER),
    Row("billing-runs-page", "get", MANAGER),
    Row("tariffs-page", "get", MANAGER),
    Row("charges-page", "get", MANAGER),
    Row("reports-page", "get", MANAGER),
    Row("report-page", "get", MANAGER, "report"),
    Row("remind-overdue-page", "get", MANAGER),
    Row("billing-settings-page", "get", MANAGER),
    Row("xendit-settings-page", "get", MANAGER),
    Row("settings-page", "get", MANAGER),
    Row("audit-trail-page", "get", MANAGER),
    Row("complaints-page", "get", SIGNED_IN),
    Row("complaint-page", "get", HOUSEHOLD, "ticket"),
    Row("complaint-action", "post", HOUSEHOLD, "ticket"),
    Row("complaint-photo", "get", HOUSEHOLD, "ticket"),
    Row("facilities-page", "get", SIGNED_IN),
    Row("facility-page", "get", SIGNED_IN, "facility"),
    Row("bookings-page", "get", SIGNED_IN),
    Row("booking-page", "get", HOUSEHOLD, "booking"),
    Row("booking-action", "post", HOUSEHOLD, "booking"),  # no action named: 400
    Row("booking-ics", "get", HOUSEHOLD, "booking"),
    Row("bookings-feed", "get", NOBODY),  # only with its owner's token (test_calendar)
    Row("bookings-day-ahead", "get", frozenset({M, G, C, F})),
    Row("facilities-calendar", "get", MANAGER),
    Row("facilities-manage", "get", MANAGER),
    Row("facility-new-page", "get", MANAGER),
    Row("facility-edit-page", "get", MANAGER, "facility"),
    Row("facility-closure-page", "post", MANAGER, "facility"),
    Row("facilities-report", "get", MANAGER),
    Row("facility-photos-page", "post", MANAGER, "facility"),  # no photo sent: told so
    Row("facility-photo-remove-page", "post", MANAGER, "facility_photo"),
    Row("facility-photo", "get", SIGNED_IN, "facility_photo"),
    Row("facility-holidays-page", "post", MANAGER),  # nothing named: told so
    Row("tasks-page", "get", frozenset({M, G, C, F})),
    Row("task-complete-page", "post", frozenset({M, C}), "task"),
    Row("task-photo", "get", frozenset({M, C}), "task_photo"),
    Row("manage-tasks-page", "get", MANAGER),
    Row("task-completion-page", "get", MANAGER),
    Row("task-week-page", "get", MANAGER),
    Row("patrol-page", "get", GATE),
    Row("shift-page", "get", STAFF),
    Row("manage-patrols-page", "get", MANAGER),
    Row("patrol-night-page", "get", MANAGER),
    Row("checkpoint-stickers-page", "get", MANAGER),
    Row("checkpoint-page", "get", MANAGER, "checkpoint"),
    Row("route-new-page", "get", MANAGER),
    Row("route-page", "get", MANAGER, "patrol_route"),
    Row("incidents-page", "get", STAFF | MANAGER),
    Row("patrol-report-page", "get", MANAGER),
    Row("attendance-page", "get", MANAGER),
    Row("incident-page", "get", GATE, "incident"),
    Row("incident-photo", "get", GATE, "incident_photo"),
    Row("task-template-new-page", "get", MANAGER),
    Row("task-template-page", "get", MANAGER, "task_template"),
    Row("helpdesk-queue", "get", MANAGER),
    Row("helpdesk-queue", "post", MANAGER),
    Row("helpdesk-report", "get", MANAGER),
    Row("helpdesk-settings", "get", MANAGER),
    Row("helpdesk-settings", "post", MANAGER),
    Row("invitations-page", "get", MANAGER),
    Row("invitation-action-page", "post", MANAGER, "invitation"),
    Row("register-page", "get", EVERYONE),
    Row("tariff-change-page", "post", MANAGER, "tariff"),
    Row("staff-page", "get", MANAGER),
    Row("api-keys-page", "get", MANAGER),
    Row("billing-run-page", "get", MANAGER, "run"),
    Row("invoice-page", "get", HOUSEHOLD, "invoice"),
    Row("invoice-pdf-page", "get", HOUSEHOLD, "invoice"),
    Row("invoice-pay-page", "post", HOUSEHOLD, "invoice"),
    Row("invoice-payment-outcome", "get", HOUSEHOLD, "invoice"),
    Row("invoice-action", "post", MANAGER, "invoice"),
    Row("payments-page", "get", SIGNED_IN),
    Row("my-account", "get", SIGNED_IN),
    Row("receipt-page", "get", HOUSEHOLD, "payment"),
    Row("manage-payments-page", "get", MANAGER),
    Row("proof-review", "post", MANAGER, "proof"),
    Row("payment-reverse-page", "post", MANAGER, "payment"),
    Row("refund-page", "post", MANAGER),
    Row("proof-image", "get", MANAGER, "proof"),
    Row("my-pass", "get", RESIDENTS),
    Row("my-pass-qr", "get", RESIDENTS),
    Row("my-guests", "get", SIGNED_IN),
    Row("my-guest-cancel", "post", frozenset({R}), "guest"),
    Row("my-guest-share", "get", frozenset({R}), "guest"),
    Row("my-walk-in-answer", "post", HOUSEHOLD, "walk_in"),
    Row("access-log", "get", GATE),
    Row("gate-mode", "get", GATE),
    Row("gate-verify", "post", GATE),
    Row("gate-activity", "get", GATE),
    Row("gate-walk-in-decide", "post", GATE, "walk_in"),
    Row("gate-walk-in", "get", GATE),
    Row("gate-parcels", "get", GATE),
    Row("gate-parcel-hand-over", "post", GATE, "parcel"),
    Row("gate-inside", "get", GATE),
    Row("gate-exit", "post", GATE, "entry"),
    # The operator console lives on the platform's host; inside a complex nobody opens it.
    Row("privacy-page", "get", SIGNED_IN),
    Row("privacy-consent", "get", SIGNED_IN),
    Row("privacy-download", "get", frozenset({R}), "data_request"),
    Row("privacy-requests", "get", MANAGER),
    Row("privacy-request", "get", MANAGER, "data_request"),
    Row("privacy-notice", "get", MANAGER),
    Row("privacy-retention", "get", MANAGER),
    Row("privacy-processing", "get", MANAGER),
    Row("privacy-processing-pdf", "get", MANAGER),
    Row("platform-console", "get", NOBODY),
    Row("platform-security", "get", NOBODY),
    Row("platform-operations", "get", NOBODY),
    Row("platform-task-retry", "post", NOBODY, "failed_task"),
    Row("platform-breaches", "get", NOBODY),
    Row("platform-breach", "get", NOBODY, "breach"),
    Row("platform-breach-pdf", "get", NOBODY, "breach"),
    Row("platform-tenant-action", "post", NOBODY, "slug"),
]


def _routes() -> Iterator[tuple[str, str]]:
    def walk(patterns: list[Any], prefix: str) -> Iterator[tuple[str, str]]:
        for entry in patterns:
            if isinstance(entry, URLResolver):
                yield from walk(entry.url_patterns, prefix + str(entry.pattern))
            elif isinstance(entry, URLPattern):
                yield prefix + str(entry.pattern), str(entry.name)

    yield from walk(get_resolver().url_patterns, "")


def test_every_route_has_a_row() -> None:
    named = {name for _route, name in _routes()}
    rows = {row.name for row in API + PAGES}
    assert not named - rows, f"routes without a row in the permission matrix: {named - rows}"
    assert not rows - named, f"rows for routes that no longer exist: {rows - named}"


# --- The world: one complex with every kind of object, all of unit A-01 -----------------


@pytest.fixture
def world(tenant_a, tenant_b, monkeypatch, settings, tmp_path) -> dict[str, Any]:
    settings.MEDIA_ROOT = tmp_path
    settings.METRICS_ALLOWED_NETWORKS = []  # as in production: the test client is on loopback
    for scope in ("ip", "user", "public", "phone"):  # this is about roles, not rate limits
        monkeypatch.setitem(SimpleRateThrottle.THROTTLE_RATES, scope, "100000/min")
    seeded = seed_complex(tenant_a, marker="alpha")
    beta = seed_complex(tenant_b, marker="beta")
    unit, other = seeded.units
    with tenant_context(tenant_a):
        users = {M: "081300000001", R: "081300000002"}
        for role, phone, kind in (
            (N, "081300000003", Role.RESIDENT),
            (G, "081300000004", Role.SECURITY_STAFF),
            (C, "081300000005", Role.CLEANING_STAFF),
            (F, "081300000006", Role.FACILITY_STAFF),
        ):
            create_user(phone=phone, name=role, password=PASSWORD, roles=[kind])
            users[role] = phone
        accounts = {
            role: User.objects.get(phone="+62" + phone[1:]) for role, phone in users.items()
        }
        neighbour = Resident.objects.create(name=N, phone="+6281300000003", user=accounts[N])
        Occupancy.objects.create(
            unit=other, resident=neighbour, role="renter", start_on="2025-01-01"
        )
        resident = Resident.objects.get(user=accounts[R])
        host, guard = accounts[R], accounts[G]
        tokens = {role: issue_token(user=user)[0] for role, user in accounts.items()}
        now = timezone.now()
        invoice = Invoice.objects.create(
            unit=unit, period="2026-11-01", number="INV/1", due_on="2026-11-10", subtotal=1, total=1
        )
        objects = {
            "unit": unit,
            "occupancy": Occupancy.objects.get(resident=resident),
            "resident": resident,
            "vehicle": Vehicle.objects.create(unit=unit, plate="B1234XYZ"),
            "invitation": Invitation.objects.create(
                code_hash="x",
                unit=unit,
                name="Tamu",
                phone="+6281300000099",
                occupancy_role="owner",
                expires_at=now + timedelta(7),
            ),
            "invoice": invoice,
            "tariff": Tariff.objects.create(charge="IPL", rate=1, effective_from="2026-01-01"),
            "payment": Payment.objects.create(
                unit=unit, amount=1, method="cash", receipt_number="KWT/1", paid_at=now
            ),
            "proof": TransferProof.objects.create(
                unit=unit,
                amount=1,
                transferred_on=date.today(),
                image=photo(),
                submitted_by=host,
            ),
            "guest": register_guest(
                host=host, unit=unit, guest_name="Tamu", starts_at=now, ends_at=now + timedelta(1)
            )[0],
            "walk_in": WalkIn.objects.create(
                unit=unit,
                visitor_name="Budi",
                purpose="tamu",
                gate="Utama",
                guard=guard,
                created_at=now,
                answer_by=now + timedelta(minutes=5),
            ),
            "parcel": Parcel.objects.create(
                unit=unit,
                recipient_name="Ani",
                courier="JNE",
                gate="Utama",
                received_by=guard,
                received_at=now,
            ),
            "token": ApiToken.objects.filter(user=host).order_by("-pk").first(),
            "passkey": Passkey.objects.create(
                user=host, credential_id=b"credential", public_key=b"x", name="Pixel"
            ),
            "push": PushSubscription.objects.create(
                user=host, endpoint="https://fcm.googleapis.com/fcm/send/r", p256dh="x", auth="y"
            ),
            "message": Message.objects.create(
                to_name="Resident",
                to_address="+6281300000002",
                channel="whatsapp",
                category="billing",
                template="test",
                context={},
                status="failed",
                next_attempt_at=now,
            ),
            "inbox_entry": Message.objects.create(
                recipient=host,
                to_name="Resident",
                to_address="inbox",
                channel="inbox",
                category="billing",
                template="test",
                context={},
                status="delivered",
                next_attempt_at=now,
            ),
            "run": BillingRun.objects.create(period="2026-11-01"),
            "api_key": create_api_key(
                name="Akuntansi", scope="billing", expires_at=now + timedelta(30), actor=accounts[M]
            )[0],
            "virtual_account": UnitVirtualAccount.objects.create(
                unit=unit,
                bank="BCA_VIRTUAL_ACCOUNT",
                number="1234567890",
                reference_id="va-1",
                payment_request_id="pr-1",
            ),
        }
        objects["ticket"] = file_ticket(
            actor=host,
            category=Category.objects.get(name="Kebersihan"),
            title="Sampah",
            description="Belum diangkut",
            unit=unit,
        )
        [objects["ticket_photo"]] = add_photos(
            ticket=objects["ticket"],
            images=[ImageField().clean(photo())],
            actor=host,
            kind="problem",
        )
        objects["facility"] = Facility.objects.create(name="Lapangan tenis")
        objects["holiday"] = Holiday.objects.create(day=date(2026, 12, 25), name="Natal")
        objects["task_template"] = TaskTemplate.objects.create(
            title="Sapu", queue=Role.CLEANING_STAFF, at=time(6), starts_on=date(2026, 1, 1)
        )
        objects["task"] = Task.objects.create(
            title="Sapu", queue=Role.CLEANING_STAFF, starts_at=now, due_at=now
        )
        objects["checkpoint"] = Checkpoint.objects.create(name="Pos 1")
        objects["patrol_route"] = PatrolRoute.objects.create(
            name="Ronda", at=time(22), until=time(4), starts_on=date(2026, 1, 1)
        )
        objects["incident"] = Incident.objects.create(
            kind="theft",
            severity="minor",
            occurred_at=now,
            location="Blok A",
            description="Sepeda hilang",
            reported_at=now,
            received_at=now,
            client_id=uuid.uuid4(),
        )
        objects["incident_photo"] = IncidentPhoto.objects.create(
            incident=objects["incident"], image=photo("c.png"), thumbnail=photo("d.png")
        )
        objects["task_photo"] = TaskPhoto.objects.create(
            task=objects["task"], image=photo("a.png"), thumbnail=photo("b.png")
        )
        [objects["facility_photo"]] = add_facility_photos(
            facility=objects["facility"], images=[ImageField().clean(photo())], actor=host
        )
        objects["booking"] = Booking.objects.create(
            facility=objects["facility"],
            unit=unit,
            booked_by=host,
            start=now + timedelta(days=3),
            end=now + timedelta(days=3, hours=1),
            exclusive=True,
            status="confirmed",
        )
        objects["entry"] = AccessLog.objects.create(
            kind="guest_entry", method="guest_code", result="valid", at=now
        )
        objects["announcement"] = Announcement.objects.create(
            title="Kerja bakti", body="Minggu pagi", posted_by=host, posted_at=now
        )
        objects["attachment"] = Attachment.objects.create(
            announcement=objects["announcement"],
            file=ContentFile(b"%PDF-1.4", name="jadwal.pdf"),
            name="jadwal.pdf",
            content_type="application/pdf",
            size=8,
        )
        poll_fields = {
            "actor": accounts[M],
            "question": "Ganti satpam?",
            "options": ["Ya", "Tidak"],
            "opens_at": now,
            "closes_at": now + timedelta(days=2),
            "results": "live",
        }
        objects["poll"] = create_poll(**poll_fields)
        objects["poll_option"] = objects["poll"].options.first()
        objects["closed_poll"] = close_poll(poll=create_poll(**poll_fields), actor=accounts[M])
        objects["data_request"] = DataRequest.objects.create(  # the resident's copy, ready
            user=host,
            kind=DataRequest.Kind.ACCESS,
            status=DataRequest.Status.COMPLETED,
            due_at=now + timedelta(hours=72),
            export=ContentFile(b"PK", name="data.zip"),
            export_expires_at=now + timedelta(days=7),
        )
        objects["slug"] = tenant_b  # the platform action names a complex by slug
        objects["breach"] = Breach.objects.create(  # the platform's own record
            what="x", discovered_at=now, complexes=["alpha"], categories=["contact"], remedy="x"
        )
        objects["failed_task"] = FailedTask.objects.create(  # the platform's own record
            queue="default", task="x", error="x", message=b"x"
        )
        objects["report"] = "aging"  # a report is named by its slug
    tokens[FOREIGN] = beta.manager_token
    return {**objects, "tokens": tokens, "phones": users, "tenant": tenant_a, "beta": tenant_b}


def _watch_writes(tenant: Any) -> None:
    """Temporary triggers count every write to the complex's tables in ``temp.writes``.

    Sessions, content types and a token's ``last_used_at`` are left out: signing a
    request in and noting when a token was last used are not the refused action.
    The triggers live on the test's connection and go with its rollback.
    """
    alias = alias_for(tenant)
    connection = connections[alias]
    skipped = {"django_session", "django_content_type"}
    with connection.cursor() as cursor:
        cursor.execute("CREATE TEMP TABLE writes (tbl TEXT)")
        for model in apps.get_models(include_auto_created=True):  # many-to-many tables too
            table = model._meta.db_table
            platform = model._meta.label_lower in settings.PLATFORM_MODELS
            if model._meta.app_label in settings.PLATFORM_APPS or platform or table in skipped:
                continue
            if model._meta.proxy or not model._meta.managed:
                continue
            columns = ", ".join(
                f'"{f.column}"' for f in model._meta.concrete_fields if f.column != "last_used_at"
            )
            for event in ("INSERT", "DELETE", f"UPDATE OF {columns}"):
                name = f"watch_{table}_{event.split()[0].lower()}"
                cursor.execute(  # names from the models' own metadata
                    f'CREATE TEMP TRIGGER "{name}" AFTER {event} ON main."{table}" '  # noqa: S608
                    f"BEGIN INSERT INTO writes VALUES ('{table}'); END"
                )


def _writes(tenant: Any) -> list[str]:
    with connections[alias_for(tenant)].cursor() as cursor:
        cursor.execute("SELECT DISTINCT tbl FROM temp.writes")
        return [table for (table,) in cursor.fetchall()]


@contextmanager
def _rolled_back(tenant: Any) -> Iterator[None]:
    """The request's writes, in the complex and on the platform, undone afterwards."""
    alias = alias_for(tenant)
    with transaction.atomic(using=alias), transaction.atomic(using="default"):
        yield
        transaction.set_rollback(True, using=alias)
        transaction.set_rollback(True, using="default")


def _url(row: Row, world: dict[str, Any]) -> str:
    route = next(route for route, name in _routes() if name == row.name)
    if row.obj == "slug":
        route = route.replace("<slug:slug>", world["slug"].slug)
    elif row.obj == "report":
        route = route.replace("<slug:name>", world["report"])
    elif row.obj:
        route = route.replace("<int:pk>", str(world[row.obj].pk))
        route = route.replace("<int:photo>", str(world["ticket_photo"].pk))
    if row.name in ("healthz", "readyz", "metrics"):
        return f"/{route}"
    return f"/c/alpha/{route}"


@dataclass
class Verdicts:
    wrong: list[str] = field(default_factory=list)

    def check(self, row: Row, role: str, status: int, location: str, *, api: bool) -> None:
        if row.allowed is SAME_FOR_ALL:
            return  # compared across roles by the caller
        to_sign_in = status == 302 and "/login" in location
        refused = status in (401, 403, 404) or (not api and to_sign_in)
        if role in row.allowed:
            if refused:
                self.wrong.append(f"{row.method} {row.name}: {role} refused ({status})")
        elif not refused:
            self.wrong.append(f"{row.method} {row.name}: {role} allowed ({status})")
        elif api and role in (ANONYMOUS, FOREIGN) and status != 401:
            self.wrong.append(f"{row.method} {row.name}: {role} got {status}, not 401")


def _refused_write(row: Row, role: str) -> bool:
    return row.method != "get" and row.allowed is not None and role not in row.allowed


def _api_client(world: dict[str, Any], role: str) -> Client:
    token = world["tokens"].get(role)
    return Client(HTTP_AUTHORIZATION=f"Bearer {token}") if token else Client()


def test_every_api_route_answers_each_role_as_the_matrix_says(world) -> None:
    _watch_writes(world["tenant"])
    verdicts = Verdicts()
    for row in API:
        url = _url(row, world)
        statuses = set()
        for role in ROLES:
            body = row.body(world) if row.body else {}
            refused_write = _refused_write(row, role)
            with _rolled_back(world["tenant"]):
                client = _api_client(world, role)
                send = getattr(client, row.method)
                if row.method == "get":
                    response = send(url)
                elif row.multipart:
                    response = send(url, body)
                else:
                    response = send(url, body, content_type="application/json")
                # before the rollback undoes it: what the refused request left behind
                wrote = refused_write and _writes(world["tenant"])
            statuses.add(response.status_code)
            verdicts.check(row, role, response.status_code, "", api=True)
            if wrote:
                verdicts.wrong.append(f"{row.method} {row.name}: {role}'s refusal wrote {wrote}")
        if row.allowed is None and len(statuses) != 1:
            verdicts.wrong.append(f"{row.method} {row.name}: answers differ by role {statuses}")
    assert not verdicts.wrong, "\n".join(verdicts.wrong)


def _browsers(world: dict[str, Any]) -> dict[str, Client]:
    browsers = {ANONYMOUS: Client()}
    for role, phone in world["phones"].items():
        browser = Client()
        signed_in = browser.post("/c/alpha/login", {"username": phone, "password": PASSWORD})
        assert signed_in.status_code == 302, role
        browsers[role] = browser
    foreign = Client()
    assert (
        foreign.post("/c/beta/login", {"username": "081300000001", "password": PASSWORD})
    ).status_code == 302
    browsers[FOREIGN] = foreign
    return browsers


def test_every_portal_page_answers_each_role_as_the_matrix_says(world, settings) -> None:
    settings.XENDIT_API_URL = "http://127.0.0.1:9"  # paying reaches no gateway here
    browsers = _browsers(world)
    _watch_writes(world["tenant"])
    verdicts = Verdicts()
    for row in PAGES:
        url = _url(row, world)
        for role in ROLES:
            if row.name == "logout":
                continue  # signs the browser out: checked with every role once, below
            refused_write = _refused_write(row, role)
            with _rolled_back(world["tenant"]):
                response = getattr(browsers[role], row.method)(url)
                wrote = refused_write and _writes(world["tenant"])
            verdicts.check(row, role, response.status_code, response.get("Location", ""), api=False)
            if wrote:
                verdicts.wrong.append(f"{row.method} {row.name}: {role}'s refusal wrote {wrote}")
    logout = next(row for row in PAGES if row.name == "logout")
    for role in ROLES:
        response = browsers[role].post(_url(logout, world))
        verdicts.check(logout, role, response.status_code, "", api=False)
    assert not verdicts.wrong, "\n".join(verdicts.wrong)


def test_a_manager_who_also_lives_there_holds_both_roles(tenant_a) -> None:
    with tenant_context(tenant_a):
        user = create_user(
            phone="081355559999", name="Pak RT", roles=[Role.PROPERTY_MANAGER, Role.RESIDENT]
        )
        token = issue_token(user=user)[0]
    me = Client(HTTP_AUTHORIZATION=f"Bearer {token}").get("/c/alpha/api/v1/auth/me").json()
    assert me["data"]["roles"] == ["property_manager", "resident"]
    assert (
        Client(HTTP_AUTHORIZATION=f"Bearer {token}").get("/c/alpha/api/v1/admin/staff").status_code
        == 200
    )

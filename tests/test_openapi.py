"""The OpenAPI document, and the API checked against it by schemathesis."""

from __future__ import annotations

import pytest
import schemathesis
from django.test import Client
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, settings
from rest_framework.throttling import SimpleRateThrottle
from schemathesis.specs.openapi.checks import positive_data_acceptance

from klustera.wsgi import application
from tests.seed import seed_complex

schema = schemathesis.openapi.from_dict(SchemaGenerator().get_schema(request=None, public=True))
schema.app = application


@pytest.mark.django_db
def test_the_schema_and_its_docs_page_are_served_from_local_files() -> None:
    client = Client()
    document = client.get("/api/v1/schema/?format=json")
    assert document.status_code == 200
    paths = document.json()["paths"]
    assert "/api/v1/auth/login" in paths and "/api/v1/admin/notifications/outbox" in paths
    login_ok = paths["/api/v1/auth/login"]["post"]["responses"]["200"]["content"]
    envelope = login_ok["application/json"]["schema"]
    assert envelope["properties"]["success"] == {"type": "boolean", "enum": [True]}
    assert "429" in paths["/api/v1/auth/login"]["post"]["responses"]
    docs = client.get("/api/v1/docs/").content.decode()
    assert "swagger-ui" in docs and "cdn" not in docs.lower()
    assert "/static/drf_spectacular_sidecar/" in docs


@pytest.fixture
def keep_test_transaction():
    """As Django's test client does: requests must not close the test's open transaction."""
    from django.core import signals
    from django.db import close_old_connections

    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def manager_header(tenant_a, monkeypatch, keep_test_transaction):
    # Generous limits: this test is about schemas, not rate limits.
    for scope in ("ip", "user", "public", "phone"):
        monkeypatch.setitem(SimpleRateThrottle.THROTTLE_RATES, scope, "100000/min")
    data = seed_complex(tenant_a, marker="alpha")
    return {"Authorization": f"Bearer {data.manager_token}"}


# Where a business rule alone decides, a schema-valid request is still refused: these
# operations skip the positive-data check, each for the reason given. Every other check
# runs everywhere: no 5xx, documented status codes, bodies that match their schema, and
# schema-violating requests refused.
MISSING_OBJECT = "an id that does not exist in this complex is refused"
BUSINESS_RULES = {
    "POST /api/v1/admin/invitations": MISSING_OBJECT,
    "POST /api/v1/admin/invoices": MISSING_OBJECT,
    "POST /api/v1/admin/payments": MISSING_OBJECT,
    "POST /api/v1/admin/refunds": MISSING_OBJECT + "; a refund needs credit to pay back",
    "POST /api/v1/admin/charges": MISSING_OBJECT + "; a month already billed takes no charge",
    "POST /api/v1/admin/units/{id}/occupancies": MISSING_OBJECT,
    "POST /api/v1/admin/api-keys": "a key expires within a year from now",
    "POST /api/v1/admin/staff": "a password must not be a common one",
    "POST /api/v1/admin/tariffs": "a tariff ends after it starts",
    "PUT /api/v1/admin/tariffs/{id}": "a tariff ends after it starts",
    "POST /api/v1/admin/billing-runs": "only months up to next month can be billed",
    "POST /api/v1/admin/occupancies/{id}/move-out": "a stay cannot end before it started",
    "POST /api/v1/admin/units": "an area is never negative",
    "POST /api/v1/admin/units/import": "the file's content must be a readable CSV or XLSX",
    "POST /api/v1/announcements": "blocks must be ones the complex has; expiry in the future",
    "PATCH /api/v1/admin/announcements/{id}": "blocks must be ones the complex has",
    "POST /api/v1/admin/announcements/{id}/attachments": "a PDF or a real photo, 5 MB at most",
    "POST /api/v1/admin/polls/{id}/attachments": "a PDF or a real photo; none once people voted",
    "DELETE /api/v1/admin/attachments/{id}": "a poll's attachments stay once people voted",
    "POST /api/v1/admin/announcements/{id}/publish": "only a draft or scheduled one is published",
    "POST /api/v1/admin/announcements/{id}/withdraw": "an announcement is withdrawn once",
    "POST /api/v1/admin/announcements/{id}/remind": "only a published announcement is reminded",
    "POST /api/v1/auth/password": "the current password must be the right one",
    "POST /api/v1/auth/register": "an invitation code must exist; a password must not be common",
    "POST /api/v1/privacy/consent": "the version accepted must be the notice in force",
    "POST /api/v1/privacy/requests": "a correction says what to correct",
    "POST /api/v1/auth/password/reset": "a reset code must exist; a password must not be common",
    "POST /api/v1/guests/register": "a visit ends after it starts, within 31 days",
    "POST /api/v1/access-codes/generate": MISSING_OBJECT,
    "POST /api/v1/notifications/push-subscriptions": "the endpoint must be a push service's",
    "POST /api/v1/access/walk-ins": MISSING_OBJECT + "; a photo must be a real image",
    "POST /api/v1/access/parcels": MISSING_OBJECT + "; a photo must be a real image",
    "POST /api/v1/payments/transfer-proofs": MISSING_OBJECT + "; the image must be a real one",
    "PATCH /api/v1/admin/billing-settings": "a logo must be a real image",
    "PUT /api/v1/admin/invoices/{id}": "a paid invoice cannot be cancelled or moved",
    "POST /api/v1/admin/payments/{id}/reverse": "a payment is reversed once",
    "POST /api/v1/admin/transfer-proofs/{id}/review": "a rejection needs a reason",
    "POST /api/v1/access/exit": MISSING_OBJECT,
    "POST /api/v1/access/walk-ins/{id}/answer": "the answer time must be over for the gate",
    "POST /api/v1/access/parcels/{id}/pick-up": "a parcel is handed over once",
    "POST /api/v1/invoices/{id}/pay": "online payment must be set up and the invoice open",
    "POST /api/v1/complaints": MISSING_OBJECT + "; a photo must be a real image",
    "POST /api/v1/complaints/{id}/photos": "a photo must be a real image",
    "PATCH /api/v1/complaints/{id}/status": "a move must be one the ticket's state allows",
    "POST /api/v1/complaints/{id}/comments": "a finished ticket takes no comment",
    "POST /api/v1/complaints/{id}/assign": MISSING_OBJECT + "; the assignee must be staff",
    "POST /api/v1/complaints/{id}/rating": "only the reporter rates, once it is resolved",
    "PUT /api/v1/admin/helpdesk/categories": "an answer is due before the resolution; names once",
    "POST /api/v1/facilities/{id}/bookings": "a booking keeps the facility's hours and rules",
    "POST /api/v1/bookings/{id}/cancel": "only a booking that still holds its time is cancelled",
    "POST /api/v1/bookings/{id}/pay": "only a held booking with its invoice open is paid",
    "POST /api/v1/admin/facilities": "a facility's name is its own and its rules make sense",
    "PUT /api/v1/admin/facilities/{id}": "a facility's name is its own and its rules make sense",
    "POST /api/v1/admin/facilities/{id}/closures": "a closure ends after it starts",
    "POST /api/v1/admin/facilities/holidays": "a day is a holiday once",
    "PATCH /api/v1/staff/tasks/{id}/complete": "a finished task takes no second completion",
    "GET /api/v1/staff/tasks": "a day must be in the calendar (no 31 February)",
    "POST /api/v1/admin/task-templates": "a schedule needs its parts; work goes to staff",
    "PUT /api/v1/admin/task-templates/{id}": "a schedule needs its parts; work goes to staff",
    "POST /api/v1/admin/tasks": "work goes to a staff member or a queue, due after it starts",
    "GET /api/v1/admin/tasks": "a day must be in the calendar (no 31 February)",
    "GET /api/v1/admin/tasks/week": "a day must be in the calendar (no 31 February)",
    "POST /api/v1/staff/patrol/checkpoints": "a sticker must be ours, signed for this complex",
    "GET /api/v1/staff/patrol/rounds": "a day must be in the calendar (no 31 February)",
    "POST /api/v1/staff/shift/check-in": "one open shift at a time",
    "POST /api/v1/staff/shift/check-out": "only a shift that is open ends",
    "POST /api/v1/admin/checkpoints": "a position has both its latitude and its longitude",
    "PUT /api/v1/admin/checkpoints/{id}": "a position has both its latitude and its longitude",
    "POST /api/v1/admin/patrol-routes": "a route walks our checkpoints, each once",
    "PUT /api/v1/admin/patrol-routes/{id}": "a route walks our checkpoints, each once",
    "POST /api/v1/staff/incidents": "a report says what and where; a photo must be a real image",
    "POST /api/v1/admin/incidents/{id}/follow-up": "a move must be one the status allows; "
    + MISSING_OBJECT,
    "POST /api/v1/admin/facilities/{id}/photos": "a photo must be a real image; five at most",
    "POST /api/v1/admin/facilities/bookings/{id}/decision": "only a waiting booking is decided",
    "POST /api/v1/admin/facilities/bookings/{id}/close": "only a started confirmed booking",
    "POST /api/v1/admin/polls": "a poll closes after it opens, in the future; options differ",
    "PATCH /api/v1/admin/polls/{id}": "a poll closes after it opens, in the future; options differ",
    "POST /api/v1/polls/{id}/votes": "only a resident votes, in an open poll, for its options",
    "POST /api/v1/admin/polls/{id}/cancel": "a reason is more than blanks; a poll ends once",
}


@schema.parametrize()
@settings(max_examples=8, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
def test_every_operation_answers_within_its_schema(case, manager_header) -> None:
    business_rule = BUSINESS_RULES.get(f"{case.operation.method.upper()} {case.operation.path}")
    case.call_and_validate(
        headers=manager_header,
        excluded_checks=[positive_data_acceptance] if business_rule else [],
    )


def test_every_business_rule_exclusion_names_an_operation() -> None:
    operations = {
        f"{method.upper()} {path}"
        for path, items in schema.raw_schema["paths"].items()
        for method in items
        if method in ("get", "post", "put", "patch", "delete")
    }
    assert not set(BUSINESS_RULES) - operations

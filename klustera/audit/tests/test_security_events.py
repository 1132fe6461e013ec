"""Security events: attempts across complexes and against their doors land in the platform's
own log, and the operator finds them in the console by kind, complex and day."""

from __future__ import annotations

from django.test import Client

from klustera.accounts.models import AuthFailure, User
from klustera.accounts.services import create_user, issue_token
from klustera.audit.models import SecurityEvent
from klustera.privacy.models import DataRequest
from klustera.roles import Role
from klustera.tenancy.context import platform_context, tenant_context


def _kinds() -> list[tuple[str, str, str]]:
    return list(
        SecurityEvent.objects.order_by("pk").values_list("kind", "complex", "other_complex")
    )


def test_a_token_of_one_complex_shown_to_another_is_recorded(tenant_a, tenant_b) -> None:
    with tenant_context(tenant_a):
        user = create_user(phone="081300000002", name="Siti", roles=[Role.RESIDENT])
        token, _ = issue_token(user=user, device_name="hp")
    refused = Client(HTTP_AUTHORIZATION=f"Bearer {token}").get("/c/beta/api/v1/auth/me")
    assert refused.status_code == 401
    [event] = SecurityEvent.objects.all()
    assert (event.kind, event.complex, event.other_complex) == ("foreign_token", "beta", "alpha")
    assert event.ip == "127.0.0.1" and event.route.startswith("api/v1/")
    assert token.partition(".")[2] not in str(vars(event))  # never the secret


def test_failures_lockouts_denials_and_forged_callbacks_are_recorded(tenant_a) -> None:
    with tenant_context(tenant_a):
        create_user(phone="081300000002", name="Siti", password="x-pass-123", roles=[Role.RESIDENT])
        resident = create_user(phone="081300000005", name="Rudi", roles=[Role.RESIDENT])
        token, _ = issue_token(user=resident, device_name="hp")
    Client().post("/c/alpha/login", {"username": "081300000002", "password": "salah"})
    with tenant_context(tenant_a):  # nine more failures: the tenth locks the phone out
        AuthFailure.objects.bulk_create(
            AuthFailure(phone="+6281300000002", kind="password") for _ in range(9)
        )
    Client().post("/c/alpha/login", {"username": "081300000002", "password": "salah"})
    api = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    assert api.get("/c/alpha/api/v1/admin/units").status_code == 403
    forged = Client().post(
        "/c/alpha/api/v1/payments/xendit/callback",
        b"{}",
        content_type="application/json",
        HTTP_X_CALLBACK_TOKEN="guess",
    )
    assert forged.status_code == 401
    kinds = [kind for kind, _complex, _other in _kinds()]
    assert kinds[:2] == ["sign_in_failed", "locked_out"]
    assert "permission_denied" in kinds and "forged_callback" in kinds
    details = " ".join(SecurityEvent.objects.values_list("detail", flat=True))
    assert "081300000002" not in details and "+6281300000002" not in details


def test_someone_elses_data_request_is_not_found_and_recorded(tenant_a) -> None:
    with tenant_context(tenant_a):
        siti = create_user(phone="081300000002", name="Siti", roles=[Role.RESIDENT])
        rudi = create_user(phone="081300000005", name="Rudi", roles=[Role.RESIDENT])
        request = DataRequest.objects.create(
            user=siti, kind="correction", details="x", due_at="2099-01-01T00:00:00Z"
        )
        token, _ = issue_token(user=rudi, device_name="hp")
    other = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    assert other.get(f"/c/alpha/api/v1/privacy/requests/{request.pk}").status_code == 404
    event = SecurityEvent.objects.get(kind="foreign_object")
    assert (event.complex, event.user_id) == ("alpha", rudi.pk)


def test_the_operator_filters_the_log_in_the_console(tenant_a, tenant_b) -> None:
    for complex_, kind in (("alpha", "sign_in_failed"), ("beta", "foreign_token")):
        SecurityEvent.objects.create(kind=kind, complex=complex_, ip="10.0.0.1", route="login")
    with platform_context():
        User.objects.create_superuser("081999000009", "pw-platform-1", name="Operator")
    console = Client()
    console.post("/login", {"username": "081999000009", "password": "pw-platform-1"})
    page = console.get("/platform/security/", {"complex": "beta"}).content.decode()
    assert "Token kompleks lain" in page or "foreign" in page.lower() or "beta" in page
    assert page.count("<tr>") - 1 == 1  # the header row and one event
    everything = console.get("/platform/security/").content.decode()
    assert everything.count("<tr>") == 3
    assert Client().get("/platform/security/").status_code == 302  # signed out: to sign in

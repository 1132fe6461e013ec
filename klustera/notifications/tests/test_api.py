"""The managers' outbox and provider settings; a user's preferences, consent and push."""

from __future__ import annotations

from django.db import connections
from django.test import Client

from klustera.accounts.services import issue_token
from klustera.crypto import DecryptionError, decrypt
from klustera.notifications.models import Message, NotificationSettings, PushSubscription
from klustera.notifications.services import TOKEN_PURPOSE, deliver, notify
from klustera.notifications.tests.conftest import REMINDER
from klustera.tenancy.connections import alias_for
from klustera.tenancy.context import tenant_context
from tests.seed import seed_complex

BASE = "/c/alpha/api/v1"


def _client(token: str) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Bearer {token}")


def _failed_reminder(tenant, user, sim) -> int:
    sim.failures.append(400)
    with tenant_context(tenant):
        [row] = notify(
            recipient=user, template="payment_reminder", context=REMINDER, channels=["whatsapp"]
        )
        assert deliver(message_id=row.pk) == "failed"
    return row.pk


def test_managers_filter_the_outbox_by_status(complex_a, resident, sim, manager_token) -> None:
    failed = _failed_reminder(complex_a, resident, sim)
    with tenant_context(complex_a):
        notify(
            recipient=resident, template="payment_reminder", context=REMINDER, channels=["email"]
        )
    body = _client(manager_token).get(f"{BASE}/admin/notifications/outbox?status=failed").json()
    assert [row["id"] for row in body["data"]] == [failed]
    assert body["meta"]["total"] == 1
    everything = _client(manager_token).get(f"{BASE}/admin/notifications/outbox").json()
    assert everything["meta"]["total"] == 2


def test_a_failed_message_can_be_resent(complex_a, resident, sim, manager_token, committed) -> None:
    failed = _failed_reminder(complex_a, resident, sim)
    response = committed(
        complex_a,
        lambda: _client(manager_token).post(f"{BASE}/admin/notifications/outbox/{failed}/resend"),
    )
    assert response.status_code == 201
    with tenant_context(complex_a):
        assert Message.objects.get(pk=response.json()["data"]["id"]).status == "sent"
    assert len(sim.sent("whatsapp")) == 1


def test_a_one_time_code_is_never_resent(complex_a, resident, sim, manager_token) -> None:
    sim.failures.append(400)
    with tenant_context(complex_a):
        [row] = notify(
            recipient=resident, template="otp", context={"code": "111222"}, channels=["whatsapp"]
        )
        deliver(message_id=row.pk)
    response = _client(manager_token).post(f"{BASE}/admin/notifications/outbox/{row.pk}/resend")
    assert response.status_code == 422
    assert "one-time code" in response.json()["error"]["details"]["detail"][0]


def test_residents_cannot_open_the_outbox(complex_a, resident) -> None:
    with tenant_context(complex_a):
        token, _ = issue_token(user=resident)
    for method, path in [("get", "outbox"), ("get", "settings"), ("post", "test")]:
        response = getattr(_client(token), method)(f"{BASE}/admin/notifications/{path}")
        assert response.status_code == 403, path
        assert response.json()["error"]["code"] == "PERMISSION_DENIED"


def test_provider_tokens_are_write_only_and_encrypted_at_rest(
    complex_a, manager_token, tenant_b
) -> None:
    client = _client(manager_token)
    response = client.patch(
        f"{BASE}/admin/notifications/settings",
        {"fonnte_token": "fonnte-secret-9876", "whatsapp_provider": "fonnte"},
        content_type="application/json",
    )
    data = response.json()["data"]
    assert data["whatsapp_provider"] == "fonnte" and data["fonnte_token_set"] is True
    assert "fonnte_token" not in data and "fonnte-secret-9876" not in response.content.decode()
    with connections[alias_for(complex_a)].cursor() as cursor:
        cursor.execute("SELECT fonnte_token FROM notifications_notificationsettings")
        [raw] = cursor.fetchone()
    assert "fonnte-secret-9876" not in raw
    with tenant_context(complex_a):
        assert decrypt(raw, purpose=TOKEN_PURPOSE) == "fonnte-secret-9876"
    with tenant_context(tenant_b):
        try:
            decrypt(raw, purpose=TOKEN_PURPOSE)
            raise AssertionError("alpha's token decrypted inside beta")
        except DecryptionError:
            pass


def test_bad_settings_are_refused_in_the_envelope(complex_a, manager_token) -> None:
    response = _client(manager_token).patch(
        f"{BASE}/admin/notifications/settings",
        {"whatsapp_provider": "pigeon"},
        content_type="application/json",
    )
    assert response.status_code == 422
    assert "whatsapp_provider" in response.json()["error"]["details"]
    with tenant_context(complex_a):
        assert NotificationSettings.objects.get().whatsapp_provider == "meta_cloud"


def test_the_test_message_goes_to_the_managers_own_phone(
    complex_a, sim, manager_token, committed
) -> None:
    response = committed(
        complex_a,
        lambda: _client(manager_token).post(
            f"{BASE}/admin/notifications/test", {"channel": "sms"}, content_type="application/json"
        ),
    )
    assert response.status_code == 201
    [sms] = sim.sent("twilio")
    assert sms.to == "+6281234500009" and "Complex alpha" in sms.body["Body"]


def test_a_user_chooses_channels_and_records_consent(complex_a, resident) -> None:
    with tenant_context(complex_a):
        token, _ = issue_token(user=resident)
    client = _client(token)
    saved = client.put(
        f"{BASE}/notifications/preferences",
        {"billing": ["email", "push"]},
        content_type="application/json",
    ).json()["data"]
    assert saved["categories"]["billing"] == ["email", "push"]
    assert saved["categories"]["security"] == ["whatsapp", "push"]
    assert saved["consents"]["whatsapp"]["granted"] is True
    bad = client.put(
        f"{BASE}/notifications/preferences", {"billing": ["fax"]}, content_type="application/json"
    )
    assert bad.status_code == 422
    revoked = client.post(
        f"{BASE}/notifications/consents",
        {"channel": "whatsapp", "granted": False},
        content_type="application/json",
    ).json()["data"]
    assert revoked["granted"] is False


def test_push_subscriptions_belong_to_their_user(complex_a, resident, sim, manager_token) -> None:
    with tenant_context(complex_a):
        token, _ = issue_token(user=resident)
    client = _client(token)
    assert client.get(f"{BASE}/notifications/push-key").json()["data"]["public_key"]
    created = client.post(
        f"{BASE}/notifications/push-subscriptions",
        {
            "endpoint": f"{sim.base_url}/push/siti-phone",
            "keys": {"p256dh": "BNc...", "auth": "tBH..."},
        },
        content_type="application/json",
    )
    assert created.status_code == 201
    foreign = client.post(
        f"{BASE}/notifications/push-subscriptions",
        {"endpoint": "https://evil.example/collect", "keys": {"p256dh": "a", "auth": "b"}},
        content_type="application/json",
    )
    assert foreign.status_code == 422
    pk = created.json()["data"]["id"]
    # Another user of the same complex cannot remove it.
    assert (
        _client(manager_token).delete(f"{BASE}/notifications/push-subscriptions/{pk}").status_code
        == 404
    )
    assert client.delete(f"{BASE}/notifications/push-subscriptions/{pk}").status_code == 200
    with tenant_context(complex_a):
        assert not PushSubscription.objects.exists()


def test_someone_elses_push_endpoint_cannot_be_taken_over(
    complex_a, resident, sim, manager_token
) -> None:
    with tenant_context(complex_a):
        token, _ = issue_token(user=resident)
    endpoint = {"endpoint": f"{sim.base_url}/push/siti-phone"}
    first = _client(token).post(
        f"{BASE}/notifications/push-subscriptions",
        {**endpoint, "keys": {"p256dh": "BNc...", "auth": "tBH..."}},
        content_type="application/json",
    )
    taken = _client(manager_token).post(
        f"{BASE}/notifications/push-subscriptions",
        {**endpoint, "keys": {"p256dh": "evil", "auth": "evil"}},
        content_type="application/json",
    )
    assert taken.status_code == 409 and taken.json()["error"]["code"] == "CONFLICT"
    renewed = _client(token).post(
        f"{BASE}/notifications/push-subscriptions",
        {**endpoint, "keys": {"p256dh": "BNew", "auth": "tNew"}},
        content_type="application/json",
    )
    assert renewed.status_code == 201
    assert renewed.json()["data"]["id"] == first.json()["data"]["id"]
    with tenant_context(complex_a):
        subscription = PushSubscription.objects.get()
        assert (subscription.user_id, subscription.p256dh) == (resident.pk, "BNew")


def test_a_manager_of_another_complex_reaches_nothing_here(
    complex_a, resident, sim, tenant_b
) -> None:
    failed = _failed_reminder(complex_a, resident, sim)
    beta = seed_complex(tenant_b, marker="beta")
    beta_client = _client(beta.manager_token)
    # Beta's manager, on beta: alpha's message id does not exist there.
    response = beta_client.post(f"/c/beta/api/v1/admin/notifications/outbox/{failed}/resend")
    assert response.status_code == 404
    assert beta_client.get("/c/beta/api/v1/admin/notifications/outbox").json()["meta"]["total"] == 0
    # Beta's token on alpha's address is not a token at all.
    assert beta_client.get(f"{BASE}/admin/notifications/outbox").status_code == 401

"""Consent that can be proven: versions, re-consent at sign-in, separate opt-ins, objections
and restrictions the messages honour."""

from __future__ import annotations

from urllib.parse import urlencode

from django.core.cache import cache
from django.test import Client

from klustera.notifications.models import Channel, Consent, Message
from klustera.notifications.services import notify, set_consent
from klustera.privacy.models import ConsentRecord
from klustera.privacy.services import publish_notice
from klustera.privacy.services.notice import IN_FORCE_KEY
from klustera.tenancy.context import current_alias, tenant_context

BASE = "/c/alpha/api/v1"


def _as(token: str) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Bearer {token}", HTTP_USER_AGENT="KlusteraApp/1.0")


def _post(client: Client, path: str, body: dict) -> dict:
    return client.post(f"{BASE}/{path}", body, content_type="application/json")


def test_a_new_version_of_the_notice_asks_everyone_again(people) -> None:
    siti = _as(people["siti"].token)
    assert siti.get(f"{BASE}/auth/me").json()["data"]["consent_required"] is False
    published = _post(
        _as(people["manager_token"]),
        "admin/privacy/notice",
        {"additions_id": "Kontak privasi: Budi", "additions_en": "Privacy contact: Budi"},
    )
    assert published.status_code == 201 and published.json()["data"]["version"] == 2
    assert siti.get(f"{BASE}/auth/me").json()["data"]["consent_required"] is True
    notice = Client().get(f"{BASE}/privacy/notice").json()["data"]  # public: read before joining
    assert notice["version"] == 2 and notice["additions"]["en"] == "Privacy contact: Budi"
    assert notice["text"]["id"] and notice["text"]["en"]

    portal = Client()
    signed_in = portal.post(
        "/c/alpha/login", {"username": "081355501234", "password": "x-pass-123"}
    )
    assert signed_in["Location"] == f"/c/alpha/privacy/consent?{urlencode({'next': '/c/alpha/'})}"
    page = portal.get(signed_in["Location"]).content.decode()
    assert "Kontak privasi: Budi" in page and 'name="version" value="2"' in page

    stale = _post(siti, "privacy/consent", {"version": 1, "community": True})
    assert stale.status_code == 422
    assert stale.json()["error"]["details"]["codes"] == {"version": ["notice_outdated"]}
    agreed = _post(siti, "privacy/consent", {"version": 2, "community": False})
    assert agreed.status_code == 200
    choices = agreed.json()["data"]
    assert choices["consent_required"] is False
    assert choices["choices"]["community"]["granted"] is False
    with tenant_context(people["tenant"]):
        proof = ConsentRecord.objects.filter(user=people["siti"].user, notice_version=2).first()
        assert proof.method == "sign_in" and proof.ip == "127.0.0.1"
        assert proof.user_agent == "KlusteraApp/1.0"


def test_a_new_version_is_asked_for_though_another_request_cached_the_old_one_meanwhile(
    people, django_capture_on_commit_callbacks
) -> None:
    siti = _as(people["siti"].token)
    assert siti.get(f"{BASE}/auth/me").json()["data"]["consent_required"] is False  # cached
    with tenant_context(people["tenant"]):
        alias = current_alias()
    with (
        django_capture_on_commit_callbacks(using=alias) as at_commit,
        tenant_context(people["tenant"]),
    ):
        publish_notice(additions_id="Tambahan", additions_en="Added", actor=people["manager"])
        cache.add(IN_FORCE_KEY, 1)  # a request elsewhere read version 1 before the commit
    for callback in at_commit:
        callback()

    assert siti.get(f"{BASE}/auth/me").json()["data"]["consent_required"] is True


def test_an_objection_to_community_messages_holds_them_back_and_says_why(people) -> None:
    siti = people["siti"]
    _post(_as(siti.token), "privacy/opt-ins", {"purpose": "community", "granted": False})
    with tenant_context(people["tenant"]):
        held = notify(
            recipient=siti.user,
            template="announcement",
            context={"complex": "Alpha", "title": "Lomba", "body": "17 Agustus", "link": "x"},
            channels=[Channel.WHATSAPP],
        )
        assert [(m.status, m.skip_reason) for m in held] == [
            (Message.Status.SKIPPED, "the person objected to community messages")
        ]
        sent = notify(
            recipient=siti.user,
            template="data_request_answered",
            context={"kind": "x", "status": "y", "outcome": "z", "link": "x"},
            channels=[Channel.WHATSAPP],
        )
        assert [m.status for m in sent] == [Message.Status.QUEUED]


def test_a_restriction_leaves_only_billing_and_security_until_lifted(people) -> None:
    siti = people["siti"]
    client = _as(siti.token)
    restricted = _post(client, "privacy/requests", {"kind": "restriction", "details": "sengketa"})
    assert restricted.json()["data"]["status"] == "completed"
    complaint = {"number": 1, "title": "Pipa", "status": "x", "note": "", "link": "x"}
    with tenant_context(people["tenant"]):
        [held] = notify(
            recipient=siti.user, template="ticket_update", context=complaint, channels=["whatsapp"]
        )
        assert held.skip_reason.startswith("the person restricted processing")
    assert client.get(f"{BASE}/privacy/choices").json()["data"]["restricted"] is True
    assert _post(client, "privacy/restriction/lift", {}).json()["data"] == {"lifted": 1}
    with tenant_context(people["tenant"]):
        [sent] = notify(
            recipient=siti.user, template="ticket_update", context=complaint, channels=["whatsapp"]
        )
        assert sent.status == Message.Status.QUEUED


def test_a_channel_opt_in_joins_the_one_record_of_consent(people) -> None:
    siti = people["siti"]
    with tenant_context(people["tenant"]):
        set_consent(
            user=siti.user,
            channel=Channel.WHATSAPP,
            granted=False,
            method=Consent.Method.APP_SETTING,
        )
        latest = ConsentRecord.objects.filter(user=siti.user, purpose="whatsapp").first()
        assert (latest.granted, latest.method, latest.notice_version) == (False, "app_setting", 1)

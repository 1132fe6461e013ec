"""The shared gate tablet's lock: with it on, a guard's token alone checks nobody in; a shift
opened with the guard's passkey and a PIN does, an idle one wants the PIN again, and five
wrong PINs end it."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from klustera.access.models import AccessLog, GateShift
from klustera.access.shifts import IDLE_MINUTES, MAX_PIN_FAILURES, SETTINGS_KEY, gate_settings
from klustera.accounts.selectors import active_managers
from klustera.accounts.services import issue_token
from klustera.accounts.tests.authenticator import Authenticator
from klustera.audit.models import AuditEntry
from klustera.tenancy.context import current_alias, tenant_context

from .conftest import BASE, post_json
from .test_guard_mode import _signed_in

CHECK = {"payload": "ZZZZ-ZZZZ", "gate": "Utama"}  # an unknown code: refused, and logged


@pytest.fixture
def locked(gate, tenant_a):
    reply = gate["manager"].patch(
        f"{BASE}/admin/access/settings", {"tablet_lock": True}, "application/json"
    )
    assert reply.status_code == 200
    return gate


@pytest.fixture
def passkey(locked) -> Authenticator:
    """The guard's passkey, added from their profile."""
    device = Authenticator()
    ceremony = post_json(locked["guard"], "auth/passkeys/options").json()["data"]
    body = {
        "challenge_id": ceremony["challenge_id"],
        "credential": device.create(ceremony["options"]),
    }
    assert post_json(locked["guard"], "auth/passkeys", body).status_code == 201
    return device


def _start(gate, device: Authenticator, pin: str = "2468", client: Client | None = None):
    client = client or gate["guard"]
    ceremony = post_json(client, "access/shift/options").json()["data"]
    return post_json(
        client,
        "access/shift",
        {
            "challenge_id": ceremony["challenge_id"],
            "credential": device.get(ceremony["options"]),
            "pin": pin,
        },
    )


def test_with_the_lock_on_a_token_alone_checks_nobody_in(locked, tenant_a) -> None:
    reply = post_json(locked["guard"], "access/verify", CHECK)

    assert reply.status_code == 409
    assert reply.json()["error"]["details"]["codes"] == {"detail": ["shift_needed"]}
    assert post_json(locked["guard"], "access/shift").status_code == 422
    assert locked["guard"].get(f"{BASE}/access/offline-list").status_code == 409
    walked_out = post_json(locked["guard"], "access/exit", {"entry": 1, "gate": "Utama"})
    assert walked_out.status_code == 409  # nobody walked out either
    assert locked["guard"].get(f"{BASE}/access/shift").json()["data"] == {"state": "closed"}
    with tenant_context(tenant_a):
        assert not AccessLog.objects.exists()  # nothing was checked, nothing logged


def test_a_shift_opened_with_the_passkey_and_a_pin_works_the_gate(locked, passkey, tenant_a):
    reply = _start(locked, passkey)

    assert reply.status_code == 201, reply.json()
    assert reply.json()["data"] == {"state": "open"}
    assert post_json(locked["guard"], "access/verify", CHECK).status_code == 200
    with tenant_context(tenant_a):
        shift = GateShift.objects.get()
        assert "2468" not in shift.pin_hash
        assert AuditEntry.objects.filter(action="gate.shift_started").count() == 1
        assert AuditEntry.objects.filter(action="gate.tablet_lock").count() == 1


def test_the_shift_belongs_to_the_device_another_token_is_still_locked(
    locked, passkey, tenant_a
) -> None:
    assert _start(locked, passkey).status_code == 201
    with tenant_context(tenant_a):
        other = Client(HTTP_AUTHORIZATION=f"Bearer {issue_token(user=locked['guard_user'])[0]}")

    assert post_json(other, "access/verify", CHECK).status_code == 409


def test_an_idle_shift_wants_the_pin_and_five_wrong_ones_end_it(locked, passkey, tenant_a):
    assert _start(locked, passkey).status_code == 201
    guard = locked["guard"]
    with time_machine.travel(timezone.now() + timedelta(minutes=IDLE_MINUTES + 1)):
        idle = post_json(guard, "access/verify", CHECK)
        assert idle.json()["error"]["details"]["codes"] == {"detail": ["pin_needed"]}
        assert post_json(guard, "access/shift/resume", {"pin": "2468"}).status_code == 200
        assert post_json(guard, "access/verify", CHECK).status_code == 200

    with time_machine.travel(timezone.now() + timedelta(minutes=2 * IDLE_MINUTES + 3)):
        for _ in range(MAX_PIN_FAILURES):
            wrong = post_json(guard, "access/shift/resume", {"pin": "0000"})
            assert wrong.status_code == 409
        assert post_json(guard, "access/shift/resume", {"pin": "2468"}).status_code == 409
        assert guard.get(f"{BASE}/access/shift").json()["data"] == {"state": "closed"}


def test_a_pin_that_is_not_4_to_8_digits_is_refused_before_the_passkey_is_spent(locked, passkey):
    reply = _start(locked, passkey, pin="12a")

    assert reply.status_code == 422
    assert "pin" in reply.json()["error"]["details"]


def test_another_persons_passkey_does_not_open_the_guards_shift(locked, passkey, tenant_a):
    stranger = Authenticator()
    ceremony = post_json(locked["manager"], "auth/passkeys/options").json()["data"]
    body = {
        "challenge_id": ceremony["challenge_id"],
        "credential": stranger.create(ceremony["options"]),
    }
    assert post_json(locked["manager"], "auth/passkeys", body).status_code == 201

    assert _start(locked, stranger).status_code == 401


def test_guard_mode_shows_the_lock_and_the_check_says_why(locked, passkey, tenant_a) -> None:
    browser = _signed_in(locked, tenant_a)
    page = browser.get("/c/alpha/gate/")
    assert b'id="gate-lock"' in page.content
    answer = browser.post("/c/alpha/gate/verify", {"payload": "ZZZZZZZZ", "gate": "Utama"})
    assert 'class="verdict refused"' in answer.content.decode()
    assert 'href="/c/alpha/gate/"' in answer.content.decode()  # where the shift is opened


def test_the_manager_turns_the_lock_off_on_the_access_log_page(locked, tenant_a) -> None:
    with tenant_context(tenant_a):
        locked["manager_user"] = active_managers().first()
    browser = _signed_in(locked, tenant_a, "manager_user")
    page = browser.get("/c/alpha/manage/access-log/")
    assert b'name="tablet_lock" checked' in page.content

    browser.post("/c/alpha/manage/access-log/gate-settings", {})

    assert locked["guard"].get(f"{BASE}/access/shift").json()["data"] == {"state": "off"}
    assert post_json(locked["guard"], "access/verify", CHECK).status_code == 200


def test_the_lock_turned_on_holds_at_the_next_check_though_checks_cache_the_settings(
    gate, tenant_a, django_capture_on_commit_callbacks
) -> None:
    assert post_json(gate["guard"], "access/verify", CHECK).status_code == 200  # lock off, cached
    with tenant_context(tenant_a):
        alias = current_alias()
        unlocked = gate_settings()
    with django_capture_on_commit_callbacks(using=alias) as at_commit:
        reply = gate["manager"].patch(
            f"{BASE}/admin/access/settings", {"tablet_lock": True}, "application/json"
        )
        assert reply.status_code == 200
        with tenant_context(tenant_a):  # a check in another process read the row before commit
            cache.add(SETTINGS_KEY, unlocked)
    for callback in at_commit:
        callback()

    reply = post_json(gate["guard"], "access/verify", CHECK)

    assert reply.status_code == 409
    assert reply.json()["error"]["details"]["codes"] == {"detail": ["shift_needed"]}


def test_with_the_cache_down_the_gate_checks_and_reads_its_settings_from_the_database(
    gate, settings, tenant_a
) -> None:
    dead = {
        "BACKEND": "klustera.redis_cache.RedisCache",
        "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens there
        "KEY_FUNCTION": "klustera.tenancy.cache.tenant_cache_key",
    }
    settings.CACHES = {"default": dead}
    checked = post_json(gate["guard"], "access/verify", CHECK)
    assert checked.status_code == 200  # failures cannot be counted: the gate still works
    assert checked.json()["data"]["result"] == "invalid"
    with tenant_context(tenant_a):
        assert AccessLog.objects.filter(result="invalid").count() == 1
    turned_on = gate["manager"].patch(
        f"{BASE}/admin/access/settings", {"tablet_lock": True}, "application/json"
    )
    assert turned_on.status_code == 200  # the cache could not be told: not an error

    reply = post_json(gate["guard"], "access/verify", CHECK)

    assert reply.status_code == 409
    assert reply.json()["error"]["details"]["codes"] == {"detail": ["shift_needed"]}

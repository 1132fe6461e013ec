"""The guest list a guard's device keeps for the gate with no network: today's and
tomorrow's active invitations, each with a slow keyed hash the device can match a typed code
against, never the code itself."""

from __future__ import annotations

import base64
import hashlib
from datetime import timedelta

from django.utils import timezone

from klustera.access.services import cancel_guest, register_guest
from klustera.tenancy.context import tenant_context

from .conftest import BASE


def _device_hash(code: str, salt: str, iterations: int) -> str:
    """What the guard's phone computes (WebCrypto's PBKDF2) from the code typed."""
    raw = base64.urlsafe_b64decode(salt + "=" * (-len(salt) % 4))
    digest = hashlib.pbkdf2_hmac("sha256", code.encode(), raw, iterations)
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def test_the_device_matches_todays_and_tomorrows_codes_without_holding_them(gate, tenant_a) -> None:
    now = timezone.now()
    invited = {}
    with tenant_context(tenant_a):
        for name, starts in (
            ("Budi", now - timedelta(hours=1)),
            ("Sari besok", now + timedelta(days=1)),
            ("Lusa", now + timedelta(days=3)),
            ("Batal", now),
        ):
            invitation, code = register_guest(
                host=gate["host"],
                unit=gate["units"][0],
                guest_name=name,
                starts_at=starts,
                ends_at=starts + timedelta(hours=4),
                people=2,
            )
            invited[name] = (invitation, code)
        cancel_guest(invitation=invited["Batal"][0], actor=gate["host"])

    response = gate["guard"].get(f"{BASE}/access/offline-list")

    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    body = response.json()["data"]
    assert body["algorithm"] == "PBKDF2-SHA256" and body["iterations"] >= 50_000
    assert [guest["name"] for guest in body["guests"]] == ["Budi", "Sari besok"]
    budi = body["guests"][0]
    assert budi["unit"] == str(gate["units"][0]) and budi["people"] == 2
    typed = _device_hash(invited["Budi"][1], body["salt"], body["iterations"])
    assert typed == budi["hash"]
    assert _device_hash("ZZZZ2222", body["salt"], body["iterations"]) not in {
        guest["hash"] for guest in body["guests"]
    }
    text = response.content.decode()
    assert all(code not in text for _, code in invited.values())
    again = gate["guard"].get(f"{BASE}/access/offline-list").json()["data"]
    assert [g["hash"] for g in again["guests"]] == [g["hash"] for g in body["guests"]]
    assert gate["resident"].get(f"{BASE}/access/offline-list").status_code == 403

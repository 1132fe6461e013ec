from __future__ import annotations

from datetime import time
from typing import Any

import pytest

from klustera.accounts.models import User
from klustera.accounts.services import create_user, issue_token
from klustera.notifications.models import Channel, Consent, NotificationSettings
from klustera.notifications.services import set_consent, update_settings
from klustera.notifications.simulator import ProviderSimulator
from klustera.roles import Role
from klustera.tenancy.context import tenant_context
from klustera.tenancy.models import Tenant

APP_SECRET = "app-secret-alpha"
# The context of a payment reminder, already in display form.
REMINDER = {
    "name": "Siti",
    "unit": "A-01",
    "amount": "Rp 100.000",
    "due_date": "1 Des",
    "link": "x",
}
VERIFY_TOKEN = "verify-alpha"


def configure(tenant: Tenant, sim: ProviderSimulator, **overrides: Any) -> None:
    with tenant_context(tenant):
        update_settings(
            changes={
                "whatsapp_provider": NotificationSettings.WhatsAppProvider.META_CLOUD,
                "whatsapp_phone_number_id": sim.phone_number_id,
                "whatsapp_access_token": sim.whatsapp_token,
                "whatsapp_app_secret": APP_SECRET,
                "whatsapp_verify_token": VERIFY_TOKEN,
                "sms_provider": NotificationSettings.SmsProvider.TWILIO,
                "twilio_account_sid": sim.twilio_sid,
                "twilio_auth_token": sim.twilio_token,
                "twilio_from": "+15005550006",
                "email_from": "pengelola@alpha.example",
                # No quiet hours unless a test asks for them.
                "quiet_start": time(0, 0),
                "quiet_end": time(0, 0),
                **overrides,
            }
        )


@pytest.fixture
def complex_a(tenant_a, sim):
    configure(tenant_a, sim)
    return tenant_a


@pytest.fixture
def resident(complex_a) -> User:
    with tenant_context(complex_a):
        user = create_user(
            phone="081234500001",
            name="Siti",
            email="siti@example.id",
            password="pw-123456",
            roles=[Role.RESIDENT],
        )
        set_consent(
            user=user, channel=Channel.WHATSAPP, granted=True, method=Consent.Method.REGISTRATION
        )
    return user


@pytest.fixture
def manager_token(complex_a) -> str:
    with tenant_context(complex_a):
        user = create_user(
            phone="081234500009",
            name="Bu Manajer",
            email="mgr@example.id",
            password="pw-123456",
            roles=[Role.PROPERTY_MANAGER],
        )
        return issue_token(user=user)[0]

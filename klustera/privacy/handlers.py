"""What privacy does when the apps below it speak: proof of a channel consent, and holding
back messages the person objected to or restricted."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_noop

from klustera.notifications.models import Category
from klustera.privacy.models import ConsentRecord, Purpose
from klustera.privacy.services import is_restricted, objects_to, record_consent

OBJECTED = gettext_noop("the person objected to community messages")
RESTRICTED = gettext_noop("the person restricted processing to what billing and security need")
# What a restriction still lets through: what the contract and the estate's security need.
ESSENTIAL = {Category.BILLING, Category.SECURITY}

# A channel consent's method, as privacy records it.
METHODS = {
    "app_setting": ConsentRecord.Method.APP_SETTING,
    "registration": ConsentRecord.Method.REGISTRATION,
    "manager_recorded": ConsentRecord.Method.MANAGER_RECORDED,
    "whatsapp_reply": ConsentRecord.Method.WHATSAPP_REPLY,
}


def held_by_choice(user_id: int, category: str) -> str:
    if category in ESSENTIAL:
        return ""
    if is_restricted(user_id):
        return RESTRICTED
    if category == Category.COMMUNITY and objects_to(user_id, Purpose.COMMUNITY):
        return OBJECTED
    return ""


def record_channel_consent(
    sender: Any, *, user: Any, channel: str, granted: bool, method: str, **kwargs: Any
) -> None:
    """A per-channel opt-in joins the one record of the person's consents."""
    record_consent(
        user=user,
        purpose=channel,
        granted=granted,
        method=METHODS.get(method, ConsentRecord.Method.APP_SETTING),
    )

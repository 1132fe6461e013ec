"""Notifications' use cases, one module per family; the public verbs are re-exported here.

``queueing`` (a message for a recipient, on the channels they chose and
consented to), ``delivery`` (the outbox: leases, retries, resend),
``reach`` (what queueing did, told truthfully), ``inbox`` (read marks), ``webhooks``
(the providers' statuses), ``preferences`` (consent, channels,
push subscriptions) and ``configuration`` (the complex's settings and the
providers' secrets).
"""

from klustera.notifications.services.configuration import (
    EDITABLE_SETTINGS,
    SECRET_FIELDS,
    TOKEN_PURPOSE,
    notification_settings,
    twilio_auth_token,
    update_settings,
    whatsapp_app_secret,
    whatsapp_verify_token,
)
from klustera.notifications.services.delivery import (
    MAX_ATTEMPTS,
    backoff,
    deliver,
    resend,
    sweep,
)
from klustera.notifications.services.inbox import mark_all_read, mark_read, mark_read_about
from klustera.notifications.services.preferences import (
    set_consent,
    set_preferences,
    subscribe_push,
    update_choices,
)
from klustera.notifications.services.queueing import (
    Address,
    NotificationError,
    notify,
    send_test_message,
)
from klustera.notifications.services.reach import Reach, describe_reach, reach_of
from klustera.notifications.services.webhooks import record_twilio_status, record_whatsapp_event

__all__ = [
    "EDITABLE_SETTINGS",
    "MAX_ATTEMPTS",
    "SECRET_FIELDS",
    "TOKEN_PURPOSE",
    "Address",
    "NotificationError",
    "Reach",
    "backoff",
    "deliver",
    "describe_reach",
    "mark_all_read",
    "mark_read",
    "mark_read_about",
    "notification_settings",
    "notify",
    "reach_of",
    "record_twilio_status",
    "record_whatsapp_event",
    "resend",
    "send_test_message",
    "set_consent",
    "set_preferences",
    "subscribe_push",
    "sweep",
    "twilio_auth_token",
    "update_choices",
    "update_settings",
    "whatsapp_app_secret",
    "whatsapp_verify_token",
]

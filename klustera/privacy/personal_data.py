"""The personal data kept by privacy itself and by the apps below it (notifications, audit),
which cannot name privacy: see :mod:`klustera.privacy.declaration`."""

from django.utils.translation import gettext_lazy as _

from klustera.privacy.declaration import Category, Erase, Personal, Processor, Retention

PERSONAL_DATA = [
    Personal(
        "notifications.Message",
        owner="recipient",
        fields={
            "to_name": Category.IDENTITY,
            "to_address": Category.CONTACT,
            "context": Category.IDENTITY,
        },
        shows=("channel", "template", "status", "sent_at"),
        purpose=_("Sending the person's messages, and proving they were sent"),
        retention=Retention.OPERATIONAL,
        processors=(Processor.WHATSAPP, Processor.EMAIL, Processor.SMS, Processor.PUSH),
    ),
    Personal(
        "notifications.PushSubscription",
        owner="user",
        fields={"endpoint": Category.CONTACT, "user_agent": Category.ACCESS_LOG},
        purpose=_("Push notifications to the person's browsers"),
        erase=Erase.DELETE,
        processors=(Processor.PUSH,),
    ),
    Personal(
        "notifications.WhatsAppWindow",
        match={"phone": "phone"},
        fields={"phone": Category.CONTACT},
        purpose=_("Knowing when WhatsApp allows a free-form reply"),
        retention=Retention.OPERATIONAL,
        erase=Erase.DELETE,
        dated_by="last_inbound_at",
    ),
    Personal(
        "audit.AuditEntry",
        owner="actor",
        fields={"action": Category.ACCESS_LOG},
        shows=("target_type", "target_id", "created_at"),
        purpose=_("The complex's tamper-evident record of administrative and financial actions"),
        erase=Erase.KEEP,  # a hash-chained record: it names users by number, never by name
    ),
    Personal(  # in the platform's database: the audit prunes it after a year
        "audit.SecurityEvent",
        fields={"ip": Category.ACCESS_LOG},
        shows=("kind", "complex", "route", "created_at"),
        purpose=_("Defending the complexes against attacks across their boundaries"),
        retention=Retention.OPERATIONAL,
        erase=Erase.KEEP,
    ),
    Personal(
        "privacy.ConsentRecord",
        owner="user",
        fields={"ip": Category.ACCESS_LOG, "user_agent": Category.ACCESS_LOG},
        shows=("purpose", "granted", "notice_version", "method"),
        purpose=_("Proving the person's consent (UU PDP art. 24)"),
        erase=Erase.KEEP,
    ),
    Personal(
        "privacy.DataRequest",
        owner="user",
        fields={"details": Category.IDENTITY},  # the export itself expires, or goes on deletion
        shows=("kind", "status", "due_at", "completed_at", "outcome"),
        purpose=_("Answering the person's requests about their data"),
        # the request and its outcome are kept, without what was asked or sent
    ),
]

NOT_PERSONAL = {
    "audit.AuditEntry.actor_label": "a user's number, never their name (the actor link names them)",
    "notifications.NotificationSettings.twilio_from": "the complex's own SMS sender",
    "notifications.NotificationSettings.email_from": "the complex's own email sender",
    "notifications.NotificationSettings.whatsapp_phone_number_id": "the complex's WhatsApp number",
    "tenancy.Tenant.name": "the complex's name",
    "tenancy.Tenant.db_name": "the complex's database",
}

"""The personal data of the gate (see klustera.privacy.declaration)."""

from django.utils.translation import gettext_lazy as _

from klustera.privacy.declaration import Category, Erase, Personal, Retention

PERSONAL_DATA = [
    Personal(
        "access.GuestInvitation",
        owner="host",
        fields={
            "guest_name": Category.IDENTITY,
            "guest_phone": Category.CONTACT,
            "plate": Category.IDENTITY,
        },
        shows=("starts_at", "ends_at", "status"),
        purpose=_("Letting the person's guests in"),
        retention=Retention.OPERATIONAL,
    ),
    Personal(
        "access.AccessLog",
        owner="resident__user",
        fields={"plate": Category.IDENTITY},
        shows=("at", "kind", "method", "result", "gate"),
        purpose=_("The gate's log of who came in and out, for the estate's security"),
        retention=Retention.OPERATIONAL,
        dated_by="at",
        detach=True,  # the event stays, without the person
    ),
    Personal(  # the visitor's data: no account of theirs, so only retention removes it
        "access.WalkIn",
        fields={
            "visitor_name": Category.IDENTITY,
            "visitor_phone": Category.CONTACT,
            "photo": Category.IMAGE,
        },
        purpose=_("Asking the household whether to let a visitor in"),
        retention=Retention.OPERATIONAL,
        erase=Erase.KEEP,
    ),
    Personal(
        "access.Parcel",
        match={"recipient_name": "name"},
        fields={"recipient_name": Category.IDENTITY, "photo": Category.IMAGE},
        purpose=_("Keeping parcels at the gate until they are picked up"),
        retention=Retention.OPERATIONAL,
    ),
    Personal(
        "access.GateShift",
        owner="guard",
        fields={"holder": Category.ACCESS_LOG},
        purpose=_("Binding the gate tablet to the guard on duty"),
        retention=Retention.OPERATIONAL,
        erase=Erase.DELETE,
    ),
]

NOT_PERSONAL: dict[str, str] = {}

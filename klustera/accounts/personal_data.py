"""The personal data accounts keep (see klustera.privacy.declaration)."""

from django.utils.translation import gettext_lazy as _

from klustera.privacy.declaration import Category, Erase, Personal, Processor, Retention

PERSONAL_DATA = [
    Personal(
        "accounts.User",
        owner="pk",
        fields={"name": Category.IDENTITY, "phone": Category.CONTACT, "email": Category.CONTACT},
        purpose=_("Signing in, and reaching the person about their home"),
        processors=(Processor.WHATSAPP, Processor.EMAIL, Processor.SMS, Processor.HOSTING),
    ),
    Personal(
        "accounts.ApiToken",
        owner="user",
        fields={"device_name": Category.ACCESS_LOG},
        purpose=_("Keeping the person signed in on their devices"),
        erase=Erase.DELETE,
    ),
    Personal(
        "accounts.RefreshToken",
        owner="user",
        fields={"device_name": Category.ACCESS_LOG},
        purpose=_("Keeping the person signed in on their devices"),
        erase=Erase.DELETE,
    ),
    Personal(
        "accounts.Passkey",
        owner="user",
        fields={"name": Category.ACCESS_LOG},
        purpose=_("Signing in with a fingerprint, face or screen lock"),
        erase=Erase.DELETE,
    ),
    Personal(
        "accounts.OneTimeCode",
        match={"phone": "phone"},
        fields={"phone": Category.CONTACT},
        purpose=_("Sending sign-in and password-reset codes"),
        retention=Retention.OPERATIONAL,
        erase=Erase.DELETE,
        processors=(Processor.WHATSAPP, Processor.SMS),
    ),
    Personal(
        "accounts.AuthFailure",
        match={"phone": "phone"},
        fields={"phone": Category.CONTACT, "ip": Category.ACCESS_LOG},
        purpose=_("Locking out password guessing"),
        retention=Retention.OPERATIONAL,
        erase=Erase.DELETE,
    ),
]

NOT_PERSONAL = {
    "accounts.ApiKey.name": "the name of one of the complex's own systems",
}

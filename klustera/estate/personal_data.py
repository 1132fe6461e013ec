"""The personal data of the registry (see klustera.privacy.declaration)."""

from django.utils.translation import gettext_lazy as _

from klustera.privacy.declaration import Category, Erase, Personal

PERSONAL_DATA = [
    Personal(
        "estate.Resident",
        owner="user",
        fields={"name": Category.IDENTITY, "phone": Category.CONTACT, "email": Category.CONTACT},
        purpose=_("The registry of who lives in which unit, for billing and the gate"),
    ),
    Personal(
        "estate.Invitation",
        owner="accepted_by",
        match={"phone": "phone"},
        fields={"name": Category.IDENTITY, "phone": Category.CONTACT, "email": Category.CONTACT},
        purpose=_("Inviting the person to register"),
    ),
    Personal(
        "estate.Vehicle",
        owner="unit__occupancies__resident__user",
        fields={"plate": Category.IDENTITY},
        purpose=_("Recognising the unit's vehicles at the gate"),
        erase=Erase.KEEP,  # the unit's, not one person's: it goes when the unit removes it
    ),
]

NOT_PERSONAL: dict[str, str] = {}

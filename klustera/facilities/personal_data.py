"""The personal data of facility bookings (see klustera.privacy.declaration)."""

from django.utils.translation import gettext_lazy as _

from klustera.privacy.declaration import Category, Personal

PERSONAL_DATA = [
    Personal(
        "facilities.Booking",
        owner="booked_by",
        fields={"note": Category.IDENTITY},
        shows=("start", "end", "status", "fee"),
        purpose=_("Booking the complex's facilities"),
    ),
]

NOT_PERSONAL = {
    "facilities.Facility.name": "a facility of the complex",
    "facilities.Holiday.name": "a public holiday",
    "facilities.FacilityPhoto.image": "a photo of a facility",
    "facilities.FacilityPhoto.thumbnail": "a photo of a facility",
}

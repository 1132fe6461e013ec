"""The personal data of the community (see klustera.privacy.declaration)."""

from django.utils.translation import gettext_lazy as _

from klustera.privacy.declaration import Category, Erase, Personal

PERSONAL_DATA = [
    Personal(
        "community.Participation",
        owner="voter",
        fields={"choices": Category.IDENTITY},
        shows=("poll_id", "voted_at"),
        purpose=_("Counting votes, one per unit, owner or resident"),
        erase=Erase.KEEP,  # the poll's result and minutes stand; a secret ballot holds no choice
    ),
]

NOT_PERSONAL = {
    "community.Attachment.name": "the name of a file a manager attached",
    "community.PollOption.label": "an answer of a poll",
}

"""The personal data of the helpdesk (see klustera.privacy.declaration)."""

from django.utils.translation import gettext_lazy as _

from klustera.privacy.declaration import Category, Erase, Personal

PERSONAL_DATA = [
    Personal(
        "helpdesk.Ticket",
        owner="reporter",
        fields={"description": Category.IDENTITY, "rating_comment": Category.IDENTITY},
        shows=("title", "location", "status", "rating", "resolved_at"),
        purpose=_("Handling the person's complaints and requests"),
    ),
    Personal(
        "helpdesk.TicketPhoto",
        owner="added_by",
        fields={"image": Category.IMAGE, "thumbnail": Category.IMAGE},
        purpose=_("Showing the problem a complaint is about"),
        erase=Erase.DELETE,
    ),
    Personal(
        "helpdesk.Comment",
        owner="author",
        fields={"author_label": Category.IDENTITY, "body": Category.IDENTITY},
        purpose=_("The conversation about a complaint"),
    ),
    Personal(
        "helpdesk.TicketEvent",
        owner="actor",
        fields={"actor_label": Category.IDENTITY},
        purpose=_("The history of a complaint"),
    ),
]

NOT_PERSONAL = {
    "helpdesk.Category.name": "a kind of complaint",
}

"""``{% load inbox %}``: the header's bell and an inbox entry as its reader reads it."""

from __future__ import annotations

from django import template
from django.utils import translation

from klustera.notifications.catalogue import text_of
from klustera.notifications.models import Message
from klustera.notifications.selectors import unread_count

register = template.Library()


@register.inclusion_tag("notifications/_bell.html", takes_context=True)
def bell(context: template.Context) -> dict[str, object]:
    """The bell with the signed-in person's unread count; htmx asks again every 30 s."""
    return {"unread": unread_count(context["user"])}


@register.filter
def entry_text(message: Message) -> tuple[str, str]:
    """(subject, text) of an inbox entry in the page's language."""
    return text_of(message.template, message.context, translation.get_language() or "id")

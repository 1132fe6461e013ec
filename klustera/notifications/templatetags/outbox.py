"""``{% load outbox %}``: a stored message as its reader reads it, in the page's language."""

from __future__ import annotations

from django import template
from django.utils import translation

from klustera.notifications.catalogue import subject_of
from klustera.notifications.models import Message

register = template.Library()


@register.filter
def subject(message: Message) -> str:
    """The message's subject (``Pengingat pembayaran unit A-01``), not its template's key."""
    return subject_of(message.template, message.context, translation.get_language() or "id")

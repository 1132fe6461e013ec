"""Who reads which announcements."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from klustera.accounts.models import User
from klustera.community.models import Announcement
from klustera.estate.selectors import units_visible_to
from klustera.roles import is_manager, is_staff_member


def announcements_for(user: User) -> QuerySet[Announcement]:
    """Managers and staff read them all; a resident those to everyone and to their blocks."""
    announcements = Announcement.objects.select_related("posted_by")
    if is_manager(user) or is_staff_member(user):
        return announcements
    blocks = units_visible_to(user).values("block")
    return announcements.filter(Q(block="") | Q(block__in=blocks))

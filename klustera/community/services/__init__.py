"""The community's use cases: ``announcements`` (posting and sending) and ``polls`` (questions,
votes, the close with its minutes, the clock's reminders); the public verbs are re-exported."""

from klustera.community.services.announcements import post_announcement, send_announcement_now
from klustera.community.services.polls import (
    announce_poll,
    cancel_poll,
    cast_vote,
    close_poll,
    create_poll,
    edit_poll,
    keep_time,
)

__all__ = [
    "announce_poll",
    "cancel_poll",
    "cast_vote",
    "close_poll",
    "create_poll",
    "edit_poll",
    "keep_time",
    "post_announcement",
    "send_announcement_now",
]

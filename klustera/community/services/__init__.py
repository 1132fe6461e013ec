"""The community's use cases: ``announcements`` (posting and sending) and ``polls`` (questions,
votes, the close with its minutes, the clock's reminders); the public verbs are re-exported."""

from klustera.community.services.announcements import (
    edit_announcement,
    post_announcement,
    publish_announcement,
    publish_due,
    remind_unread,
    send_announcement_now,
    withdraw_announcement,
)
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
    "edit_announcement",
    "edit_poll",
    "keep_time",
    "post_announcement",
    "publish_announcement",
    "publish_due",
    "remind_unread",
    "send_announcement_now",
    "withdraw_announcement",
]

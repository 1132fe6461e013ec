"""What queueing did for a set of recipients, told truthfully: who will get it, on which channel,
and who cannot be reached and why."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from klustera.notifications.models import Channel, Message


@dataclass
class Reach:
    """Per recipient: reached if at least one message is queued for them, else not reachable."""

    reached: int = 0
    by_channel: Counter[str] = field(default_factory=Counter)  # messages queued per channel
    later: int = 0  # of those, held until the quiet hours end
    unreachable: int = 0
    reasons: Counter[str] = field(default_factory=Counter)  # why, per recipient not reached

    @property
    def recipients(self) -> int:
        return self.reached + self.unreachable

    def add(self, messages: list[Message]) -> None:
        """Count one recipient's outbox rows (what :func:`notify` returned for them)."""
        queued = [m for m in messages if m.status == Message.Status.QUEUED]
        if queued:
            self.reached += 1
            self.by_channel.update(m.channel for m in queued)
            now = timezone.now()
            self.later += sum(1 for m in queued if m.next_attempt_at > now)
            return
        self.unreachable += 1
        why = sorted({m.skip_reason for m in messages if m.skip_reason})
        self.reasons[", ".join(_(reason) for reason in why) or _("no way to reach them")] += 1


def reach_of(batches: Iterable[list[Message]]) -> Reach:
    reach = Reach()
    for messages in batches:
        reach.add(messages)
    return reach


def describe_reach(reach: Reach) -> str:
    """One sentence for the person who pressed the button, in their language."""
    parts = []
    if reach.reached:
        channels = ", ".join(
            f"{Channel(channel).label} {count}"
            for channel, count in sorted(reach.by_channel.items())
        )
        parts.append(
            ngettext(
                "Queued for %(count)s recipient (%(channels)s).",
                "Queued for %(count)s recipients (%(channels)s).",
                reach.reached,
            )
            % {"count": reach.reached, "channels": channels}
        )
        if reach.later:
            parts.append(_("Some wait until the quiet hours end."))
    if reach.unreachable:
        reasons = "; ".join(f"{reason} ({count})" for reason, count in reach.reasons.items())
        parts.append(
            _("Not reachable: %(count)s — %(reasons)s.")
            % {"count": reach.unreachable, "reasons": reasons}
        )
    return " ".join(parts) or _("Nobody to tell.")

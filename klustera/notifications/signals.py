"""What notifications tell the apps above them."""

from django.dispatch import Signal

# A user opted in to or out of a channel: user, channel, granted, method (privacy keeps the proof).
consent_changed = Signal()

"""The gate's follow-ups on what happens below it: a host who leaves takes their codes along."""

from __future__ import annotations

from typing import Any

from klustera.access.services import cancel_invitations_of
from klustera.accounts.models import User
from klustera.estate.models import Occupancy


def on_stay_ended(*, occupancy: Occupancy, actor: User, **_: Any) -> None:
    user = occupancy.resident.user
    if user is not None:
        cancel_invitations_of(host=user, unit=occupancy.unit, actor=actor)


def on_account_switched_off(*, user: User, actor: User, **_: Any) -> None:
    cancel_invitations_of(host=user, actor=actor)

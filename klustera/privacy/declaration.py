"""The one declaration of personal data: which fields of which models hold it, why, and for
how long.

Each app declares its own models in ``personal_data.py`` and registers the declaration when
it is ready (privacy declares for the apps below it: notifications and audit). Export,
anonymisation, retention and the record of processing all read :data:`DECLARED`; a test fails
when a model gains a field named like personal data that is neither declared nor set aside
in :data:`NOT_PERSONAL` with the reason.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


class Category(models.TextChoices):
    IDENTITY = "identity", _("Identity")
    CONTACT = "contact", _("Contact")
    FINANCIAL = "financial", _("Financial")
    LOCATION = "location", _("Location")
    IMAGE = "image", _("Images")
    ACCESS_LOG = "access_log", _("Access and activity logs")


class Retention(models.TextChoices):
    """How long a declared row is kept; the periods are defaults a complex may lengthen."""

    ACCOUNT = "account", _("While the account exists")
    OPERATIONAL = "operational", _("1 year (operational)")
    FINANCIAL = "financial", _("10 years (financial, UU KUP art. 28(11))")


# The defaults, and the legal floor of each class (a complex may keep longer, never shorter
# for financial records).
RETENTION_PERIODS: dict[str, timedelta] = {
    Retention.OPERATIONAL: timedelta(days=365),
    Retention.FINANCIAL: timedelta(days=3653),
}


class Processor(models.TextChoices):
    """Who processes personal data on the complex's behalf (UU PDP art. 51)."""

    XENDIT = "xendit", _("Xendit (payments)")
    WHATSAPP = "whatsapp", _("Meta WhatsApp Business or the complex's WhatsApp gateway")
    EMAIL = "email", _("The email provider")
    SMS = "sms", _("The SMS provider (Twilio)")
    PUSH = "push", _("Browser push services")
    HOSTING = "hosting", _("The host of Klustera's servers and backups")


class Erase(models.TextChoices):
    """What anonymisation does to a person's rows of a model."""

    CLEAR = "clear", _("Personal fields cleared or replaced by a pseudonym")
    DELETE = "delete", _("Rows deleted")
    KEEP = "keep", _("Kept for the retention period under the pseudonym")


@dataclass(frozen=True)
class Personal:
    """Personal data in one model.

    A person's rows are those whose ``owner`` lookup reaches their user (``"user"``,
    ``"resident__user"``; ``"pk"`` for the user model itself) or whose ``match`` fields hold
    one of their attributes (``{"phone": "phone"}``: rows kept by phone number, without a
    link). ``fields`` maps each personal field to its :class:`Category`; ``shows`` names other
    columns an export carries so the rows make sense (a date, a status); ``dated_by`` names
    the field retention counts from; ``detach`` unlinks the rows from the person when they
    are anonymised (an access log keeps the event without the person); ``processors`` name
    who processes the data on the complex's behalf.
    """

    model: str
    fields: dict[str, str]
    purpose: str | Promise
    owner: str = ""
    match: dict[str, str] = field(default_factory=dict)
    shows: tuple[str, ...] = ()
    retention: str = Retention.ACCOUNT
    erase: str = Erase.CLEAR
    dated_by: str = "created_at"
    detach: bool = False
    processors: tuple[str, ...] = ()

    @property
    def model_class(self) -> type[models.Model]:
        return apps.get_model(self.model)

    @property
    def in_tenant_database(self) -> bool:
        """Whether the rows live in the complex's database (not the platform's)."""
        return self.model.lower() not in settings.PLATFORM_MODELS

    @property
    def categories(self) -> list[str]:
        return sorted(set(self.fields.values()))

    def file_fields(self) -> list[str]:
        meta = self.model_class._meta
        return [name for name in self.fields if isinstance(meta.get_field(name), models.FileField)]


DECLARED: dict[str, Personal] = {}
# Fields named like personal data that hold none: "app_label.Model.field" → the reason.
NOT_PERSONAL: dict[str, str] = {}


def declare(*declarations: Personal) -> None:
    for declaration in declarations:
        DECLARED[declaration.model] = declaration


def set_aside(reasons: dict[str, str]) -> None:
    """Fields whose names sound personal but hold no one's data (a facility's ``name``)."""
    NOT_PERSONAL.update(reasons)


def declared() -> Iterable[Personal]:
    return sorted(DECLARED.values(), key=lambda d: d.model)


def declared_in_complex() -> list[Personal]:
    """What a complex's own export, anonymisation and retention go through (the platform's
    security log keeps its own year, pruned by the audit)."""
    return [declaration for declaration in declared() if declaration.in_tenant_database]


# What an anonymisation keeps that a manager must know of, from the apps above (billing: the
# unpaid invoices that stay on the unit's books). Each takes the user and returns a sentence,
# or "".
KEPT_NOTES: list[Callable[[Any], str]] = []


def register_kept_note(note: Callable[[Any], str]) -> None:
    if note not in KEPT_NOTES:
        KEPT_NOTES.append(note)

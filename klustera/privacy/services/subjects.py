"""Whose rows are whose: a person's rows of each declared model."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import Model, Q, QuerySet

from klustera.privacy.declaration import Personal

if TYPE_CHECKING:
    from klustera.accounts.models import User


@dataclass(frozen=True)
class Subject:
    """The person as they were when their request was taken: matching by phone or name must
    still find their rows after their account's own fields were replaced."""

    pk: int
    phone: str
    name: str
    email: str

    @classmethod
    def of(cls, user: User) -> Subject:
        return cls(pk=user.pk, phone=user.phone, name=user.name, email=user.email)


def rows_of(declaration: Personal, subject: Subject) -> QuerySet[Model]:
    """The person's rows of ``declaration``'s model: reached by its owner link or holding their
    phone (or name) in a ``match`` field."""
    model = declaration.model_class
    found = Q()
    if declaration.owner == "pk":
        found |= Q(pk=subject.pk)
    elif declaration.owner:
        found |= Q(**{f"{declaration.owner}__pk": subject.pk})
    for field_name, attribute in declaration.match.items():
        if value := getattr(subject, attribute):
            found |= Q(**{field_name: value})
    if not found:
        return model._default_manager.none()
    rows = model._default_manager.filter(found)
    if "__" in declaration.owner:  # through a to-many link (a unit's occupants): once each
        rows = model._default_manager.filter(pk__in=rows.values("pk"))
    return rows.order_by("pk")

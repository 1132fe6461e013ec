"""Deletion as the law allows it: the person's fields replaced or cleared, their photos and
files deleted, sign-in made impossible; the books stay, under a pseudonym."""

from __future__ import annotations

from typing import Any, cast

from django.contrib.auth import get_user_model
from django.db import models

from klustera.privacy.declaration import KEPT_NOTES, Erase, Personal, declared_in_complex
from klustera.privacy.services.subjects import Subject, rows_of
from klustera.tenancy.context import on_commit, tenant_atomic


def pseudonym(subject: Subject | None) -> str:
    """What stands for the person in their kept records; for retention, for nobody."""
    return f"Anonim #{subject.pk}" if subject else "Anonim"


def kept_notes(user: Any) -> list[str]:
    """What stays after anonymising ``user`` that a manager must know (an unpaid bill)."""
    return [note for check in KEPT_NOTES if (note := check(user))]


def anonymise(subject: Subject) -> dict[str, int]:
    """Clear, replace or delete every declared row of the person; harmless to run twice.
    Returns the rows changed per model."""
    changed: dict[str, int] = {}
    with tenant_atomic():
        for declaration in declared_in_complex():
            if declaration.erase == Erase.KEEP:
                continue
            rows = rows_of(declaration, subject)
            delete_files(declaration, rows)
            if declaration.erase == Erase.DELETE:
                changed[declaration.model] = rows.delete()[0]
            else:
                changed[declaration.model] = rows.update(**cleared(declaration, subject))
        user = get_user_model()._default_manager.get(pk=subject.pk)
        user.set_unusable_password()
        user.is_active = False
        user.save(update_fields=["password", "is_active"])
    return {model: count for model, count in changed.items() if count}


def cleared(declaration: Personal, subject: Subject | None) -> dict[str, Any]:
    """The values that replace the declared fields (and unlink a detached row)."""
    model = declaration.model_class
    values = {
        name: blank_value(model._meta.get_field(name), subject) for name in declaration.fields
    }
    if declaration.detach:
        values[declaration.owner.split("__")[0]] = None
    return values


def blank_value(field: Any, subject: Subject | None) -> Any:
    """What replaces a personal value: nothing where the column allows it, else a pseudonym."""
    if isinstance(field, models.FileField):
        return ""
    if field.null:
        return None
    if isinstance(field, models.JSONField):
        return field.get_default()
    if isinstance(field, (models.CharField, models.TextField)):
        if field.blank and not field.unique:
            return ""
        if "phone" in field.name:  # unique and required: a number nobody can sign in with
            return f"anon-{subject.pk if subject else 0}"[: field.max_length]
        return pseudonym(subject)[: field.max_length] if field.max_length else pseudonym(subject)
    raise TypeError(f"{field.model._meta.label}.{field.name} cannot be anonymised: declare it so.")


def delete_files(declaration: Personal, rows: models.QuerySet[Any]) -> None:
    """Delete the rows' declared files once the transaction commits."""
    names = declaration.file_fields()
    if not names:
        return
    meta = declaration.model_class._meta
    storages = [cast("models.FileField", meta.get_field(name)).storage for name in names]
    for stored in rows.values_list(*names):
        for storage, name in zip(storages, stored, strict=True):
            if name:  # gone once the anonymisation is committed, never before
                on_commit(lambda storage=storage, name=name: storage.delete(name))

"""Every personal field is declared once: export, anonymisation, retention and the record of
processing read that one declaration."""

from __future__ import annotations

import re

from django.apps import apps
from django.db import models

from klustera.privacy.declaration import DECLARED, NOT_PERSONAL, Category, Erase, Retention

# What a column holding someone's personal data tends to be called.
SOUNDS_PERSONAL = re.compile(
    r"(^|_)(phone|email|name|address|plate|photo|image|thumbnail|ip|latitude|longitude"
    r"|user_agent|label|holder|proof|endpoint)($|_)"
)


def _klustera_fields() -> list[models.Field]:
    return [
        field
        for model in apps.get_models()
        if model.__module__.startswith("klustera.")
        for field in model._meta.concrete_fields
        if not field.is_relation
    ]


def test_every_field_named_like_personal_data_is_declared_or_set_aside() -> None:
    undeclared = [
        f"{field.model._meta.label}.{field.name}"
        for field in _klustera_fields()
        if SOUNDS_PERSONAL.search(field.name)
        and field.name not in DECLARED.get(field.model._meta.label, _NOTHING).fields
        and f"{field.model._meta.label}.{field.name}" not in NOT_PERSONAL
    ]
    assert undeclared == [], "declare these in the app's personal_data.py, or set them aside"


def test_the_declaration_names_real_fields_owners_and_classes() -> None:
    for declaration in DECLARED.values():
        model = declaration.model_class
        for name in [*declaration.fields, *declaration.shows, *declaration.match]:
            model._meta.get_field(name)  # raises when a field was renamed or removed
        assert set(declaration.fields.values()) <= set(Category.values)
        assert declaration.retention in Retention.values
        assert declaration.erase in Erase.values
        if declaration.owner not in ("", "pk"):
            model._default_manager.none().filter(**{f"{declaration.owner}__pk": 1})
        model._meta.get_field(declaration.dated_by)
    for label in NOT_PERSONAL:
        app_model, _, name = label.rpartition(".")
        apps.get_model(app_model)._meta.get_field(name)


def test_a_new_personal_field_fails_until_declared() -> None:
    """The check itself: a column called like a phone number is caught."""
    assert SOUNDS_PERSONAL.search("guest_phone")
    assert SOUNDS_PERSONAL.search("start_latitude")
    assert SOUNDS_PERSONAL.search("ip")
    assert not SOUNDS_PERSONAL.search("shipping_total")
    assert not SOUNDS_PERSONAL.search("description")


class _Nothing:
    fields: dict[str, str] = {}


_NOTHING = _Nothing()

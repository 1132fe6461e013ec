"""Form fields other apps' pages share: a unit picked by its label, with search."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from klustera.estate.models import Unit

# The <datalist> the field's input searches: {% include "estate/_unit_options.html" %}.
OPTIONS_ID = "unit-options"


class UnitField(forms.CharField):
    """A unit typed or picked by its label (``A-01``, any case); cleans to the Unit."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("label", _("Unit"))
        kwargs.setdefault("max_length", 30)
        kwargs.setdefault(
            "widget", forms.TextInput(attrs={"list": OPTIONS_ID, "autocomplete": "off"})
        )
        super().__init__(**kwargs)

    def clean(self, value: Any) -> Unit:
        label = str(super().clean(value)).strip().upper()
        block, _sep, number = label.rpartition("-")
        unit = Unit.objects.filter(block__iexact=block, number__iexact=number).first()
        if unit is None:
            raise forms.ValidationError(_("No unit is called that."), code="unknown_unit")
        return unit


class UnitsField(forms.CharField):
    """Several units: labels separated by commas or spaces (``A-01, A-02``), or whole blocks
    by their letter (``B``); cleans to the list of Units, each once."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("label", _("Units"))
        kwargs.setdefault("max_length", 4000)
        kwargs.setdefault(
            "help_text", _("Labels separated by commas, e.g. A-01, A-02; or a whole block: B.")
        )
        super().__init__(**kwargs)

    def clean(self, value: Any) -> list[Unit]:
        words = [w for w in str(super().clean(value)).replace(",", " ").upper().split() if w]
        found: dict[int, Unit] = {}
        unknown = []
        for word in words:
            if "-" in word:
                block, _sep, number = word.rpartition("-")
                matches = list(Unit.objects.filter(block__iexact=block, number__iexact=number))
            else:
                matches = list(Unit.objects.filter(block__iexact=word))
            if not matches:
                unknown.append(word)
            found.update((unit.pk, unit) for unit in matches)
        if unknown:
            raise forms.ValidationError(
                _("No unit or block is called %(names)s.") % {"names": ", ".join(unknown)},
                code="unknown_unit",
            )
        if not found:
            raise forms.ValidationError(_("Choose at least one unit."), code="required")
        return sorted(found.values(), key=lambda unit: (unit.block, unit.number))

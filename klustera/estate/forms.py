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

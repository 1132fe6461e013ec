"""The facilities' forms: a booking (a day, a start and an end in the complex's time)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django import forms
from django.utils.translation import gettext_lazy

from klustera.estate.models import Unit
from klustera.estate.selectors import units_visible_to
from klustera.facilities.models import Facility


class BookingForm(forms.Form):
    day = forms.DateField(label=gettext_lazy("Day"), widget=forms.DateInput({"type": "date"}))
    start = forms.TimeField(label=gettext_lazy("From"), widget=forms.TimeInput({"type": "time"}))
    end = forms.TimeField(
        label=gettext_lazy("Until"),
        widget=forms.TimeInput({"type": "time"}),
        help_text=gettext_lazy("Until a time past midnight ends the next day."),
    )
    party_size = forms.IntegerField(
        min_value=1, max_value=1000, initial=1, label=gettext_lazy("How many people")
    )
    unit = forms.ModelChoiceField(queryset=Unit.objects.none(), label=gettext_lazy("For unit"))
    note = forms.CharField(
        max_length=300, required=False, label=gettext_lazy("Note for the management (optional)")
    )

    def __init__(self, *args: Any, user: Any, facility: Facility, zone: ZoneInfo, **kw: Any):
        super().__init__(*args, **kw)
        self.zone = zone
        units = units_visible_to(user)
        self.fields["unit"].queryset = units  # type: ignore[attr-defined]
        mine = list(units[:2])
        if len(mine) == 1:
            self.fields["unit"].initial = mine[0].pk
            self.fields["unit"].widget = forms.HiddenInput()
        if facility.capacity is None:
            self.fields["party_size"].widget = forms.HiddenInput()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if {"day", "start", "end"} <= data.keys():
            start = datetime.combine(data["day"], data["start"], self.zone)
            end = datetime.combine(data["day"], data["end"], self.zone)
            if end <= start:  # 18:00 until 01:00: the next day
                end += timedelta(days=1)
            data["start"], data["end"] = start, end
        return data

    def booking(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {key: data[key] for key in ("start", "end", "party_size", "unit", "note")}


class DecisionForm(forms.Form):
    reason = forms.CharField(max_length=300, required=False, label=gettext_lazy("Reason"))

    def reason_text(self) -> str:
        return str(self.cleaned_data.get("reason", "")) if self.is_valid() else ""


def week_start(value: str, today: Any) -> Any:
    """The first day shown: ``?from=YYYY-MM-DD`` or today."""
    try:
        return datetime.strptime(value, "%Y-%m-%d").date() if value else today
    except ValueError:
        return today

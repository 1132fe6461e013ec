"""The facilities' forms: a booking (a day, a start and an end in the complex's time)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django import forms
from django.utils.dates import WEEKDAYS
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from klustera.estate.models import Unit
from klustera.estate.selectors import units_visible_to
from klustera.facilities.models import Facility
from klustera.facilities.services import RULE_FIELDS


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


class FacilityForm(forms.ModelForm):
    """A facility's rules and its hours per weekday (both empty: closed that day)."""

    class Meta:
        model = Facility
        fields = RULE_FIELDS
        labels = {
            "name": gettext_lazy("Name"),
            "rules": gettext_lazy("House rules"),
            "is_active": gettext_lazy("Open for booking"),
            "mode": gettext_lazy("How it is booked"),
            "slot_minutes": gettext_lazy("Slot length (minutes)"),
            "min_minutes": gettext_lazy("Shortest booking (minutes)"),
            "max_minutes": gettext_lazy("Longest booking (minutes)"),
            "buffer_minutes": gettext_lazy("Kept free between bookings (minutes)"),
            "capacity": gettext_lazy("People at a time (empty: one booking at a time)"),
            "lead_min_hours": gettext_lazy("Book at least (hours ahead)"),
            "lead_max_days": gettext_lazy("Book at most (days ahead)"),
            "quota_per_week": gettext_lazy("Bookings a week per unit (empty: no limit)"),
            "quota_hours_per_month": gettext_lazy("Hours a month per unit (empty: no limit)"),
            "eligibility": gettext_lazy("Who may book"),
            "needs_approval": gettext_lazy("The management approves each booking"),
            "fee_kind": gettext_lazy("Fee"),
            "fee": gettext_lazy("Fee (Rp)"),
            "weekend_fee": gettext_lazy("Weekend and holiday fee (Rp, empty: the same)"),
            "deposit": gettext_lazy("Deposit (Rp)"),
            "free_cancel_hours": gettext_lazy("Free cancellation until (hours before)"),
            "late_cancel_fee": gettext_lazy("Late cancellation fee (Rp)"),
            "late_cancel_keeps_deposit": gettext_lazy("A late cancellation keeps the deposit"),
            "bill_with_ipl": gettext_lazy("Put the fee on the next monthly bill instead"),
        }
        widgets = {"rules": forms.Textarea({"rows": 4})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        hours = {}
        if self.instance.pk:
            hours = {row.weekday: row for row in self.instance.hours.all()}
        for weekday in range(1, 8):
            row = hours.get(weekday)
            for edge in ("opens", "closes"):
                self.fields[f"{edge}_{weekday}"] = forms.TimeField(
                    required=False,
                    label=f"{WEEKDAYS[weekday - 1]}: "
                    + (
                        str(gettext_lazy("opens"))
                        if edge == "opens"
                        else str(gettext_lazy("closes"))
                    ),
                    initial=getattr(row, edge) if row else None,
                    widget=forms.TimeInput({"type": "time"}, format="%H:%M"),
                )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for weekday in range(1, 8):
            opens, closes = data.get(f"opens_{weekday}"), data.get(f"closes_{weekday}")
            if (opens is None) != (closes is None):
                self.add_error(f"closes_{weekday}", _("Give both times, or neither (closed)."))
        return data

    def hours(self) -> dict[int, Any]:
        data = self.cleaned_data
        return {
            day: (data[f"opens_{day}"], data[f"closes_{day}"])
            for day in range(1, 8)
            if data.get(f"opens_{day}") is not None and data.get(f"closes_{day}") is not None
        }

    def rules(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in RULE_FIELDS}


class ClosureForm(forms.Form):
    start = forms.DateTimeField(
        label=gettext_lazy("Closed from"),
        widget=forms.DateTimeInput({"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    end = forms.DateTimeField(
        label=gettext_lazy("Until"),
        widget=forms.DateTimeInput({"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    reason = forms.CharField(max_length=200, label=gettext_lazy("Reason (residents are told)"))


class HolidayForm(forms.Form):
    day = forms.DateField(label=gettext_lazy("Day"), widget=forms.DateInput({"type": "date"}))
    name = forms.CharField(max_length=100, label=gettext_lazy("Holiday"))

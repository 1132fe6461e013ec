"""The manager's forms: a task template with its schedule, and an ad-hoc task."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.dates import WEEKDAYS
from django.utils.translation import gettext_lazy

from klustera.accounts.selectors import active_staff
from klustera.operations.models import QUEUES, TaskTemplate
from klustera.operations.services import TEMPLATE_FIELDS

TIME = forms.TimeInput({"type": "time"}, format="%H:%M")


class ChecklistField(forms.CharField):
    """One checklist item a line."""

    widget = forms.Textarea({"rows": 3})

    def prepare_value(self, value: Any) -> Any:
        return "\n".join(value) if isinstance(value, list) else value

    def clean(self, value: Any) -> list[str]:
        text = super().clean(value) or ""
        return [line.strip() for line in text.splitlines() if line.strip()]


class TemplateForm(forms.ModelForm):
    checklist = ChecklistField(required=False, label=gettext_lazy("Checklist (one item a line)"))
    weekdays = forms.TypedMultipleChoiceField(
        choices=[(day, WEEKDAYS[day - 1]) for day in range(1, 8)],
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=gettext_lazy("Weekdays"),
    )

    class Meta:
        model = TaskTemplate
        fields = TEMPLATE_FIELDS
        labels = {
            "title": gettext_lazy("Task"),
            "area": gettext_lazy("Area or block"),
            "estimated_minutes": gettext_lazy("Takes about (minutes)"),
            "photo_required": gettext_lazy("A photo of the work is required"),
            "assignee": gettext_lazy("Staff member"),
            "queue": gettext_lazy("Or a role's queue"),
            "frequency": gettext_lazy("How often"),
            "day_of_month": gettext_lazy("Day of the month (31: the last day)"),
            "at": gettext_lazy("At"),
            "every_hours": gettext_lazy("Every … hours"),
            "until": gettext_lazy("Until"),
            "starts_on": gettext_lazy("From"),
            "is_active": gettext_lazy("In use"),
        }
        widgets = {
            "at": TIME,
            "until": TIME,
            "starts_on": forms.DateInput({"type": "date"}, format="%Y-%m-%d"),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = active_staff()  # type: ignore[attr-defined]

    def data_for_service(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in TEMPLATE_FIELDS}


class TaskForm(forms.Form):
    title = forms.CharField(max_length=120, label=gettext_lazy("Task"))
    area = forms.CharField(max_length=80, required=False, label=gettext_lazy("Area or block"))
    assignee = forms.ModelChoiceField(
        queryset=active_staff(), required=False, label=gettext_lazy("Staff member")
    )
    queue = forms.ChoiceField(
        choices=[("", "—"), *QUEUES], required=False, label=gettext_lazy("Or a role's queue")
    )
    starts_at = forms.DateTimeField(
        label=gettext_lazy("From"),
        widget=forms.DateTimeInput({"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    due_at = forms.DateTimeField(
        label=gettext_lazy("Done by"),
        widget=forms.DateTimeInput({"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    photo_required = forms.BooleanField(
        required=False, label=gettext_lazy("A photo of the work is required")
    )

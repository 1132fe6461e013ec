"""The manager's forms: a task template with its schedule, an ad-hoc task, a checkpoint
and a patrol route."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.dates import WEEKDAYS
from django.utils.translation import gettext_lazy

from klustera.accounts.selectors import active_staff
from klustera.forms import PhotosField
from klustera.helpdesk.models import Ticket
from klustera.operations.models import QUEUES, Checkpoint, Incident, PatrolRoute, TaskTemplate
from klustera.operations.services import CHECKPOINT_FIELDS, ROUTE_FIELDS, TEMPLATE_FIELDS

TIME = forms.TimeInput({"type": "time"}, format="%H:%M")
SCHEDULE_WIDGETS = {
    "at": TIME,
    "until": TIME,
    "starts_on": forms.DateInput({"type": "date"}, format="%Y-%m-%d"),
}


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
        widgets = SCHEDULE_WIDGETS

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


class CheckpointForm(forms.ModelForm):
    class Meta:
        model = Checkpoint
        fields = CHECKPOINT_FIELDS
        labels = {
            "name": gettext_lazy("Checkpoint"),
            "description": gettext_lazy("Where exactly"),
            "latitude": gettext_lazy("Latitude"),
            "longitude": gettext_lazy("Longitude"),
            "radius_m": gettext_lazy("Allowed distance (metres)"),
            "is_active": gettext_lazy("In use"),
        }

    def data_for_service(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in CHECKPOINT_FIELDS}


class RouteForm(forms.ModelForm):
    """A route's schedule, and each checkpoint's place on it (blank: not on the route)."""

    class Meta:
        model = PatrolRoute
        fields = ROUTE_FIELDS
        labels = {
            "name": gettext_lazy("Route"),
            "ordered": gettext_lazy("Walked in this order"),
            "at": gettext_lazy("First round at"),
            "every_hours": gettext_lazy("Every … hours"),
            "until": gettext_lazy("Last round at"),
            "minutes": gettext_lazy("A round takes (minutes)"),
            "starts_on": gettext_lazy("From"),
            "is_active": gettext_lazy("In use"),
        }
        widgets = SCHEDULE_WIDGETS

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        placed = {}
        if self.instance.pk:
            placed = {s.checkpoint_id: s.position + 1 for s in self.instance.stops.all()}
        self.checkpoints = list(Checkpoint.objects.filter(is_active=True))
        for checkpoint in self.checkpoints:
            self.fields[f"stop_{checkpoint.pk}"] = forms.IntegerField(
                required=False,
                min_value=1,
                max_value=50,
                label=gettext_lazy("Place of %(checkpoint)s") % {"checkpoint": checkpoint.name},
                initial=placed.get(checkpoint.pk),
            )

    def chosen_checkpoints(self) -> list[Checkpoint]:
        """The checkpoints given a place, in its order (ties: by name)."""
        placed = [
            (self.cleaned_data[f"stop_{c.pk}"], n, c)
            for n, c in enumerate(self.checkpoints)
            if self.cleaned_data.get(f"stop_{c.pk}")
        ]
        return [checkpoint for _, _, checkpoint in sorted(placed, key=lambda p: (p[0], p[1]))]

    def data_for_service(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in ROUTE_FIELDS}


class IncidentForm(forms.Form):
    kind = forms.ChoiceField(choices=Incident.Kind.choices, label=gettext_lazy("What"))
    severity = forms.ChoiceField(
        choices=Incident.Severity.choices, label=gettext_lazy("How serious")
    )
    occurred_at = forms.DateTimeField(
        label=gettext_lazy("When"),
        widget=forms.DateTimeInput({"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    location = forms.CharField(max_length=120, label=gettext_lazy("Where"))
    description = forms.CharField(
        max_length=4000, widget=forms.Textarea({"rows": 4}), label=gettext_lazy("What happened")
    )
    people = forms.CharField(
        max_length=1000,
        required=False,
        widget=forms.Textarea({"rows": 2}),
        label=gettext_lazy("People involved (optional)"),
    )
    photos = PhotosField(required=False, label=gettext_lazy("Photos (optional)"))


class FollowUpForm(forms.Form):
    status = forms.ChoiceField(choices=Incident.Status.choices, label=gettext_lazy("Status"))
    note = forms.CharField(
        max_length=2000,
        required=False,
        widget=forms.Textarea({"rows": 3}),
        label=gettext_lazy("Note"),
    )
    actions = forms.CharField(
        max_length=2000,
        required=False,
        widget=forms.Textarea({"rows": 2}),
        label=gettext_lazy("Actions taken"),
    )
    ticket = forms.ModelChoiceField(
        queryset=Ticket.objects.none(),
        required=False,
        label=gettext_lazy("Repair ticket in the helpdesk (optional)"),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        finished = [Ticket.Status.RESOLVED, Ticket.Status.CLOSED, Ticket.Status.CANCELLED]
        open_tickets = Ticket.objects.exclude(status__in=finished).order_by("-pk")
        self.fields["ticket"].queryset = open_tickets  # type: ignore[attr-defined]

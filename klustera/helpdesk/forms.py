"""The helpdesk's forms: a complaint with its photos, a category with its targets, and the
helpdesk's rules."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from klustera.estate.models import Unit
from klustera.estate.selectors import units_visible_to
from klustera.forms import PhotosField
from klustera.helpdesk.models import Category, HelpdeskSettings, Priority
from klustera.roles import is_manager


class TicketForm(forms.Form):
    category = forms.ModelChoiceField(
        queryset=Category.objects.filter(is_active=True), label=gettext_lazy("What about")
    )
    title = forms.CharField(max_length=120, label=gettext_lazy("In a few words"))
    description = forms.CharField(
        max_length=4000, label=gettext_lazy("What is wrong"), widget=forms.Textarea({"rows": 4})
    )
    unit = forms.ModelChoiceField(
        queryset=Unit.objects.none(),  # the user's own units, set per form
        required=False,
        label=gettext_lazy("Unit"),
        empty_label=gettext_lazy("A common area"),
    )
    location = forms.CharField(
        max_length=120, required=False, label=gettext_lazy("Where exactly (optional)")
    )
    photos = PhotosField(required=False, label=gettext_lazy("Photos (up to 5)"))

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        units = units_visible_to(user)
        self.fields["unit"].queryset = units  # type: ignore[attr-defined]
        if is_manager(user):
            self.fields["priority"] = forms.ChoiceField(
                choices=Priority.choices, initial=Priority.NORMAL, label=gettext_lazy("Priority")
            )


class CategoryForm(forms.Form):
    """A category and its targets: hours to the first answer and to the fix, per priority."""

    name = forms.CharField(max_length=60, label=gettext_lazy("Name"))
    is_active = forms.BooleanField(required=False, initial=True, label=gettext_lazy("In use"))
    business_hours_only = forms.BooleanField(
        required=False,
        label=gettext_lazy("Count office hours only (urgent: always around the clock)"),
    )

    def __init__(
        self, data: Any = None, *, category: Category | None = None, **kwargs: Any
    ) -> None:
        initial = kwargs.pop("initial", {})
        if category is not None:
            kwargs.setdefault("prefix", f"c{category.pk}")
            initial |= {
                "name": category.name,
                "is_active": category.is_active,
                "business_hours_only": category.business_hours_only,
            }
            for target in category.targets.all():
                initial[f"{target.priority}_response"] = target.response_hours
                initial[f"{target.priority}_resolution"] = target.resolution_hours
        super().__init__(data, initial=initial, **kwargs)
        for priority, label in Priority.choices:
            self.fields[f"{priority}_response"] = forms.IntegerField(
                min_value=1,
                max_value=24 * 90,
                label=_("%(priority)s: first answer within (hours)") % {"priority": label},
            )
            self.fields[f"{priority}_resolution"] = forms.IntegerField(
                min_value=1,
                max_value=24 * 90,
                label=_("%(priority)s: resolved within (hours)") % {"priority": label},
            )

    def basics(self) -> list[forms.BoundField]:
        return [self[name] for name in ("name", "is_active", "business_hours_only")]

    def hours(self) -> list[tuple[str, forms.BoundField, forms.BoundField]]:
        """Per priority: its name, and the fields of its two targets (for a table)."""
        return [
            (str(label), self[f"{priority}_response"], self[f"{priority}_resolution"])
            for priority, label in Priority.choices
        ]

    def clean(self) -> dict[str, Any]:
        """The hours per priority gathered as ``targets``, as the service takes them."""
        data = super().clean() or {}
        hours = {
            key: data.pop(key) for key in list(data) if key.endswith(("_response", "_resolution"))
        }
        data["targets"] = {}
        for priority in Priority.values:
            response, resolution = (
                hours.get(f"{priority}_response"),
                hours.get(f"{priority}_resolution"),
            )
            if response is None or resolution is None:
                continue  # its field tells what is wrong
            if response > resolution:
                self.add_error(
                    f"{priority}_resolution", _("At least the hours to the first answer.")
                )
            data["targets"][priority] = (response, resolution)
        return data


WEEKDAY_CHOICES = [
    (1, gettext_lazy("Monday")),
    (2, gettext_lazy("Tuesday")),
    (3, gettext_lazy("Wednesday")),
    (4, gettext_lazy("Thursday")),
    (5, gettext_lazy("Friday")),
    (6, gettext_lazy("Saturday")),
    (7, gettext_lazy("Sunday")),
]


class SettingsForm(forms.Form):
    business_start = forms.TimeField(
        label=gettext_lazy("The office opens at"), widget=forms.TimeInput({"type": "time"})
    )
    business_end = forms.TimeField(
        label=gettext_lazy("The office closes at"), widget=forms.TimeInput({"type": "time"})
    )
    business_days = forms.TypedMultipleChoiceField(
        choices=WEEKDAY_CHOICES,
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        label=gettext_lazy("Working days"),
    )
    reopen_days = forms.IntegerField(
        min_value=1,
        max_value=90,
        label=gettext_lazy("A resolved ticket can be reopened for (days)"),
    )
    auto_close_days = forms.IntegerField(
        min_value=1,
        max_value=90,
        label=gettext_lazy("A resolved ticket closes by itself after (days without an answer)"),
    )

    @classmethod
    def of(cls, config: HelpdeskSettings, data: Any = None) -> SettingsForm:
        return cls(
            data,
            initial={
                "business_start": config.business_start,
                "business_end": config.business_end,
                "business_days": config.business_days or [1, 2, 3, 4, 5],
                "reopen_days": config.reopen_days,
                "auto_close_days": config.auto_close_days,
            },
        )

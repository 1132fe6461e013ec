"""The community's forms: announcements and polls (times in the complex's zone)."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from klustera.community.models import Announcement, Poll
from klustera.community.services.polls import EDITABLE
from klustera.estate.models import Unit
from klustera.forms import AttachmentsField
from klustera.roles import STAFF_ROLES, Role

LOCAL_TIME = forms.DateTimeInput({"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class AnnouncementForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=150)
    body = forms.CharField(label=_("Announcement"), max_length=4000, widget=forms.Textarea)
    category = forms.ChoiceField(
        label=_("Category"), choices=Announcement.Category.choices, required=False
    )
    blocks = forms.MultipleChoiceField(
        label=_("Only for blocks"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None ticked: the whole complex."),
    )
    unit_types = forms.MultipleChoiceField(
        label=_("Only for unit types"),
        choices=Unit.Type.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None ticked: every type."),
    )
    tenure = forms.ChoiceField(
        label=_("Living there as"),
        choices=Announcement.Tenure.choices,
        initial="all",
        required=False,
    )
    staff_roles = forms.MultipleChoiceField(
        label=_("Also tell the staff"),
        choices=[(role, Role(role).label) for role in sorted(STAFF_ROLES)],
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    pinned = forms.BooleanField(label=_("Pin to the top"), required=False)
    expires_at = forms.DateTimeField(
        label=_("Hide after"), required=False, widget=LOCAL_TIME, help_text=_("Optional.")
    )
    publish_at = forms.DateTimeField(
        label=_("Publish at"),
        required=False,
        widget=LOCAL_TIME,
        help_text=_("Leave empty to publish now."),
    )
    send = forms.BooleanField(
        label=_("Also tell the residents (WhatsApp, push or email, as each chose)"),
        required=False,
        initial=True,
    )
    attachments = AttachmentsField(
        label=_("Attachments"), required=False, help_text=_("PDFs or photos, at most 5 MB each.")
    )
    remove_attachments = forms.TypedMultipleChoiceField(
        label=_("Remove"), coerce=int, required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args: Any, announcement: Announcement | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        blocks = Unit.objects.order_by("block").values_list("block", flat=True).distinct()
        cast(forms.ChoiceField, self.fields["blocks"]).choices = [(b, b) for b in blocks]
        attached = list(announcement.attachments.all()) if announcement else []
        removable = cast(forms.ChoiceField, self.fields["remove_attachments"])
        removable.choices = [(a.pk, a.name) for a in attached]
        if not attached:
            del self.fields["remove_attachments"]

    def clean_category(self) -> str:
        return self.cleaned_data["category"] or Announcement.Category.INFO

    def clean_tenure(self) -> str:
        return self.cleaned_data["tenure"] or Announcement.Tenure.ALL

    def content(self) -> dict[str, Any]:
        """The fields an edit may change (a published announcement keeps its time)."""
        return {k: v for k, v in self.cleaned_data.items() if k != "publish_at"}


class PollForm(forms.ModelForm):
    """A poll's question and rules; its options one per line; its attachments."""

    options = forms.CharField(
        label=_("Options"),
        widget=forms.Textarea({"rows": 4}),
        help_text=_("One per line, 2 to 20."),
    )
    attachments = AttachmentsField(
        label=_("Attachments"), required=False, help_text=_("PDFs or photos, at most 5 MB each.")
    )
    remove_attachments = forms.TypedMultipleChoiceField(
        label=_("Remove"), coerce=int, required=False, widget=forms.CheckboxSelectMultiple
    )
    field_order = ["question", "description", "attachments", "remove_attachments", "options"]

    class Meta:
        model = Poll
        fields = EDITABLE
        labels = {
            "question": _("Question"),
            "description": _("Explanation"),
            "multiple": _("Several options may be chosen"),
            "max_choices": _("At most this many choices"),
            "electorate": _("Who votes"),
            "weighting": _("How votes weigh"),
            "ballot": _("Ballot"),
            "results": _("Results shown"),
            "quorum_percent": _("Quorum (% of the electorate)"),
            "opens_at": _("Opens"),
            "closes_at": _("Closes"),
            "max_reminders": _("Reminders to those who have not voted"),
        }
        widgets = {
            "description": forms.Textarea({"rows": 3}),
            "opens_at": LOCAL_TIME,
            "closes_at": LOCAL_TIME,
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["quorum_percent"].widget.attrs.update({"min": 0, "max": 100})
        self.fields["max_reminders"].widget.attrs.update({"min": 0, "max": 5})
        self.fields["max_choices"].widget.attrs.update({"min": 1, "max": 20})
        attached = list(self.instance.attachments.all()) if self.instance.pk else []
        removable = cast(forms.ChoiceField, self.fields["remove_attachments"])
        removable.choices = [(a.pk, a.name) for a in attached]
        if not attached:
            del self.fields["remove_attachments"]
        if self.instance.pk:
            labels = self.instance.options.values_list("label", flat=True)
            self.initial["options"] = "\n".join(labels)

    def changes(self) -> dict[str, Any]:
        """What the service takes: the fields, and the options as a list."""
        data = dict(self.cleaned_data)
        data["options"] = data["options"].splitlines()
        return data


class VoteForm(forms.Form):
    """The options of one poll, as radio buttons or, for a multiple choice, check boxes."""

    def __init__(self, *args: Any, poll: Poll, chosen: list[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [(option.pk, option.label) for option in poll.options.all()]
        field: forms.Field
        if poll.multiple:
            field = forms.TypedMultipleChoiceField(
                choices=choices, coerce=int, widget=forms.CheckboxSelectMultiple
            )
        else:
            field = forms.TypedChoiceField(choices=choices, coerce=int, widget=forms.RadioSelect)
        field.label = poll.question
        field.initial = chosen if poll.multiple else (chosen[0] if chosen else None)
        self.fields["options"] = field

    def chosen(self) -> list[int]:
        value = self.cleaned_data["options"]
        return list(value) if isinstance(value, list) else [value]


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("Why is the poll cancelled?"), max_length=300)

"""Managers' pages: the outbox (filter, resend) and the complex's provider settings."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from klustera.notifications import services
from klustera.notifications.models import Channel, Message, NotificationSettings
from klustera.paging import paginate
from klustera.permissions import manager_required


class OutboxFilter(forms.Form):
    status = forms.ChoiceField(
        choices=[("", gettext_lazy("Any status")), *Message.Status.choices], required=False
    )
    channel = forms.ChoiceField(
        choices=[("", gettext_lazy("Any channel")), *Channel.choices], required=False
    )


@manager_required
def outbox(request: HttpRequest) -> HttpResponse:
    form = OutboxFilter(request.GET or None)
    rows = Message.objects.all()
    if form.is_valid():
        rows = rows.filter(**{k: v for k, v in form.cleaned_data.items() if v})
    return render(
        request, "notifications/outbox.html", {"form": form, **paginate(request, rows, 25)}
    )


@manager_required
@require_POST
def resend(request: HttpRequest, pk: int) -> HttpResponse:
    message = get_object_or_404(Message, pk=pk)
    try:
        services.resend(message=message, actor=request.user)  # type: ignore[arg-type]
    except services.NotificationError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("The message was queued again."))
    return redirect("notifications-outbox")


class SettingsForm(forms.ModelForm):
    class Meta:
        model = NotificationSettings
        fields = list(services.EDITABLE_SETTINGS)
        widgets = {
            **{name: forms.PasswordInput(render_value=False) for name in services.SECRET_FIELDS},
            "quiet_start": forms.TimeInput(attrs={"type": "time"}),
            "quiet_end": forms.TimeInput(attrs={"type": "time"}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in services.SECRET_FIELDS:
            self.fields[name].required = False
            is_set = bool(getattr(self.instance, name))
            self.fields[name].help_text = _("Saved; leave empty to keep it.") if is_set else ""

    def changes(self) -> dict[str, Any]:
        """What to save: an empty secret field keeps the stored secret."""
        return {
            name: value
            for name, value in self.cleaned_data.items()
            if not (name in services.SECRET_FIELDS and not value)
        }


@manager_required
def settings_page(request: HttpRequest) -> HttpResponse:
    current = services.notification_settings()
    form = SettingsForm(request.POST or None, instance=current)
    if request.method == "POST" and form.is_valid():
        services.update_settings(changes=form.changes(), actor=request.user)  # type: ignore[arg-type]
        messages.success(request, _("Settings saved."))
        return redirect("notifications-settings")
    return render(
        request,
        "notifications/settings.html",
        {"form": form, "channels": [Channel.WHATSAPP, Channel.EMAIL, Channel.SMS]},
    )


@manager_required
@require_POST
def send_test(request: HttpRequest) -> HttpResponse:
    channel = request.POST.get("channel", "")
    if channel not in (Channel.WHATSAPP, Channel.EMAIL, Channel.SMS):
        messages.error(request, _("Choose WhatsApp, email or SMS."))
        return redirect("notifications-settings")
    try:
        message = services.send_test_message(user=request.user, channel=channel)  # type: ignore[arg-type]
    except services.NotificationError as exc:
        messages.error(request, str(exc))
    else:
        if message.status == Message.Status.SKIPPED:
            messages.error(request, _("Not sent: %(reason)s") % {"reason": message.skip_reason})
        else:
            messages.success(request, _("Test message queued; watch its status in the outbox."))
    return redirect("notifications-settings")

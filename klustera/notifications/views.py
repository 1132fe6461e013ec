"""The notification pages: everyone's own choices; for managers the outbox (filter, resend)
and the complex's provider settings."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from klustera.api import user_of
from klustera.forms import WriteOnlySecrets
from klustera.notifications import selectors, services
from klustera.notifications.models import Category, Channel, Consent, Message, NotificationSettings
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
    rows = selectors.outbox_rows(**(form.cleaned_data if form.is_valid() else {}))
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


class SettingsForm(WriteOnlySecrets, forms.ModelForm):
    secret_fields = tuple(services.SECRET_FIELDS)

    class Meta:
        model = NotificationSettings
        fields = list(services.EDITABLE_SETTINGS)
        widgets = {
            **{name: forms.PasswordInput(render_value=False) for name in services.SECRET_FIELDS},
            # <input type=time> takes ISO times only, whatever the page's language.
            "quiet_start": forms.TimeInput(format="%H:%M", attrs={"type": "time"}),
            "quiet_end": forms.TimeInput(format="%H:%M", attrs={"type": "time"}),
        }
        labels = {
            "whatsapp_provider": gettext_lazy("WhatsApp provider"),
            "whatsapp_phone_number_id": gettext_lazy("WhatsApp phone number ID (Meta)"),
            "whatsapp_access_token": gettext_lazy("WhatsApp access token (Meta)"),
            "whatsapp_app_secret": gettext_lazy("WhatsApp app secret (Meta)"),
            "whatsapp_verify_token": gettext_lazy("Webhook verify token (Meta)"),
            "fonnte_token": gettext_lazy("Fonnte token"),
            "sms_provider": gettext_lazy("SMS provider"),
            "twilio_account_sid": gettext_lazy("Twilio account SID"),
            "twilio_auth_token": gettext_lazy("Twilio auth token"),
            "twilio_from": gettext_lazy("Twilio sender number"),
            "email_from": gettext_lazy("Send email from"),
            "quiet_start": gettext_lazy("Quiet hours start"),
            "quiet_end": gettext_lazy("Quiet hours end"),
        }
        help_texts = {
            "whatsapp_provider": gettext_lazy(
                "Console only writes messages to the log: nobody receives them."
            ),
            "whatsapp_phone_number_id": gettext_lazy("From Meta's WhatsApp Manager, API setup."),
            "email_from": gettext_lazy("Empty: the platform's address."),
            "quiet_start": gettext_lazy(
                "Messages that are not urgent wait until the quiet hours end (complex time)."
            ),
        }


@manager_required
def settings_page(request: HttpRequest) -> HttpResponse:
    current = services.notification_settings()
    form = SettingsForm(request.POST or None, instance=current, stored=current)
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
    return _send_test(
        request, request.user, request.POST.get("channel", ""), "notifications-settings"
    )


class ChoicesForm(forms.Form):
    """A person's own choices: WhatsApp yes or no, and the channels for each kind of message."""

    whatsapp = forms.BooleanField(
        required=False, label=gettext_lazy("Send me messages on WhatsApp")
    )

    def __init__(self, *args: Any, phone: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["whatsapp"].help_text = _(
            "To %(phone)s. You can switch it off here at any time."
        ) % {"phone": phone}
        for category in Category:
            self.fields[category.value] = forms.MultipleChoiceField(
                label=category.label,
                choices=[(c.value, c.label) for c in selectors.CHOOSABLE],
                widget=forms.CheckboxSelectMultiple,
                required=False,
            )

    def choices(self) -> dict[str, list[str]]:
        return {category.value: self.cleaned_data[category.value] for category in Category}


def _safe_next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return reverse("home")


@login_required
def my_notifications(request: HttpRequest) -> HttpResponse:
    """How a person is told things: WhatsApp consent, channels per category, a test message.

    Asked on the first sign-in (``?first=1``): a yes or a no to WhatsApp is recorded either
    way, so the question is not asked again.
    """
    user = user_of(request)
    consent = selectors.whatsapp_consent(user)
    if request.method == "POST" and request.POST.get("answer") in ("yes", "no"):
        services.set_consent(
            user=user,
            channel=Channel.WHATSAPP,
            granted=request.POST["answer"] == "yes",
            method=Consent.Method.APP_SETTING,
        )
        return redirect(_safe_next(request))
    if request.method == "POST" and "test" in request.POST:
        return _send_test(request, user, request.POST["test"], "my-notifications")
    initial = {"whatsapp": bool(consent and consent.is_granted), **selectors.channels_chosen(user)}
    form = ChoicesForm(request.POST or None, initial=initial, phone=user.phone)
    if request.method == "POST" and form.is_valid():
        services.update_choices(
            user=user, whatsapp=form.cleaned_data["whatsapp"], choices=form.choices()
        )
        messages.success(request, _("Your choices are saved."))
        return redirect("my-notifications")
    return render(
        request,
        "notifications/mine.html",
        {
            "form": form,
            "consent": consent,
            "first": request.GET.get("first") == "1" and consent is None,
            "next": _safe_next(request),
            "channels": [Channel.WHATSAPP, Channel.EMAIL],
        },
    )


def _send_test(request: HttpRequest, user: Any, channel: str, back: str) -> HttpResponse:
    """Send the test message to ``user`` themselves and say truthfully what became of it."""
    if channel not in (Channel.WHATSAPP, Channel.EMAIL, Channel.SMS):
        messages.error(request, _("Choose WhatsApp, email or SMS."))
        return redirect(back)
    try:
        message = services.send_test_message(user=user, channel=channel)
    except services.NotificationError as exc:
        messages.error(request, str(exc))
    else:
        if message.status == Message.Status.SKIPPED:
            messages.error(request, _("Not sent: %(reason)s") % {"reason": _(message.skip_reason)})
        else:
            messages.success(request, _("Test message queued; it should arrive within a minute."))
    return redirect(back)


# --- The in-app inbox ------------------------------------------------------------


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    """Everything the complex sent the person, newest first; ``?unread=1`` the unread only."""
    user = user_of(request)
    unread = request.GET.get("unread") == "1"
    listed = paginate(request, selectors.inbox_of(user, unread=unread), 20)
    return render(
        request,
        "notifications/inbox.html",
        {**listed, "unread_only": unread, "unread": selectors.unread_count(user)},
    )


@login_required
def inbox_bell(request: HttpRequest) -> HttpResponse:
    """The header's bell alone, for htmx's poll every 30 s."""
    return render(
        request, "notifications/_bell.html", {"unread": selectors.unread_count(user_of(request))}
    )


@login_required
def inbox_open(request: HttpRequest, pk: int) -> HttpResponse:
    """Open an entry: it is read, and the person goes to its subject (or back to the inbox)."""
    entry = get_object_or_404(selectors.inbox_of(user_of(request)), pk=pk)
    services.mark_read(user=user_of(request), message_id=entry.pk)
    target = str(entry.context.get("link", ""))
    if target and url_has_allowed_host_and_scheme(
        target, {request.get_host()}, request.is_secure()
    ):
        return HttpResponseRedirect(target)
    return redirect("inbox-page")


@login_required
@require_POST
def inbox_read(request: HttpRequest) -> HttpResponse:
    """Mark one entry (``entry``) or, without it, everything read."""
    user = user_of(request)
    if request.POST.get("entry", "").isdigit():
        services.mark_read(user=user, message_id=int(request.POST["entry"]))
    else:
        count = services.mark_all_read(user=user)
        messages.success(
            request,
            ngettext("%(count)s entry marked read.", "%(count)s entries marked read.", count)
            % {"count": count},
        )
    return redirect("inbox-page")

"""Portal page of the community: the announcements, and posting one (managers)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _

from klustera.api import user_of
from klustera.community.selectors import announcements_for
from klustera.community.services import post_announcement
from klustera.paging import paginate
from klustera.roles import is_manager


class AnnouncementForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=150)
    body = forms.CharField(label=_("Announcement"), max_length=4000, widget=forms.Textarea)
    block = forms.CharField(
        label=_("Only for block"),
        max_length=20,
        required=False,
        help_text=_("Leave empty for the whole complex."),
    )
    send = forms.BooleanField(
        label=_("Also tell the residents (WhatsApp, push or email, as each chose)"),
        required=False,
        initial=True,
    )


@login_required
def announcements(request: HttpRequest) -> HttpResponse:
    """The announcements the user may read, newest first; managers post from here."""
    manages = is_manager(request.user)
    form = AnnouncementForm(request.POST or None) if manages else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
        if form.is_valid():
            try:
                post_announcement(actor=user_of(request), **form.cleaned_data)
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("Announcement posted."))
                return redirect("announcements-page")
    listed = paginate(request, announcements_for(user_of(request)), 10)
    return render(request, "community/announcements.html", {**listed, "form": form})

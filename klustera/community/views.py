"""Portal pages of the community: announcements, and polls (vote; managers put, close, cancel)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET, require_POST

from klustera.api import user_of
from klustera.community.forms import AnnouncementForm, CancelForm, PollForm, VoteForm
from klustera.community.models import Poll
from klustera.community.selectors import (
    access_announcement,
    access_attachment,
    access_poll,
    announcements_for,
    my_vote,
    polls_for,
    reads_of,
    results_of,
    results_visible,
    seats_of,
    unseal,
)
from klustera.community.services import (
    cancel_poll,
    cast_vote,
    close_poll,
    create_poll,
    edit_announcement,
    edit_poll,
    post_announcement,
    publish_announcement,
    remind_unread,
    withdraw_announcement,
)
from klustera.community.services.announcements import CONTENT
from klustera.notifications.services import mark_read_about
from klustera.paging import paginate
from klustera.permissions import manager_required
from klustera.roles import is_manager
from klustera.uploads import serve_file

POSTED = {
    "draft": gettext_lazy("Draft saved."),
    "scheduled": gettext_lazy("Announcement scheduled."),
    "published": gettext_lazy("Announcement posted."),
}


@login_required
def announcements(request: HttpRequest) -> HttpResponse:
    """The announcements the user may read, pinned first then newest; managers post (now,
    later or as a draft) from here. What a resident sees here counts as read."""
    user = user_of(request)
    manages = is_manager(user)
    form = AnnouncementForm(request.POST or None, request.FILES or None) if manages else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
        if form.is_valid():
            try:
                posted = post_announcement(
                    actor=user, draft="draft" in request.POST, **form.cleaned_data
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, str(POSTED[posted.state(timezone.now())]))
                return redirect("announcements-page")
    listed = paginate(request, announcements_for(user), 10)
    shown = listed["page"].object_list
    mark_read_about(user=user, abouts=[f"announcement:{a.pk}" for a in shown])
    now = timezone.now()
    rows = [(a, a.state(now)) for a in shown]
    return render(request, "community/announcements.html", {**listed, "rows": rows, "form": form})


@manager_required
def announcement_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Change an announcement; once published it shows "edited" and is not sent again."""
    announcement = access_announcement(user_of(request), pk)
    initial = {name: getattr(announcement, name) for name in (*CONTENT, "publish_at")}
    form = AnnouncementForm(
        request.POST or None, request.FILES or None, initial=initial, announcement=announcement
    )
    if request.method == "POST" and form.is_valid():
        changes = form.content() if announcement.posted_at else form.cleaned_data
        try:
            edit_announcement(actor=user_of(request), announcement=announcement, **changes)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Announcement saved."))
            return redirect("announcements-page")
    return render(
        request, "community/announcement_edit.html", {"form": form, "announcement": announcement}
    )


ANNOUNCEMENT_ACTIONS = {
    "publish": (publish_announcement, gettext_lazy("Announcement published.")),
    "withdraw": (withdraw_announcement, gettext_lazy("Announcement withdrawn.")),
}


@manager_required
@require_POST
def announcement_action(request: HttpRequest, pk: int) -> HttpResponse:
    """Publish a draft now, withdraw, or remind those who have not read it."""
    announcement = access_announcement(user_of(request), pk)
    action = request.POST.get("action", "")
    try:
        if action == "remind":
            told = remind_unread(actor=user_of(request), announcement=announcement)
            messages.success(
                request,
                ngettext("Reminded %(n)s person.", "Reminded %(n)s people.", told) % {"n": told},
            )
            return redirect("announcement-reads", pk=pk)
        if action not in ANNOUNCEMENT_ACTIONS:
            raise ValidationError(_("Choose to publish, withdraw or remind."))
        service, done = ANNOUNCEMENT_ACTIONS[action]
        service(actor=user_of(request), announcement=announcement)
        messages.success(request, str(done))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("announcements-page")


@manager_required
def announcement_reads(request: HttpRequest, pk: int) -> HttpResponse:
    """Who was told, and who has read it (in the app, or WhatsApp's "read")."""
    announcement = access_announcement(user_of(request), pk)
    reads = reads_of(announcement)
    return render(
        request,
        "community/announcement_reads.html",
        {
            "announcement": announcement,
            "reads": reads,
            "read": sum(1 for _person, at in reads if at),
            "published": announcement.state(timezone.now()) == "published",
        },
    )


# --- Polls -------------------------------------------------------------------------------------


@login_required
@require_GET
def attachment(request: HttpRequest, pk: int) -> FileResponse:
    """An announcement's or a poll's attachment, to those who may read it (404 to others)."""
    attached = access_attachment(user_of(request), pk)
    return serve_file(attached.file, content_type=attached.content_type, filename=attached.name)


@login_required
def polls(request: HttpRequest) -> HttpResponse:
    """The complex's polls, the open ones first."""
    now = timezone.now()
    listed = paginate(request, polls_for(user_of(request)), 20)
    rows = [(poll, poll.state(now)) for poll in listed["page"].object_list]
    rows.sort(key=lambda row: row[1] != "open")
    return render(
        request,
        "community/polls.html",
        {**listed, "rows": rows, "manages": is_manager(request.user)},
    )


@login_required
def poll_page(request: HttpRequest, pk: int) -> HttpResponse:
    """One poll: the vote (or the change of it), the results when shown, the minutes."""
    user = user_of(request)
    poll = access_poll(user, pk)
    state = poll.state(timezone.now())
    seated = seats_of(user, poll)
    vote = my_vote(user, poll, seated)
    chosen = unseal(vote) if vote else []
    seats = seated if state == "open" else []
    form = VoteForm(request.POST or None, poll=poll, chosen=chosen) if seats else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
        if form.is_valid():
            try:
                cast_vote(user=user, poll=poll, options=form.chosen(), unit=_unit(request, seats))
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(
                    request, _("Your vote is saved. You may change it until the close.")
                )
                return redirect("poll-page", pk=poll.pk)
    manages = is_manager(user)
    return render(
        request,
        "community/poll.html",
        {
            "poll": poll,
            "state": state,
            "form": form,
            "seats": seats,
            "voted": vote is not None,
            "results": results_of(poll) if results_visible(poll) or manages else None,
            "counts_shown": results_visible(poll),
            "manages": manages,
            "cancel_form": CancelForm() if manages and state in ("open", "scheduled") else None,
            "editable": manages
            and state in ("open", "scheduled")
            and not poll.participations.exists(),
        },
    )


def _unit(request: HttpRequest, seats: list) -> int | None:
    """The unit the voter picked, where they have several."""
    value = request.POST.get("unit", "")
    return int(value) if value.isdigit() and len(seats) > 1 else None


@login_required
def poll_minutes(request: HttpRequest, pk: int) -> FileResponse:
    poll = access_poll(user_of(request), pk)
    if not poll.minutes:
        raise Http404
    return FileResponse(
        poll.minutes.open("rb"),
        content_type="application/pdf",
        filename=f"berita-acara-{pk}.pdf",
        as_attachment=True,
    )


@manager_required
def poll_new(request: HttpRequest) -> HttpResponse:
    form = PollForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            poll = create_poll(actor=user_of(request), **form.changes())
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Poll created. The voters are told when it opens."))
            return redirect("poll-page", pk=poll.pk)
    return render(request, "community/poll_form.html", {"form": form, "poll": None})


@manager_required
def poll_edit(request: HttpRequest, pk: int) -> HttpResponse:
    poll = access_poll(user_of(request), pk)
    form = PollForm(
        request.POST or None, request.FILES or None, instance=Poll.objects.get(pk=poll.pk)
    )
    if request.method == "POST" and form.is_valid():
        try:
            edit_poll(actor=user_of(request), poll=poll, **form.changes())
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Poll saved."))
            return redirect("poll-page", pk=poll.pk)
    return render(request, "community/poll_form.html", {"form": form, "poll": poll})


@manager_required
@require_POST
def poll_close(request: HttpRequest, pk: int) -> HttpResponse:
    poll = access_poll(user_of(request), pk)
    try:
        close_poll(poll=poll, actor=user_of(request))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Poll closed; the minutes are ready."))
    return redirect("poll-page", pk=poll.pk)


@manager_required
@require_POST
def poll_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    poll = access_poll(user_of(request), pk)
    form = CancelForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(_("Say why the poll is cancelled."))
        cancel_poll(poll=poll, actor=user_of(request), reason=form.cleaned_data["reason"])
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Poll cancelled; those who voted are told."))
    return redirect("poll-page", pk=poll.pk)

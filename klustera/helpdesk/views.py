"""The helpdesk's pages: filing and following a complaint, the ticket with its thread and
moves, the staff's tickets and the manager's queue."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import BadRequest, PermissionDenied, ValidationError
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from klustera.accounts.models import User
from klustera.api import user_of
from klustera.estate.models import Unit
from klustera.estate.selectors import units_visible_to
from klustera.helpdesk.filters import TicketFilters, filter_tickets
from klustera.helpdesk.models import Category, Priority, Ticket, TicketPhoto
from klustera.helpdesk.selectors import access_ticket, comments_for, tickets_visible_to
from klustera.helpdesk.services import (
    MAX_PHOTOS,
    QUEUES,
    add_comment,
    add_photos,
    file_ticket,
    move_ticket,
    moves_for,
    rate_ticket,
    route_ticket,
)
from klustera.paging import filters_of, paginate
from klustera.permissions import manager_required
from klustera.roles import STAFF_ROLES, is_manager, roles_of


class PhotosInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class PhotosField(forms.ImageField):
    """Up to five photos from one input (Django's documented way for several files)."""

    widget = PhotosInput(attrs={"accept": "image/*", "multiple": True})

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        files = data if isinstance(data, list | tuple) else [data] if data else []
        if len(files) > MAX_PHOTOS:
            raise ValidationError(_("At most %(n)s photos.") % {"n": MAX_PHOTOS})
        return [super(PhotosField, self).clean(file, initial) for file in files]


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


@login_required
def complaints_page(request: HttpRequest) -> HttpResponse:
    """File a complaint and follow one's own (staff: theirs and their queues')."""
    user = user_of(request)
    form = TicketForm(request.POST or None, request.FILES or None, user=user)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        photos = data.pop("photos")
        try:
            ticket = file_ticket(actor=user, **data)
            if photos:
                add_photos(ticket=ticket, images=photos, actor=user, kind="problem")
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Complaint #%(n)s filed.") % {"n": ticket.pk})
            return redirect("complaint-page", pk=ticket.pk)
    tickets = tickets_visible_to(user).order_by("-created_at")
    return render(
        request,
        "helpdesk/complaints.html",
        {"form": form, **paginate(request, tickets, 20), "now": timezone.now()},
    )


@manager_required
def queue_page(request: HttpRequest) -> HttpResponse:
    """Every ticket, with filters, the most urgent deadline first."""
    filters = filters_of(request, TicketFilters)
    tickets = filter_tickets(tickets_visible_to(request.user), filters).order_by("resolution_due")
    return render(
        request,
        "helpdesk/queue.html",
        {
            **paginate(request, tickets, 25),
            "statuses": Ticket.Status.choices,
            "priorities": Priority.choices,
            "categories": Category.objects.all(),
            "filters": {k: request.GET.get(k, "") for k in ("status", "priority", "category")},
            "now": timezone.now(),
        },
    )


@login_required
def complaint_page(request: HttpRequest, pk: int) -> HttpResponse:
    """A ticket: its photos, thread and history, and the moves the viewer may make."""
    user = user_of(request)
    ticket = access_ticket(user, pk)
    staff = User.objects.filter(groups__name__in=STAFF_ROLES, is_active=True).distinct()
    return render(
        request,
        "helpdesk/complaint.html",
        {
            "ticket": ticket,
            "comments": comments_for(user, ticket),
            "events": ticket.events.all(),
            "photos": ticket.photos.all(),
            "moves": moves_for(ticket, user),
            "works_here": is_manager(user) or bool(roles_of(user) & STAFF_ROLES),
            "manages": is_manager(user),
            "may_rate": ticket.rating is None
            and ticket.status in (Ticket.Status.RESOLVED, Ticket.Status.CLOSED)
            and user.pk in (ticket.reporter_id, ticket.filed_by_id),
            "staff": staff if is_manager(user) else [],
            "queues": QUEUES,
        },
    )


@login_required
@require_POST
def complaint_action(request: HttpRequest, pk: int) -> HttpResponse:
    """A move, a comment, photos or an assignment, each through its service."""
    user = user_of(request)
    ticket = access_ticket(user, pk)
    action = request.POST.get("action", "")
    try:
        if action == "move":
            to = request.POST.get("to", "")
            move_ticket(ticket=ticket, to=to, actor=user, note=request.POST.get("note", ""))
            messages.success(request, _("Now: %(status)s.") % {"status": Ticket.Status(to).label})
        elif action == "comment":
            add_comment(
                ticket=ticket,
                actor=user,
                body=request.POST.get("body", ""),
                internal=request.POST.get("internal") == "on",
                question=request.POST.get("question") == "on",
            )
        elif action == "photos":
            photos = PhotosField().clean(request.FILES.getlist("photos"))
            add_photos(ticket=ticket, images=photos, actor=user, kind=request.POST.get("kind", ""))
        elif action == "rate":
            stars = forms.IntegerField(min_value=1, max_value=5).clean(request.POST.get("stars"))
            rate_ticket(
                ticket=ticket, actor=user, stars=stars, comment=request.POST.get("comment", "")
            )
            messages.success(request, _("Thank you for rating the work."))
        elif action == "assign":
            if not is_manager(user):
                raise PermissionDenied
            _assign(request, ticket, user)
        else:
            raise BadRequest("unknown action")
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("complaint-page", pk=ticket.pk)


def _assign(request: HttpRequest, ticket: Ticket, manager: User) -> None:
    target = request.POST.get("assignee", "")
    if target.startswith("queue:"):
        route_ticket(ticket=ticket, queue=target.removeprefix("queue:"), actor=manager)
        messages.success(request, _("In the queue; its staff can take it."))
        return
    assignee = get_object_or_404(User, pk=target if target.isdigit() else 0, is_active=True)
    move_ticket(ticket=ticket, to=Ticket.Status.ASSIGNED, actor=manager, assignee=assignee)
    messages.success(request, _("Assigned to %(name)s.") % {"name": assignee.name})


@login_required
@require_GET
def complaint_photo(request: HttpRequest, pk: int, photo: int) -> FileResponse:
    """A ticket's photo (``?size=thumb`` for the small one), to those who may see the ticket."""
    ticket = access_ticket(request.user, pk)
    picture = get_object_or_404(TicketPhoto, pk=photo, ticket=ticket)
    stored = picture.thumbnail if request.GET.get("size") == "thumb" else picture.image
    response = FileResponse(stored.open("rb"), content_type="image/jpeg")
    response["Cache-Control"] = "private, max-age=3600"
    return response

"""The helpdesk's pages: filing and following a complaint, the ticket with its thread and
moves, the staff's tickets, the manager's queue, report and settings."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import BadRequest, PermissionDenied, ValidationError
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from klustera.accounts.models import User
from klustera.accounts.selectors import active_staff
from klustera.api import user_of
from klustera.helpdesk.filters import SORTS, ReportFilters, TicketFilters, filter_tickets, ranked
from klustera.helpdesk.forms import CategoryForm, PhotosField, SettingsForm, TicketForm
from klustera.helpdesk.models import Category, HelpdeskSettings, Priority, Ticket, TicketPhoto
from klustera.helpdesk.reports import HelpdeskReport, helpdesk_report
from klustera.helpdesk.selectors import access_ticket, comments_for, tickets_visible_to
from klustera.helpdesk.services import (
    DEFAULT_TARGETS,
    QUEUES,
    add_comment,
    add_photos,
    assign_tickets,
    file_ticket,
    move_ticket,
    moves_for,
    rate_ticket,
    route_ticket,
    save_category,
    save_settings,
)
from klustera.paging import filters_of, paginate
from klustera.permissions import manager_required
from klustera.roles import STAFF_ROLES, Role, is_manager, roles_of
from klustera.tables import XLSX, download, to_csv, to_xlsx
from klustera.tenancy.replicas import replica_reads


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
    """Every ticket, with filters and sorting, the most urgent deadline first; tickets ticked
    in the list are assigned at once."""
    if request.method == "POST":
        _assign_many(request, user_of(request))
        return redirect(f"{request.path}?{request.GET.urlencode()}")
    filters = filters_of(request, TicketFilters)
    tickets = filter_tickets(ranked(tickets_visible_to(request.user)), filters)
    return render(
        request,
        "helpdesk/queue.html",
        {
            **paginate(request, tickets.order_by("resolution_due"), 25, sorts=SORTS),
            "statuses": Ticket.Status.choices,
            "priorities": Priority.choices,
            "categories": Category.objects.all(),
            "staff": active_staff(),
            "queues": QUEUES,
            "filters": {
                name: request.GET.get(name, "")
                for name in ("status", "priority", "category", "assignee", "block")
            },
            "now": timezone.now(),
            "selectable": True,
        },
    )


def _assign_many(request: HttpRequest, manager: User) -> None:
    """The ticked tickets to one staff member or queue; what could not be assigned is told."""
    ids = [pk for pk in request.POST.getlist("ticket") if pk.isdigit()]
    tickets = list(tickets_visible_to(manager).filter(pk__in=ids))
    target = request.POST.get("assignee", "")
    if not tickets or not target:
        messages.error(request, _("Tick the tickets and choose whom to give them to."))
        return
    queue = target.removeprefix("queue:") if target.startswith("queue:") else ""
    assignee = (
        None if queue else active_staff().filter(pk=target if target.isdigit() else 0).first()
    )
    if not queue and assignee is None:
        messages.error(request, _("Choose a staff member or a queue."))
        return
    done, refused = assign_tickets(tickets=tickets, actor=manager, assignee=assignee, queue=queue)
    if done:
        messages.success(
            request,
            ngettext("%(n)s ticket given to %(who)s.", "%(n)s tickets given to %(who)s.", len(done))
            % {"n": len(done), "who": assignee.name if assignee else Role(queue).label},
        )
    for pk, reason in refused.items():
        messages.error(request, _("#%(n)s not assigned: %(reason)s") % {"n": pk, "reason": reason})


def report_file(report: HelpdeskReport, kind: str) -> HttpResponse:
    """The report as a CSV or XLSX download."""
    stem = f"helpdesk-{report.start:%Y-%m-%d}-{report.end:%Y-%m-%d}"
    if kind == "xlsx":
        return download(to_xlsx(report.table(), "helpdesk"), f"{stem}.xlsx", XLSX)
    return download(to_csv(report.table()), f"{stem}.csv", "text/csv; charset=utf-8")


@manager_required
@require_GET
@replica_reads
def report_page(request: HttpRequest) -> HttpResponse:
    """How the helpdesk does: open tickets, targets met, answer and fix times, ratings."""
    filters = filters_of(request, ReportFilters)
    report = helpdesk_report(filters["start"], filters["end"])
    if filters.get("format"):
        return report_file(report, filters["format"])
    return render(
        request,
        "helpdesk/report.html",
        {
            "report": report,
            "columns": report.columns(),
            "chart": report.chart(),
            "query": f"start={report.start:%Y-%m-%d}&end={report.end:%Y-%m-%d}",
        },
    )


@manager_required
def settings_page(request: HttpRequest) -> HttpResponse:
    """The categories with their targets, and the helpdesk's office hours and rules. Each
    form on the page posts on its own (``form`` names it: ``rules``, ``new`` or a category)."""
    manager = user_of(request)
    posted = request.POST if request.method == "POST" else None
    which = request.POST.get("form", "")
    rules = SettingsForm.of(HelpdeskSettings.current(), posted if which == "rules" else None)
    new = CategoryForm(posted if which == "new" else None, prefix="new", initial=_default_targets())
    categories = [
        (category, CategoryForm(posted if which == str(category.pk) else None, category=category))
        for category in Category.objects.prefetch_related("targets")
    ]
    if posted is not None:
        if which == "rules":
            saved = _saved(rules, lambda data: save_settings(actor=manager, **data))
        else:
            category, form = next(
                ((c, f) for c, f in categories if str(c.pk) == which), (None, new)
            )
            if form is new and which != "new":
                raise BadRequest("unknown form")
            saved = _saved(
                form, lambda data: save_category(actor=manager, category=category, **data)
            )
        if saved:
            messages.success(request, _("Saved."))
            return redirect("helpdesk-settings")
    return render(
        request,
        "helpdesk/settings.html",
        {"categories": categories, "new": new, "rules": rules, "which": which},
    )


def _saved(form: forms.Form, save: Callable[[dict[str, Any]], Any]) -> bool:
    """Whether ``form`` was valid and ``save`` took it; its errors are on the form if not."""
    if not form.is_valid():
        return False
    try:
        save(form.cleaned_data)
    except ValidationError as exc:
        named = hasattr(exc, "error_dict") and set(exc.error_dict) <= set(form.fields)
        form.add_error(None, exc if named else exc.messages)
        return False
    return True


def _default_targets() -> dict[str, int]:
    initial = {}
    for priority, (response, resolution) in DEFAULT_TARGETS.items():
        initial[f"{priority}_response"], initial[f"{priority}_resolution"] = response, resolution
    return initial


@login_required
def complaint_page(request: HttpRequest, pk: int) -> HttpResponse:
    """A ticket: its photos, thread and history, and the moves the viewer may make."""
    user = user_of(request)
    ticket = access_ticket(user, pk)
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
            "staff": active_staff() if is_manager(user) else [],
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

"""The staff operations' pages: the day's tasks (ticked off with notes and photos, or not
done with a reason), the guard's patrol and a shift's check-in and -out; the manager's
templates, work done, checkpoints, routes, stickers and the night's patrol."""

from __future__ import annotations

import uuid
from datetime import timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from klustera.accounts.selectors import active_staff
from klustera.api import user_of
from klustera.errors import StateConflict
from klustera.forms import PhotosField
from klustera.operations.forms import (
    CheckpointForm,
    FollowUpForm,
    IncidentForm,
    RouteForm,
    TaskForm,
    TemplateForm,
)
from klustera.operations.models import (
    Checkpoint,
    Incident,
    IncidentPhoto,
    PatrolRoute,
    Shift,
    Task,
    TaskPhoto,
    TaskTemplate,
)
from klustera.operations.reports import (
    STATUSES,
    Attendance,
    Compliance,
    ComplianceQuery,
    IncidentExport,
    MonthQuery,
    NightQuery,
    TaskFilters,
    Week,
    WeekQuery,
    attendance_of,
    attendance_table,
    compliance_of,
    compliance_table,
    incident_table,
    week_of,
    week_table,
)
from klustera.operations.selectors import (
    access_incident,
    access_task,
    current_night,
    filter_incidents,
    filter_tasks,
    incidents_visible_to,
    plan_points,
    positions,
    rounds_of_night,
    scans_of_night,
    tasks_of_day,
    tasks_visible_to,
)
from klustera.operations.services import (
    add_task,
    check_in,
    check_out,
    checkpoint_token,
    complete_task,
    follow_up_incident,
    on_duty,
    report_incident,
    save_checkpoint,
    save_route,
    save_template,
    scan_checkpoint,
)
from klustera.paging import filters_of, paginate
from klustera.pdf import html_to_pdf, qr_data_uri
from klustera.permissions import manager_required
from klustera.roles import guards_the_gate, is_manager, is_staff_member
from klustera.tables import XLSX, download, to_csv, to_xlsx
from klustera.tenancy.context import current_tenant
from klustera.tenancy.replicas import replica_reads


@login_required
def tasks_page(request: HttpRequest) -> HttpResponse:
    """Today's tasks: one's own and one's queue's (a manager: everyone's)."""
    user = user_of(request)
    if not (is_staff_member(user) or is_manager(user)):
        raise PermissionDenied
    today = timezone.localdate()
    return render(
        request,
        "operations/tasks.html",
        {
            "tasks": tasks_of_day(user, today),
            "now": timezone.now(),
            "today": today,
            "form_id": uuid.uuid4(),
        },
    )


@require_POST
@login_required
def task_complete_page(request: HttpRequest, pk: int) -> HttpResponse:
    """The task's card: done (the ticked items, notes, photos) or not done with a reason. The
    form carries an id of its own, so sending it twice records it once."""
    user = user_of(request)
    task = access_task(user, pk)
    try:  # one id per page shown and task: the same form sent twice is one completion
        client_id = uuid.uuid5(uuid.UUID(request.POST.get("form", "")), f"task-{task.pk}")
    except ValueError:
        client_id = uuid.uuid4()
    try:
        photos = PhotosField(required=False).clean(request.FILES.getlist("photos"))
        done = request.POST.get("outcome") != "not_done"
        complete_task(
            task=task,
            actor=user,
            done=done,
            client_id=client_id,
            device_time=timezone.now(),
            checked=[int(i) for i in request.POST.getlist("checked") if i.isdigit()],
            notes=request.POST.get("notes", ""),
            reason=request.POST.get("reason", ""),
            photos=photos,
        )
    except ValidationError as exc:
        messages.error(request, f"{task.title}: {' '.join(exc.messages)}")
    else:
        messages.success(
            request,
            _("%(task)s: done.") % {"task": task.title}
            if done
            else _("%(task)s: noted as not done.") % {"task": task.title},
        )
    return redirect(f"{reverse('tasks-page')}#task-{task.pk}")


@login_required
def task_photo(request: HttpRequest, pk: int) -> FileResponse:
    """A photo of the work (``?size=thumb`` for the small one), to whoever may see the task."""
    photo = get_object_or_404(
        TaskPhoto.objects.filter(task__in=tasks_visible_to(user_of(request))), pk=pk
    )
    stored = photo.thumbnail if request.GET.get("size") == "thumb" else photo.image
    response = FileResponse(stored.open("rb"), content_type="image/jpeg")
    response["Cache-Control"] = "private, max-age=3600"
    return response


@manager_required
def manage_tasks_page(request: HttpRequest) -> HttpResponse:
    """The templates with their schedules, and a task of its own to give out now."""
    form = TaskForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            add_task(actor=user_of(request), **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Task given out."))
            return redirect("manage-tasks-page")
    return render(
        request,
        "operations/manage.html",
        {"templates": TaskTemplate.objects.select_related("assignee"), "form": form},
    )


@manager_required
def template_page(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """A task template and its schedule; changes apply to the tasks not made yet."""
    template = get_object_or_404(TaskTemplate, pk=pk) if pk else None
    initial = {"starts_on": timezone.localdate()} if template is None else None
    form = TemplateForm(request.POST or None, instance=template, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            save_template(template=template, actor=user_of(request), **form.data_for_service())
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Template saved."))
            return redirect("manage-tasks-page")
    return render(request, "operations/template.html", {"template": template, "form": form})


@manager_required
@require_GET
def completion_page(request: HttpRequest) -> HttpResponse:
    """A day's work with its photos: by status (late ones too), area and person."""
    filters = filters_of(request, TaskFilters)
    tasks = filter_tasks(tasks_visible_to(user_of(request)), filters)
    day = filters.get("day") or timezone.localdate()
    return render(
        request,
        "operations/completion.html",
        {
            "day": day,
            "filters": filters,
            "areas": Task.objects.exclude(area="").values_list("area", flat=True).distinct(),
            "staff": active_staff(),
            "statuses": STATUSES,
            "now": timezone.now(),
            **paginate(request, tasks),
        },
    )


@manager_required
@require_GET
def week_page(request: HttpRequest) -> HttpResponse:
    """The week's work per day, per staff member and per area; CSV or XLSX to keep."""
    asked = filters_of(request, WeekQuery)
    week = week_of(asked.get("week") or timezone.localdate())
    if asked.get("format"):
        return week_file(week, asked["format"])
    return render(
        request,
        "operations/week.html",
        {
            "week": week,
            "tables": [
                (_("Per day"), week.days, True),
                (_("Per staff member"), week.staff, False),
                (_("Per area"), week.areas, False),
            ],
            "previous": week.first - timedelta(days=7),
            "next": week.first + timedelta(days=7),
        },
    )


def week_file(week: Week, kind: str) -> HttpResponse:
    stem = f"tasks-{week.first:%Y-%m-%d}"
    if kind == "xlsx":
        return download(to_xlsx(week_table(week), "tasks"), f"{stem}.xlsx", XLSX)
    return download(to_csv(week_table(week)), f"{stem}.csv", "text/csv; charset=utf-8")


# --- Patrols and shifts ----------------------------------------------------------------


def _device_write_id(request: HttpRequest, kind: str) -> uuid.UUID:
    """One id per page shown and write: the same form sent twice is stored once."""
    try:
        return uuid.uuid5(uuid.UUID(request.POST.get("form", "")), kind)
    except ValueError:
        return uuid.uuid4()


def _position(request: HttpRequest, *, accuracy: bool = True) -> dict[str, Any]:
    """The phone's position the page's script put in the form, if it could and it is sane
    (with its accuracy, where the write takes one)."""
    try:
        latitude = Decimal(request.POST.get("latitude", "")).quantize(Decimal("0.000001"))
        longitude = Decimal(request.POST.get("longitude", "")).quantize(Decimal("0.000001"))
        meters = int(float(request.POST.get("accuracy") or 0))
    except (InvalidOperation, ValueError):
        return {}
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180 and 0 <= meters < 100_000):
        return {}
    position = {"latitude": latitude, "longitude": longitude, "accuracy": meters}
    if not accuracy:
        del position["accuracy"]
    return position


@login_required
def patrol_page(request: HttpRequest) -> HttpResponse:
    """The guard's patrol: scan a checkpoint (the camera, or the sticker's code typed) and
    tonight's rounds with what is still to walk."""
    user = user_of(request)
    if not guards_the_gate(user):
        raise PermissionDenied
    if request.method == "POST":
        try:
            scan = scan_checkpoint(
                guard=user,
                token=request.POST.get("token", "")[:120],
                client_id=_device_write_id(request, "scan"),
                scanned_at=timezone.now(),
                **_position(request),
            )[0]
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            text = _("%(checkpoint)s scanned at %(time)s.") % {
                "checkpoint": scan.checkpoint.name,
                "time": timezone.localtime(scan.scanned_at).strftime("%H:%M"),
            }
            if scan.far:
                text += " " + _("Far from the checkpoint: noted for the manager.")
            messages.success(request, text)
        return redirect("patrol-page")
    night = current_night()
    return render(
        request,
        "operations/patrol.html",
        {
            "rounds": rounds_of_night(night),
            "night": night,
            "now": timezone.now(),
            "form_id": uuid.uuid4(),
            "on_duty": Shift.objects.filter(user=user, ended_at__isnull=True).first(),
        },
    )


@login_required
def shift_page(request: HttpRequest) -> HttpResponse:
    """A staff member's shift: check in, check out."""
    user = user_of(request)
    if not is_staff_member(user):
        raise PermissionDenied
    if request.method == "POST":
        checking_in = request.POST.get("action") == "in"
        position = _position(request, accuracy=False)
        try:
            (check_in if checking_in else check_out)(
                user=user,
                client_id=_device_write_id(request, "in" if checking_in else "out"),
                device_time=timezone.now(),
                **position,
            )
        except StateConflict as exc:
            messages.error(request, exc.message)
        else:
            messages.success(
                request, _("Checked in. Have a good shift.") if checking_in else _("Checked out.")
            )
        return redirect((request.POST.get("next") == "patrol" and "patrol-page") or "shift-page")
    return render(
        request,
        "operations/shift.html",
        {
            "on_duty": Shift.objects.filter(user=user, ended_at__isnull=True).first(),
            "recent": Shift.objects.filter(user=user).exclude(ended_at__isnull=True)[:10],
            "form_id": uuid.uuid4(),
        },
    )


@manager_required
def manage_patrols_page(request: HttpRequest) -> HttpResponse:
    """Checkpoints (a new one added here), routes, who is on duty, and the stickers."""
    form = CheckpointForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            save_checkpoint(checkpoint=None, actor=user_of(request), **form.data_for_service())
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Checkpoint added. Print its sticker."))
            return redirect("manage-patrols-page")
    return render(
        request,
        "operations/patrols.html",
        {
            "checkpoints": Checkpoint.objects.all(),
            "routes": PatrolRoute.objects.prefetch_related("stops__checkpoint"),
            "on_duty": on_duty(),
            "form": form,
            "night": current_night(),
        },
    )


@manager_required
def checkpoint_page(request: HttpRequest, pk: int) -> HttpResponse:
    checkpoint = get_object_or_404(Checkpoint, pk=pk)
    form = CheckpointForm(request.POST or None, instance=checkpoint)
    if request.method == "POST" and form.is_valid():
        try:
            save_checkpoint(
                checkpoint=checkpoint, actor=user_of(request), **form.data_for_service()
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Checkpoint saved."))
            return redirect("manage-patrols-page")
    return render(
        request,
        "operations/checkpoint.html",
        {
            "checkpoint": checkpoint,
            "form": form,
            "token": checkpoint_token(checkpoint),
            "qr": qr_data_uri(checkpoint_token(checkpoint), scale=5),
        },
    )


@manager_required
def route_page(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    route = get_object_or_404(PatrolRoute, pk=pk) if pk else None
    initial = {"starts_on": timezone.localdate()} if route is None else None
    form = RouteForm(request.POST or None, instance=route, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            save_route(
                route=route,
                actor=user_of(request),
                checkpoints=form.chosen_checkpoints(),
                **form.data_for_service(),
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Route saved."))
            return redirect("manage-patrols-page")
    return render(request, "operations/route.html", {"route": route, "form": form})


@manager_required
@require_GET
def stickers_page(request: HttpRequest) -> HttpResponse:
    return stickers_response()


def stickers_response() -> HttpResponse:
    """The active checkpoints' stickers, as many to an A4 sheet as fit, to print."""
    tenant = current_tenant()
    stickers = [
        {"checkpoint": c, "token": checkpoint_token(c), "qr": qr_data_uri(checkpoint_token(c))}
        for c in Checkpoint.objects.filter(is_active=True)
    ]
    html = render_to_string(
        "operations/stickers_pdf.html",
        {"stickers": stickers, "complex": tenant.name if tenant else ""},
    )
    response = HttpResponse(html_to_pdf(html), content_type="application/pdf")
    response["Content-Disposition"] = 'inline; filename="checkpoint-stickers.pdf"'
    return response


@manager_required
@require_GET
def night_page(request: HttpRequest) -> HttpResponse:
    """A night's patrol: the rounds with their checkpoints (missed ones marked), every scan
    on a timeline, and where they were on a plan of the complex."""
    night = filters_of(request, NightQuery).get("night") or current_night()
    scans = list(scans_of_night(night))
    placed = positions(Checkpoint.objects.all(), scans)
    return render(
        request,
        "operations/night.html",
        {
            "night": night,
            "rounds": rounds_of_night(night),
            "scans": scans,
            "plan": plan_points(placed),
            "tiles": settings.MAP_TILE_URL if placed else "",
            "attribution": settings.MAP_TILE_ATTRIBUTION,
            "map_points": [
                {"label": label, "lat": float(lat), "lng": float(lng), "kind": kind}
                for label, lat, lng, kind in placed
            ],
            "previous": night - timedelta(days=1),
            "next": night + timedelta(days=1),
        },
    )


# --- Incidents -------------------------------------------------------------------------


@login_required
def incidents_page(request: HttpRequest) -> HttpResponse:
    """Report an incident; the log (managers and guards: all; other staff: their own),
    filtered, with its export for managers."""
    user = user_of(request)
    if not (is_staff_member(user) or is_manager(user)):
        raise PermissionDenied
    form = IncidentForm(
        request.POST or None,
        request.FILES or None,
        initial={"occurred_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M")},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            incident = report_incident(
                reporter=user,
                client_id=_device_write_id(request, "incident"),
                device_time=timezone.now(),
                **data,
                **_position(request, accuracy=False),
            )[0]
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(
                request,
                _("Reported. The managers were told at once.")
                if incident.is_urgent
                else _("Reported."),
            )
            return redirect("incident-page", pk=incident.pk)
    filters = filters_of(request, IncidentExport)
    incidents = filter_incidents(incidents_visible_to(user), filters)
    if filters.get("format") and is_manager(user):
        return incident_file(incidents, filters["format"])
    return render(
        request,
        "operations/incidents.html",
        {
            "form": form,
            "form_id": uuid.uuid4(),
            "filters": filters,
            "choices": {
                "status": Incident.Status.choices,
                "severity": Incident.Severity.choices,
                "kind": Incident.Kind.choices,
            },
            "can_export": is_manager(user),
            **paginate(request, incidents),
        },
    )


@login_required
def incident_page(request: HttpRequest, pk: int) -> HttpResponse:
    """An incident with its photos and history; managers follow it up here."""
    user = user_of(request)
    incident = access_incident(user, pk)
    form = FollowUpForm(request.POST or None, initial={"status": incident.status})
    if request.method == "POST":
        if not is_manager(user):
            raise PermissionDenied
        if form.is_valid():
            try:
                follow_up_incident(incident=incident, actor=user, **form.cleaned_data)
            except ValidationError as exc:  # a StateConflict too: a move the status forbids
                form.add_error(None, exc)
            else:
                messages.success(request, _("Follow-up saved."))
                return redirect("incident-page", pk=incident.pk)
    return render(
        request,
        "operations/incident.html",
        {
            "incident": incident,
            "events": incident.events.all(),
            "form": form if is_manager(user) else None,
        },
    )


@login_required
def incident_photo(request: HttpRequest, pk: int) -> FileResponse:
    photo = get_object_or_404(
        IncidentPhoto.objects.filter(incident__in=incidents_visible_to(user_of(request))), pk=pk
    )
    stored = photo.thumbnail if request.GET.get("size") == "thumb" else photo.image
    response = FileResponse(stored.open("rb"), content_type="image/jpeg")
    response["Cache-Control"] = "private, max-age=3600"
    return response


def incident_file(incidents: Any, kind: str) -> HttpResponse:
    stem = f"incidents-{timezone.localdate():%Y-%m-%d}"
    rows = incident_table(incidents.select_related("reported_by"))
    if kind == "xlsx":
        return download(to_xlsx(rows, "incidents"), f"{stem}.xlsx", XLSX)
    return download(to_csv(rows), f"{stem}.csv", "text/csv; charset=utf-8")


# --- Monthly: patrol compliance and attendance ---------------------------------------------


def _month(asked: dict[str, Any]) -> Any:
    return asked.get("month") or timezone.localdate().replace(day=1)


@manager_required
@require_GET
@replica_reads
def patrol_report_page(request: HttpRequest) -> HttpResponse:
    """A month's rounds per route (on time, late, incomplete) and the checkpoints missed."""
    asked = filters_of(request, ComplianceQuery)
    report = compliance_of(_month(asked))
    if asked.get("format"):
        return compliance_file(report, asked["format"])
    return render(request, "operations/patrol_report.html", {"report": report})


def compliance_file(report: Compliance, kind: str) -> HttpResponse:
    stem = f"patrols-{report.first:%Y-%m}"
    if kind == "pdf":
        tenant = current_tenant()
        html = render_to_string(
            "operations/patrol_report_pdf.html",
            {"report": report, "complex": tenant.name if tenant else ""},
        )
        return download(html_to_pdf(html), f"{stem}.pdf", "application/pdf")
    if kind == "xlsx":
        return download(to_xlsx(compliance_table(report), "patrols"), f"{stem}.xlsx", XLSX)
    return download(to_csv(compliance_table(report)), f"{stem}.csv", "text/csv; charset=utf-8")


@manager_required
@require_GET
def attendance_page(request: HttpRequest) -> HttpResponse:
    """Who is on duty now, and a month's shifts per staff member with their hours."""
    asked = filters_of(request, MonthQuery)
    first = _month(asked)
    sheet = attendance_of(first)
    if asked.get("format"):
        return attendance_file(sheet, first, asked["format"])
    return render(
        request,
        "operations/attendance.html",
        {"sheet": sheet, "first": first, "on_duty": on_duty()},
    )


def attendance_file(sheet: list[Attendance], first: Any, kind: str) -> HttpResponse:
    stem = f"attendance-{first:%Y-%m}"
    if kind == "xlsx":
        return download(to_xlsx(attendance_table(sheet), "attendance"), f"{stem}.xlsx", XLSX)
    return download(to_csv(attendance_table(sheet)), f"{stem}.csv", "text/csv; charset=utf-8")

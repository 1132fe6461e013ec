"""The staff's pages: the day's tasks, each ticked off with notes and photos, or not done
with a reason."""

from __future__ import annotations

import uuid
from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from klustera.accounts.selectors import active_staff
from klustera.api import user_of
from klustera.forms import PhotosField
from klustera.operations.forms import TaskForm, TemplateForm
from klustera.operations.models import Task, TaskPhoto, TaskTemplate
from klustera.operations.reports import STATUSES, TaskFilters, Week, WeekQuery, week_of, week_table
from klustera.operations.selectors import (
    access_task,
    filter_tasks,
    tasks_of_day,
    tasks_visible_to,
)
from klustera.operations.services import add_task, complete_task, save_template
from klustera.paging import filters_of, paginate
from klustera.permissions import manager_required
from klustera.roles import is_manager, is_staff_member
from klustera.tables import XLSX, download, to_csv, to_xlsx


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

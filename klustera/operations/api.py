"""The staff's task API: the day's tasks, and completing one from a phone (idempotent)."""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.generics import ListAPIView
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from klustera.accounts.selectors import active_staff
from klustera.api import (
    ClockField,
    DayField,
    FormatIsAFile,
    IdField,
    MomentField,
    RejectUnknownFields,
    call_service,
    json_or_files,
    ok,
    query,
    user_of,
    validated,
)
from klustera.filtering import FilteredListView
from klustera.forms import MAX_PHOTOS
from klustera.operations.models import QUEUES, Task, TaskPhoto, TaskTemplate
from klustera.operations.reports import TaskFilters, WeekQuery, week_data, week_of
from klustera.operations.selectors import access_task, filter_tasks, tasks_of_day, tasks_visible_to
from klustera.operations.services import (
    TEMPLATE_FIELDS,
    add_task,
    complete_task,
    save_template,
)
from klustera.operations.views import week_file
from klustera.permissions import IsPropertyManager
from klustera.tables import XLSX


class TaskPhotoSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()

    class Meta:
        model = TaskPhoto
        fields = ["id", "url"]

    def get_url(self, photo: TaskPhoto) -> str:
        return reverse("task-photo", kwargs={"pk": photo.pk})


class TaskSerializer(serializers.ModelSerializer):
    photos = TaskPhotoSerializer(many=True, read_only=True)
    assignee_name = serializers.CharField(source="assignee.name", default="", read_only=True)
    overdue = serializers.SerializerMethodField()

    class Meta:
        model = Task
        fields = [
            "id",
            "title",
            "area",
            "checklist",
            "photo_required",
            "assignee_name",
            "queue",
            "starts_at",
            "due_at",
            "status",
            "overdue",
            "notes",
            "reason",
            "completed_at",
            "received_at",
            "clock_skewed",
            "photos",
        ]

    def get_overdue(self, task: Task) -> bool:
        return task.status == Task.Status.OPEN and task.due_at < timezone.now()


class DayQuery(serializers.Serializer):
    day = DayField(required=False, help_text="the complex's day (today)")


class StaffTasksView(ListAPIView):
    """The tasks of a day (today by default) for the signed-in staff member: their own and
    their queue's (a manager: everyone's), the earliest due first."""

    serializer_class = TaskSerializer

    @extend_schema(parameters=[DayQuery])
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        day = query(DayQuery, self.request.query_params).get("day") or timezone.localdate()
        return tasks_of_day(self.request.user, day)


class Completion(RejectUnknownFields, serializers.Serializer):
    done = serializers.BooleanField(help_text="false: it could not be done (give a reason)")
    client_id = serializers.UUIDField(help_text="the device's id of this completion")
    device_time = MomentField(help_text="when the device says it happened")
    checked = serializers.ListField(
        child=serializers.IntegerField(min_value=0, max_value=100), required=False
    )
    notes = serializers.CharField(max_length=2000, required=False, allow_blank=True)
    reason = serializers.CharField(max_length=300, required=False, allow_blank=True)
    photos = serializers.ListField(
        child=serializers.ImageField(), required=False, max_length=MAX_PHOTOS
    )


class TaskCompleteView(APIView):
    """Complete a task (multipart, photos included) or say it could not be done. The same
    ``client_id`` again answers with what was stored: a phone may send it twice."""

    parser_classes = [MultiPartParser]

    @extend_schema(request={"multipart/form-data": Completion}, responses={200: TaskSerializer})
    def patch(self, request: Request, pk: int) -> Response:
        task = access_task(request.user, pk)
        data = validated(Completion, request)
        completed = call_service(complete_task, task=task, actor=user_of(request), **data)
        return ok(TaskSerializer(completed).data)


# --- The manager's API: templates and ad-hoc tasks -------------------------------------


class TemplateSerializer(RejectUnknownFields, serializers.ModelSerializer):
    assignee = IdField(required=False, allow_null=True, help_text="a staff member's user id")
    checklist = serializers.ListField(
        child=serializers.CharField(max_length=120), required=False, max_length=20
    )
    weekdays = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=7), required=False, max_length=7
    )
    at = ClockField()
    until = ClockField(required=False, allow_null=True)
    starts_on = DayField()

    class Meta:
        model = TaskTemplate
        fields = ["id", *TEMPLATE_FIELDS]
        read_only_fields = ["id"]

    def to_representation(self, instance: TaskTemplate) -> dict[str, Any]:
        data = super().to_representation(instance)
        data["assignee"] = instance.assignee_id
        return data


def _staff_member(pk: int | None) -> Any:
    if pk is None:
        return None
    member = active_staff().filter(pk=pk).first()
    if member is None:
        raise serializers.ValidationError({"assignee": [gettext("Choose a staff member.")]})
    return member


def _save_template(request: Request, template: TaskTemplate | None) -> TaskTemplate:
    data = validated(TemplateSerializer, request)
    data["assignee"] = _staff_member(data.get("assignee"))
    return call_service(save_template, template=template, actor=user_of(request), **data)


class AdminTemplatesView(APIView):
    """The task templates with their schedules; ``POST`` adds one."""

    permission_classes = [IsPropertyManager]

    @extend_schema(responses={200: TemplateSerializer(many=True)})
    def get(self, request: Request) -> Response:
        return ok(TemplateSerializer(TaskTemplate.objects.all(), many=True).data)

    @extend_schema(request=TemplateSerializer, responses={201: TemplateSerializer})
    def post(self, request: Request) -> Response:
        saved = _save_template(request, None)
        return ok(TemplateSerializer(saved).data, status=status.HTTP_201_CREATED)


class AdminTemplateView(APIView):
    """One task template; ``PUT`` changes it (tasks already made keep theirs)."""

    permission_classes = [IsPropertyManager]

    @extend_schema(responses={200: TemplateSerializer})
    def get(self, request: Request, pk: int) -> Response:
        return ok(TemplateSerializer(get_object_or_404(TaskTemplate, pk=pk)).data)

    @extend_schema(request=TemplateSerializer, responses={200: TemplateSerializer})
    def put(self, request: Request, pk: int) -> Response:
        saved = _save_template(request, get_object_or_404(TaskTemplate, pk=pk))
        return ok(TemplateSerializer(saved).data)


class NewTask(RejectUnknownFields, serializers.Serializer):
    title = serializers.CharField(max_length=120)
    area = serializers.CharField(max_length=80, required=False, allow_blank=True)
    checklist = serializers.ListField(
        child=serializers.CharField(max_length=120), required=False, max_length=20
    )
    assignee = IdField(required=False, allow_null=True)
    queue = serializers.ChoiceField(QUEUES, required=False, allow_blank=True)
    starts_at = MomentField()
    due_at = MomentField()
    photo_required = serializers.BooleanField(required=False, default=False)


class AdminTasksView(FilteredListView):
    """A day's tasks (today by default) with their completion and photos, by status (``late``:
    open past due), area and person; ``POST`` gives out an ad-hoc task (a spill to clean
    now) to a staff member or a queue."""

    permission_classes = [IsPropertyManager]
    serializer_class = TaskSerializer
    filter_serializer = TaskFilters

    def get_queryset(self):
        return filter_tasks(tasks_visible_to(self.request.user), self.filters)

    @extend_schema(request=NewTask, responses={201: TaskSerializer})
    def post(self, request: Request) -> Response:
        data = validated(NewTask, request)
        data["assignee"] = _staff_member(data.get("assignee"))
        task = call_service(add_task, actor=user_of(request), **data)
        return ok(TaskSerializer(task).data, status=status.HTTP_201_CREATED)


class AdminTaskWeekView(APIView):
    """A week's work (Monday to Sunday, this week by default) per day, per staff member and
    per area: done, not done, open, late and the share done; or the same as CSV or XLSX."""

    permission_classes = [IsPropertyManager]
    content_negotiation_class = FormatIsAFile

    @extend_schema(parameters=[WeekQuery], responses=json_or_files("text/csv", XLSX))
    def get(self, request: Request) -> HttpResponse:
        asked = query(WeekQuery, request.query_params)
        week = week_of(asked.get("week") or timezone.localdate())
        if asked.get("format"):
            return week_file(week, asked["format"])
        return ok(week_data(week))

"""The staff's task API: the day's tasks, and completing one from a phone (idempotent)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.urls import reverse
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.generics import ListAPIView
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from klustera.api import (
    DayField,
    MomentField,
    RejectUnknownFields,
    call_service,
    ok,
    query,
    user_of,
    validated,
)
from klustera.forms import MAX_PHOTOS
from klustera.operations.models import Task, TaskPhoto
from klustera.operations.selectors import access_task, tasks_visible_to
from klustera.operations.services import complete_task


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
        since = datetime.combine(day, datetime.min.time(), timezone.get_current_timezone())
        return tasks_visible_to(self.request.user).filter(
            starts_at__gte=since, starts_at__lt=since + timedelta(days=1)
        )


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

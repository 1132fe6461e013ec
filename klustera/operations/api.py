"""The staff operations' API: tasks, patrols and shifts; every write from a phone is
idempotent per ``client_id`` and carries the device's time."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.generics import ListAPIView
from rest_framework.parsers import JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from klustera.accounts.selectors import active_staff
from klustera.api import (
    ClockField,
    DayField,
    DeviceIdField,
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
from klustera.helpdesk.models import Ticket
from klustera.operations.models import (
    QUEUES,
    Checkpoint,
    Incident,
    IncidentEvent,
    IncidentPhoto,
    PatrolRound,
    PatrolRoute,
    PatrolScan,
    Shift,
    Task,
    TaskPhoto,
    TaskTemplate,
)
from klustera.operations.reports import (
    ComplianceQuery,
    IncidentExport,
    IncidentFilters,
    MonthQuery,
    NightQuery,
    TaskFilters,
    WeekQuery,
    attendance_of,
    compliance_of,
    week_data,
    week_of,
)
from klustera.operations.selectors import (
    RoundView,
    access_incident,
    access_task,
    current_night,
    filter_incidents,
    filter_tasks,
    incidents_visible_to,
    rounds_of_night,
    tasks_of_day,
    tasks_visible_to,
)
from klustera.operations.services import (
    CHECKPOINT_FIELDS,
    ROUTE_FIELDS,
    TEMPLATE_FIELDS,
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
from klustera.operations.views import (
    attendance_file,
    compliance_file,
    incident_file,
    stickers_response,
    week_file,
)
from klustera.permissions import GuardsTheGate, IsPropertyManager, IsStaffMember, IsStaffOrManager
from klustera.tables import XLSX
from klustera.tenancy.replicas import replica_reads


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
    client_id = DeviceIdField(help_text="the device's id of this completion")
    device_time = MomentField(help_text="when the device says it happened")
    checked = serializers.ListField(
        child=serializers.IntegerField(min_value=0, max_value=100), required=False
    )
    notes = serializers.CharField(max_length=2000, required=False, allow_blank=True)
    reason = serializers.CharField(max_length=300, required=False, allow_blank=True)
    photos = serializers.ListField(
        child=serializers.ImageField(), required=False, max_length=MAX_PHOTOS
    )
    sent_at = MomentField(
        required=False, help_text="when a queued entry left the device (its clock is judged by it)"
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


# --- Patrols ---------------------------------------------------------------------------


def _degrees(bound: int) -> serializers.DecimalField:
    """A latitude (``bound`` 90) or longitude (180) in degrees, to the micro-degree."""
    return serializers.DecimalField(
        max_digits=9,
        decimal_places=6,
        min_value=Decimal(-bound),
        max_value=Decimal(bound),
        required=False,
        allow_null=True,
    )


class Scan(RejectUnknownFields, serializers.Serializer):
    token = serializers.CharField(max_length=120, help_text="what the sticker's QR holds")
    scanned_at = MomentField(help_text="the device's time of the scan")
    client_id = DeviceIdField(help_text="the device's id of this scan")
    latitude = _degrees(90)
    longitude = _degrees(180)
    accuracy = serializers.IntegerField(
        required=False, allow_null=True, min_value=0, max_value=100_000, help_text="metres"
    )


class ScanSerializer(serializers.ModelSerializer):
    checkpoint_name = serializers.CharField(source="checkpoint.name", read_only=True)

    class Meta:
        model = PatrolScan
        fields = [
            "id",
            "checkpoint",
            "checkpoint_name",
            "scanned_at",
            "received_at",
            "distance_m",
            "far",
            "clock_skewed",
        ]


class PatrolScanView(APIView):
    """A guard's scan of a checkpoint's sticker: 201 when stored, 200 with the stored scan
    when the same ``client_id`` comes again. A forged, altered or other complex's token is
    a 422 (and logged); a scan far off or with a far-off clock is stored and flagged."""

    permission_classes = [GuardsTheGate]

    @extend_schema(request=Scan, responses={200: ScanSerializer, 201: ScanSerializer})
    def post(self, request: Request) -> Response:
        data = validated(Scan, request)
        scan, new = call_service(scan_checkpoint, guard=user_of(request), **data)
        return ok(ScanSerializer(scan).data, status=201 if new else 200)


class VisitOut(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    scanned_at = serializers.DateTimeField(allow_null=True)
    guard = serializers.CharField(allow_null=True)
    in_time = serializers.BooleanField()
    far = serializers.BooleanField()


class RoundOut(serializers.Serializer):
    """A round as the API answers it (for the schema)."""

    id = serializers.IntegerField()
    route = serializers.CharField()
    starts_at = serializers.DateTimeField()
    due_at = serializers.DateTimeField()
    closes_at = serializers.DateTimeField()
    status = serializers.ChoiceField(PatrolRound.Status.choices)
    missed = serializers.ListField(child=serializers.CharField())
    out_of_order = serializers.BooleanField()
    checkpoints = VisitOut(many=True)


class PatrolRoundsView(APIView):
    """The night's rounds (noon to noon), each with its checkpoints and their first scan."""

    permission_classes = [GuardsTheGate]

    @extend_schema(parameters=[NightQuery], responses={200: RoundOut(many=True)})
    def get(self, request: Request) -> Response:
        night = query(NightQuery, request.query_params).get("night") or current_night()
        return ok([round_data(view) for view in rounds_of_night(night)])


def round_data(view: RoundView) -> dict[str, Any]:
    patrol_round = view.patrol_round
    return {
        "id": patrol_round.pk,
        "route": patrol_round.route.name,
        "starts_at": patrol_round.starts_at,
        "due_at": patrol_round.due_at,
        "closes_at": patrol_round.closes_at,
        "status": patrol_round.status,
        "missed": patrol_round.missed,
        "out_of_order": patrol_round.out_of_order,
        "checkpoints": [
            {
                "id": visit.checkpoint.pk,
                "name": visit.checkpoint.name,
                "scanned_at": visit.scan.scanned_at if visit.scan else None,
                "guard": visit.scan.guard.name if visit.scan and visit.scan.guard else None,
                "in_time": visit.in_time,
                "far": bool(visit.scan and visit.scan.far),
            }
            for visit in view.visits
        ],
    }


class CheckpointSerializer(RejectUnknownFields, serializers.ModelSerializer):
    latitude = _degrees(90)
    longitude = _degrees(180)
    radius_m = serializers.IntegerField(min_value=5, max_value=2000, default=50)
    token = serializers.SerializerMethodField()

    class Meta:
        model = Checkpoint
        fields = ["id", *CHECKPOINT_FIELDS, "token"]
        read_only_fields = ["id", "token"]

    def get_token(self, checkpoint: Checkpoint) -> str:
        return checkpoint_token(checkpoint)


class AdminCheckpointsView(APIView):
    """The checkpoints with their sticker tokens; ``POST`` adds one."""

    permission_classes = [IsPropertyManager]

    @extend_schema(responses={200: CheckpointSerializer(many=True)})
    def get(self, request: Request) -> Response:
        return ok(CheckpointSerializer(Checkpoint.objects.all(), many=True).data)

    @extend_schema(request=CheckpointSerializer, responses={201: CheckpointSerializer})
    def post(self, request: Request) -> Response:
        data = validated(CheckpointSerializer, request)
        saved = call_service(save_checkpoint, checkpoint=None, actor=user_of(request), **data)
        return ok(CheckpointSerializer(saved).data, status=status.HTTP_201_CREATED)


class AdminCheckpointView(APIView):
    """One checkpoint; ``PUT`` changes it (its sticker stays valid)."""

    permission_classes = [IsPropertyManager]

    @extend_schema(responses={200: CheckpointSerializer})
    def get(self, request: Request, pk: int) -> Response:
        return ok(CheckpointSerializer(get_object_or_404(Checkpoint, pk=pk)).data)

    @extend_schema(request=CheckpointSerializer, responses={200: CheckpointSerializer})
    def put(self, request: Request, pk: int) -> Response:
        checkpoint = get_object_or_404(Checkpoint, pk=pk)
        data = validated(CheckpointSerializer, request)
        saved = call_service(save_checkpoint, checkpoint=checkpoint, actor=user_of(request), **data)
        return ok(CheckpointSerializer(saved).data)


class AdminStickersView(APIView):
    """The active checkpoints' QR stickers as a PDF sheet of labels to print."""

    permission_classes = [IsPropertyManager]

    @extend_schema(responses={(200, "application/pdf"): bytes})
    def get(self, request: Request) -> HttpResponse:
        return stickers_response()


class RouteSerializer(RejectUnknownFields, serializers.ModelSerializer):
    checkpoints = serializers.ListField(
        child=IdField(),
        min_length=1,
        max_length=50,
        write_only=True,  # answered as the route's stops, below
        help_text="checkpoint ids, in order",
    )
    at = ClockField()
    until = ClockField()
    starts_on = DayField()
    every_hours = serializers.IntegerField(min_value=1, max_value=24, default=2)
    minutes = serializers.IntegerField(min_value=5, max_value=720, default=45)

    class Meta:
        model = PatrolRoute
        fields = ["id", *ROUTE_FIELDS, "checkpoints"]
        read_only_fields = ["id"]

    def to_representation(self, instance: PatrolRoute) -> dict[str, Any]:
        data = super().to_representation(instance)
        data["checkpoints"] = [stop.checkpoint_id for stop in instance.stops.all()]
        return data


def _save_route(request: Request, route: PatrolRoute | None) -> PatrolRoute:
    data = validated(RouteSerializer, request)
    ids = data.pop("checkpoints")
    found = Checkpoint.objects.in_bulk(ids)
    if len(found) != len(set(ids)):
        raise serializers.ValidationError({"checkpoints": [gettext("Choose our checkpoints.")]})
    checkpoints = [found[pk] for pk in ids]
    return call_service(
        save_route, route=route, actor=user_of(request), checkpoints=checkpoints, **data
    )


class AdminRoutesView(APIView):
    """The patrol routes with their checkpoints and schedules; ``POST`` adds one."""

    permission_classes = [IsPropertyManager]

    @extend_schema(responses={200: RouteSerializer(many=True)})
    def get(self, request: Request) -> Response:
        routes = PatrolRoute.objects.prefetch_related("stops")
        return ok(RouteSerializer(routes, many=True).data)

    @extend_schema(request=RouteSerializer, responses={201: RouteSerializer})
    def post(self, request: Request) -> Response:
        saved = _save_route(request, None)
        return ok(RouteSerializer(saved).data, status=status.HTTP_201_CREATED)


class AdminRouteView(APIView):
    """One patrol route; ``PUT`` changes it (rounds already made keep their times)."""

    permission_classes = [IsPropertyManager]

    @extend_schema(responses={200: RouteSerializer})
    def get(self, request: Request, pk: int) -> Response:
        return ok(RouteSerializer(get_object_or_404(PatrolRoute, pk=pk)).data)

    @extend_schema(request=RouteSerializer, responses={200: RouteSerializer})
    def put(self, request: Request, pk: int) -> Response:
        saved = _save_route(request, get_object_or_404(PatrolRoute, pk=pk))
        return ok(RouteSerializer(saved).data)


# --- Shifts ----------------------------------------------------------------------------


class Attendance(RejectUnknownFields, serializers.Serializer):
    client_id = DeviceIdField(help_text="the device's id of this check-in or -out")
    device_time = MomentField()
    latitude = _degrees(90)
    longitude = _degrees(180)


class ShiftSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="user.name", read_only=True)

    class Meta:
        model = Shift
        fields = ["id", "name", "started_at", "ended_at", "clock_skewed"]


class CheckInView(APIView):
    """Start one's shift (the same ``client_id`` again: the same shift; on duty: 409)."""

    permission_classes = [IsStaffMember]

    @extend_schema(request=Attendance, responses={200: ShiftSerializer})
    def post(self, request: Request) -> Response:
        data = validated(Attendance, request)
        return ok(ShiftSerializer(call_service(check_in, user=user_of(request), **data)).data)


class CheckOutView(APIView):
    """End one's shift (the same ``client_id`` again: the same shift; off duty: 409)."""

    permission_classes = [IsStaffMember]

    @extend_schema(request=Attendance, responses={200: ShiftSerializer})
    def post(self, request: Request) -> Response:
        data = validated(Attendance, request)
        return ok(ShiftSerializer(call_service(check_out, user=user_of(request), **data)).data)


class OnDutyView(APIView):
    """Who is on duty now, the longest first."""

    permission_classes = [IsPropertyManager]

    @extend_schema(responses={200: ShiftSerializer(many=True)})
    def get(self, request: Request) -> Response:
        return ok(ShiftSerializer(on_duty(), many=True).data)


# --- Incidents -------------------------------------------------------------------------


class NewIncident(RejectUnknownFields, serializers.Serializer):
    client_id = DeviceIdField(help_text="the device's id of this report")
    device_time = MomentField(help_text="when the device sent it")
    kind = serializers.ChoiceField(Incident.Kind.choices)
    severity = serializers.ChoiceField(Incident.Severity.choices)
    occurred_at = MomentField(help_text="when it happened")
    location = serializers.CharField(max_length=120)
    description = serializers.CharField(max_length=4000)
    people = serializers.CharField(max_length=1000, required=False, allow_blank=True)
    latitude = _degrees(90)
    longitude = _degrees(180)
    photos = serializers.ListField(
        child=serializers.ImageField(), required=False, max_length=MAX_PHOTOS
    )
    sent_at = MomentField(
        required=False, help_text="when a queued entry left the device (its clock is judged by it)"
    )


class NewIncidentJson(NewIncident):
    """The same, in JSON: photos travel only in multipart (a sync batch has its own sent_at)."""

    photos = None  # type: ignore[assignment]
    sent_at = None  # type: ignore[assignment]


class IncidentPhotoSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()

    class Meta:
        model = IncidentPhoto
        fields = ["id", "url"]

    def get_url(self, photo: IncidentPhoto) -> str:
        return reverse("incident-photo", kwargs={"pk": photo.pk})


class IncidentSerializer(serializers.ModelSerializer):
    photos = IncidentPhotoSerializer(many=True, read_only=True)
    reported_by_name = serializers.CharField(source="reported_by.name", default="", read_only=True)

    class Meta:
        model = Incident
        fields = [
            "id",
            "kind",
            "severity",
            "occurred_at",
            "location",
            "latitude",
            "longitude",
            "description",
            "people",
            "status",
            "reported_by_name",
            "reported_at",
            "received_at",
            "clock_skewed",
            "ticket",
            "closed_at",
            "photos",
        ]


class IncidentEventSerializer(serializers.ModelSerializer):
    class Meta:
        model = IncidentEvent
        fields = ["from_status", "to_status", "note", "actions", "actor_label", "created_at"]


class IncidentDetailSerializer(IncidentSerializer):
    history = IncidentEventSerializer(source="events", many=True, read_only=True)

    class Meta(IncidentSerializer.Meta):
        fields = [*IncidentSerializer.Meta.fields, "history"]


class IncidentsView(FilteredListView):
    """Incidents: managers and guards see all, other staff those they reported, the latest
    first; ``POST`` reports one (multipart with photos, or JSON): 201 when stored, 200 with
    the stored report when the same ``client_id`` comes again. Major and critical ones reach
    the managers at once."""

    permission_classes = [IsStaffOrManager]
    serializer_class = IncidentSerializer
    filter_serializer = IncidentFilters
    parser_classes = [JSONParser, MultiPartParser]

    def get_queryset(self):
        return filter_incidents(incidents_visible_to(self.request.user), self.filters)

    @extend_schema(
        request={"application/json": NewIncidentJson, "multipart/form-data": NewIncident},
        responses={200: IncidentDetailSerializer, 201: IncidentDetailSerializer},
    )
    def post(self, request: Request) -> Response:
        data = validated(NewIncident, request)
        incident, new = call_service(report_incident, reporter=user_of(request), **data)
        return ok(IncidentDetailSerializer(incident).data, status=201 if new else 200)


class IncidentView(APIView):
    """One incident with its photos and history."""

    permission_classes = [IsStaffOrManager]

    @extend_schema(responses={200: IncidentDetailSerializer})
    def get(self, request: Request, pk: int) -> Response:
        return ok(IncidentDetailSerializer(access_incident(request.user, pk)).data)


class FollowUp(RejectUnknownFields, serializers.Serializer):
    status = serializers.ChoiceField(Incident.Status.choices, help_text="the same: a note")
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True)
    actions = serializers.CharField(max_length=2000, required=False, allow_blank=True)
    ticket = IdField(required=False, allow_null=True, help_text="a helpdesk ticket's id")


class IncidentFollowUpView(APIView):
    """The manager's follow-up: open → investigating → closed (closed may be reopened),
    with a note, the actions taken and maybe a helpdesk ticket for the repair."""

    permission_classes = [IsPropertyManager]

    @extend_schema(request=FollowUp, responses={200: IncidentDetailSerializer})
    def post(self, request: Request, pk: int) -> Response:
        incident = access_incident(request.user, pk)
        data = validated(FollowUp, request)
        if data.get("ticket"):
            data["ticket"] = get_object_or_404(Ticket, pk=data["ticket"])
        moved = call_service(follow_up_incident, incident=incident, actor=user_of(request), **data)
        return ok(IncidentDetailSerializer(moved).data)


class AdminIncidentsExportView(APIView):
    """The incident log (filtered as the list is) as CSV or XLSX."""

    permission_classes = [IsPropertyManager]
    content_negotiation_class = FormatIsAFile

    @extend_schema(parameters=[IncidentExport], responses=json_or_files("text/csv", XLSX))
    @replica_reads
    def get(self, request: Request) -> HttpResponse:
        filters = query(IncidentExport, request.query_params)
        incidents = filter_incidents(incidents_visible_to(request.user), filters)
        return incident_file(incidents, filters.get("format") or "csv")


class AdminPatrolReportView(APIView):
    """A month's patrol compliance: rounds per route (on time, late, incomplete, under way)
    and the checkpoints missed, the most first; or CSV, XLSX or PDF."""

    permission_classes = [IsPropertyManager]
    content_negotiation_class = FormatIsAFile

    @extend_schema(
        parameters=[ComplianceQuery],
        responses=json_or_files("text/csv", XLSX, "application/pdf"),
    )
    @replica_reads
    def get(self, request: Request) -> HttpResponse:
        asked = query(ComplianceQuery, request.query_params)
        report = compliance_of(asked.get("month") or timezone.localdate().replace(day=1))
        if asked.get("format"):
            return compliance_file(report, asked["format"])
        return ok(
            {
                "month": f"{report.first:%Y-%m}",
                "routes": [
                    {
                        "route": r.route,
                        "on_time": r.on_time,
                        "late": r.late,
                        "incomplete": r.incomplete,
                        "pending": r.pending,
                        "on_time_percent": r.percent,
                    }
                    for r in report.routes
                ],
                "missed": [{"checkpoint": name, "rounds": n} for name, n in report.missed],
                "far_scans": report.far,
            }
        )


class AdminAttendanceView(APIView):
    """A month's shifts per staff member with their hours; or CSV or XLSX."""

    permission_classes = [IsPropertyManager]
    content_negotiation_class = FormatIsAFile

    @extend_schema(parameters=[MonthQuery], responses=json_or_files("text/csv", XLSX))
    def get(self, request: Request) -> HttpResponse:
        asked = query(MonthQuery, request.query_params)
        first = asked.get("month") or timezone.localdate().replace(day=1)
        sheet = attendance_of(first)
        if asked.get("format"):
            return attendance_file(sheet, first, asked["format"])
        return ok(
            {
                "month": f"{first:%Y-%m}",
                "staff": [
                    {
                        "name": person.name,
                        "hours": str(person.hours),
                        "shifts": ShiftSerializer(person.shifts, many=True).data,
                    }
                    for person in sheet
                ],
            }
        )

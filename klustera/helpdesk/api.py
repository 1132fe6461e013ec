"""The helpdesk's API: complaints, their moves, comments, photos and assignment."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.parsers import JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from klustera.accounts.models import User
from klustera.api import (
    FormatIsAFile,
    IdField,
    RejectUnknownFields,
    call_service,
    json_or_files,
    ok,
    query,
    user_of,
    validated,
)
from klustera.estate.models import Unit
from klustera.filtering import FilteredListView
from klustera.helpdesk.filters import ReportFilters, TicketFilters, filter_tickets
from klustera.helpdesk.models import Category, Comment, Priority, Ticket, TicketPhoto
from klustera.helpdesk.reports import Figures, helpdesk_report
from klustera.helpdesk.selectors import access_ticket, comments_for, tickets_visible_to
from klustera.helpdesk.services import (
    MAX_PHOTOS,
    QUEUES,
    add_comment,
    add_photos,
    file_ticket,
    move_ticket,
    rate_ticket,
    route_ticket,
    save_category,
)
from klustera.helpdesk.views import report_file
from klustera.permissions import IsPropertyManager
from klustera.roles import is_manager
from klustera.tables import XLSX
from klustera.tenancy.replicas import replica_reads


class PhotoSerializer(serializers.ModelSerializer):
    class Meta:
        model = TicketPhoto
        fields = ["id", "kind", "created_at"]


class CommentSerializer(serializers.ModelSerializer):
    class Meta:
        model = Comment
        fields = ["id", "author_label", "body", "internal", "is_question", "created_at"]


class TicketSerializer(serializers.ModelSerializer):
    category = serializers.CharField(source="category.name", read_only=True)
    unit_label = serializers.SerializerMethodField()
    reporter_name = serializers.CharField(source="reporter.name", default="", read_only=True)
    assignee_name = serializers.CharField(source="assignee.name", default="", read_only=True)
    overdue = serializers.SerializerMethodField()

    class Meta:
        model = Ticket
        fields = [
            "id",
            "title",
            "description",
            "status",
            "priority",
            "category",
            "unit",
            "unit_label",
            "location",
            "reporter_name",
            "assignee_name",
            "queue",
            "response_due",
            "resolution_due",
            "first_response_at",
            "resolved_at",
            "closed_at",
            "rating",
            "rating_comment",
            "flagged",
            "overdue",
            "created_at",
        ]

    def get_unit_label(self, ticket: Ticket) -> str:
        return str(ticket.unit) if ticket.unit_id else ""

    def get_overdue(self, ticket: Ticket) -> bool:
        """Past its resolution target and not resolved yet."""
        unfinished = ticket.status not in (
            Ticket.Status.RESOLVED,
            Ticket.Status.CLOSED,
            Ticket.Status.CANCELLED,
        )
        return unfinished and ticket.resolution_due < timezone.now()


class TicketDetailSerializer(TicketSerializer):
    photos = PhotoSerializer(many=True, read_only=True)

    class Meta(TicketSerializer.Meta):
        fields = [*TicketSerializer.Meta.fields, "photos"]


class NewTicket(RejectUnknownFields, serializers.Serializer):
    category = IdField()
    title = serializers.CharField(max_length=120)
    description = serializers.CharField(max_length=4000)
    unit = IdField(required=False, help_text="left out: a common area")
    location = serializers.CharField(max_length=120, required=False, allow_blank=True)
    priority = serializers.ChoiceField(Priority.choices, default=Priority.NORMAL)
    reporter = IdField(required=False, help_text="a manager filing on a resident's behalf")
    photos = serializers.ListField(
        child=serializers.ImageField(), required=False, max_length=MAX_PHOTOS
    )


class NewTicketJson(NewTicket):
    """The same, in JSON: photos travel only in multipart."""

    photos = None  # type: ignore[assignment]


class TicketsView(FilteredListView):
    """Complaints: residents see theirs, staff their own and their queues', managers all."""

    serializer_class = TicketSerializer
    parser_classes = [JSONParser, MultiPartParser]
    filter_serializer = TicketFilters

    def get_queryset(self):
        return filter_tickets(tickets_visible_to(self.request.user), self.filters)

    @extend_schema(
        request={"application/json": NewTicketJson, "multipart/form-data": NewTicket},
        responses={201: TicketDetailSerializer},
    )
    def post(self, request: Request) -> Response:
        data = validated(NewTicket, request)
        actor = user_of(request)
        data["category"] = get_object_or_404(Category, pk=data["category"])
        if data.get("unit"):
            data["unit"] = get_object_or_404(Unit, pk=data["unit"])
        if data.get("reporter"):
            data["reporter"] = get_object_or_404(User, pk=data["reporter"])
        photos = data.pop("photos", [])
        ticket = call_service(file_ticket, actor=actor, **data)
        if photos:
            call_service(add_photos, ticket=ticket, images=photos, actor=actor, kind="problem")
        return ok(TicketDetailSerializer(ticket).data, status=status.HTTP_201_CREATED)


class TicketDetailView(APIView):
    @extend_schema(responses={200: TicketDetailSerializer})
    def get(self, request: Request, pk: int) -> Response:
        ticket = access_ticket(request.user, pk)
        data = TicketDetailSerializer(ticket).data
        data["comments"] = CommentSerializer(comments_for(request.user, ticket), many=True).data
        data["history"] = list(
            ticket.events.values("from_status", "to_status", "actor_label", "note", "created_at")
        )
        return ok(data)


class StatusChange(RejectUnknownFields, serializers.Serializer):
    status = serializers.ChoiceField(Ticket.Status.choices)
    note = serializers.CharField(max_length=1000, required=False, allow_blank=True)


class TicketStatusView(APIView):
    """``{"status": …, "note": …}``: a move the ticket's state and the caller allow (409 if
    the state does not allow it, 403 if the caller may not make it)."""

    @extend_schema(request=StatusChange, responses={200: TicketSerializer})
    def patch(self, request: Request, pk: int) -> Response:
        ticket = access_ticket(request.user, pk)
        data = validated(StatusChange, request)
        moved = call_service(
            move_ticket,
            ticket=ticket,
            to=data["status"],
            actor=user_of(request),
            note=data.get("note", ""),
        )
        return ok(TicketSerializer(moved).data)


class NewComment(RejectUnknownFields, serializers.Serializer):
    body = serializers.CharField(max_length=2000)
    internal = serializers.BooleanField(default=False)
    question = serializers.BooleanField(default=False, help_text="staff asking the resident")


class TicketCommentsView(APIView):
    @extend_schema(request=NewComment, responses={201: CommentSerializer})
    def post(self, request: Request, pk: int) -> Response:
        ticket = access_ticket(request.user, pk)
        data = validated(NewComment, request)
        comment = call_service(add_comment, ticket=ticket, actor=user_of(request), **data)
        return ok(CommentSerializer(comment).data, status=status.HTTP_201_CREATED)


class NewPhotos(RejectUnknownFields, serializers.Serializer):
    kind = serializers.ChoiceField(TicketPhoto.Kind.choices, default=TicketPhoto.Kind.PROBLEM)
    photos = serializers.ListField(
        child=serializers.ImageField(), min_length=1, max_length=MAX_PHOTOS
    )


class TicketPhotosView(APIView):
    parser_classes = [MultiPartParser]

    @extend_schema(request={"multipart/form-data": NewPhotos}, responses={201: PhotoSerializer})
    def post(self, request: Request, pk: int) -> Response:
        ticket = access_ticket(request.user, pk)
        data = validated(NewPhotos, request)
        photos = call_service(
            add_photos,
            ticket=ticket,
            images=data["photos"],
            actor=user_of(request),
            kind=data["kind"],
        )
        return ok(PhotoSerializer(photos, many=True).data, status=status.HTTP_201_CREATED)


class Rating(RejectUnknownFields, serializers.Serializer):
    stars = serializers.IntegerField(min_value=1, max_value=5)
    comment = serializers.CharField(max_length=500, required=False, allow_blank=True)


class TicketRatingView(APIView):
    """The reporter rates the work once it is resolved (once); 1 or 2 flags it for the manager."""

    @extend_schema(request=Rating, responses={200: TicketSerializer})
    def post(self, request: Request, pk: int) -> Response:
        ticket = access_ticket(request.user, pk)
        data = validated(Rating, request)
        rated = call_service(rate_ticket, ticket=ticket, actor=user_of(request), **data)
        return ok(TicketSerializer(rated).data)


class Assignment(RejectUnknownFields, serializers.Serializer):
    assignee = IdField(required=False, help_text="a staff member")
    queue = serializers.ChoiceField(
        [(queue.value, queue.label) for queue in QUEUES],
        required=False,
        help_text="a staff role's queue, where its staff can take it",
    )
    note = serializers.CharField(max_length=1000, required=False, allow_blank=True)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if ("assignee" in attrs) == ("queue" in attrs):
            raise serializers.ValidationError("Give an assignee or a queue.")
        return attrs


class TicketAssignView(APIView):
    """A manager gives the ticket to a staff member, or puts it in a staff role's queue."""

    @extend_schema(request=Assignment, responses={200: TicketSerializer})
    def post(self, request: Request, pk: int) -> Response:
        if not is_manager(request.user):
            raise PermissionDenied
        ticket = access_ticket(request.user, pk)
        data = validated(Assignment, request)
        actor = user_of(request)
        if "queue" in data:
            moved = call_service(route_ticket, ticket=ticket, queue=data["queue"], actor=actor)
        else:
            assignee = get_object_or_404(User, pk=data["assignee"], is_active=True)
            moved = call_service(
                move_ticket,
                ticket=ticket,
                to=Ticket.Status.ASSIGNED,
                actor=actor,
                assignee=assignee,
                note=data.get("note", ""),
            )
        return ok(TicketSerializer(moved).data)


class TargetSerializer(RejectUnknownFields, serializers.Serializer):
    response_hours = serializers.IntegerField(min_value=1, max_value=24 * 90)
    resolution_hours = serializers.IntegerField(min_value=1, max_value=24 * 90)


class TargetsSerializer(RejectUnknownFields, serializers.Serializer):
    """Hours per priority; a priority left out keeps its targets."""

    low = TargetSerializer(required=False)
    normal = TargetSerializer(required=False)
    high = TargetSerializer(required=False)
    urgent = TargetSerializer(required=False)


class CategorySerializer(RejectUnknownFields, serializers.Serializer):
    id = IdField(required=False, help_text="left out: a new category")
    name = serializers.CharField(max_length=60)
    is_active = serializers.BooleanField(default=True)
    business_hours_only = serializers.BooleanField(default=False)
    targets = TargetsSerializer()


def _category_data(category: Category) -> dict[str, Any]:
    return {
        "id": category.pk,
        "name": category.name,
        "is_active": category.is_active,
        "business_hours_only": category.business_hours_only,
        "targets": {
            target.priority: {
                "response_hours": target.response_hours,
                "resolution_hours": target.resolution_hours,
            }
            for target in category.targets.all()
        },
    }


class CategoriesView(APIView):
    """The complaint categories with their targets; ``PUT`` one category (new without id)."""

    permission_classes = [IsPropertyManager]

    @extend_schema(responses={200: CategorySerializer(many=True)})
    def get(self, request: Request) -> Response:
        categories = Category.objects.prefetch_related("targets")
        return ok([_category_data(category) for category in categories])

    @extend_schema(request=CategorySerializer, responses={200: CategorySerializer})
    def put(self, request: Request) -> Response:
        data = validated(CategorySerializer, request)
        category = get_object_or_404(Category, pk=data["id"]) if data.get("id") else None
        saved = call_service(
            save_category,
            actor=user_of(request),
            category=category,
            name=data["name"],
            is_active=data["is_active"],
            business_hours_only=data["business_hours_only"],
            targets={
                priority: (hours["response_hours"], hours["resolution_hours"])
                for priority, hours in data["targets"].items()
            },
        )
        return ok(_category_data(saved))


class ReportView(APIView):
    """The helpdesk report of the tickets filed in a period (12 weeks to today by default):
    per category and per staff member, with the weekly trend; or the table as CSV or XLSX."""

    permission_classes = [IsPropertyManager]
    content_negotiation_class = FormatIsAFile

    @extend_schema(
        parameters=[ReportFilters],
        responses=json_or_files("text/csv", XLSX),
    )
    @replica_reads
    def get(self, request: Request) -> HttpResponse:
        filters = query(ReportFilters, request.query_params)
        report = helpdesk_report(filters["start"], filters["end"])
        if filters.get("format"):
            return report_file(report, filters["format"])
        return ok(
            {
                "start": report.start,
                "end": report.end,
                "total": _figures(report.total),
                "categories": [_figures(line) for line in report.categories],
                "staff": [_figures(line) for line in report.staff],
                "weeks": report.weeks,
            }
        )


def _figures(line: Figures) -> dict[str, Any]:
    def text(value: Decimal | None) -> str | None:
        return None if value is None else str(value)

    return {
        "name": line.name,
        "open_now": line.open_now,
        "filed": line.filed,
        "targets_due": line.due,
        "targets_met": line.met,
        "compliance_percent": line.compliance,
        "median_first_response_hours": text(line.median_response),
        "median_resolution_hours": text(line.median_resolution),
        "rating_average": text(line.satisfaction),
        "ratings": len(line.ratings),
    }

"""The facilities API: what can be booked, when it is free, booking it, one's bookings."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.generics import ListAPIView
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

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
from klustera.estate.selectors import units_visible_to
from klustera.facilities.models import Booking, Closure, Facility, FacilityPhoto, Holiday
from klustera.facilities.reports import ReportPeriod, report_data, utilisation
from klustera.facilities.selectors import (
    MAX_DAYS,
    access_facility,
    availability,
    bookings_visible_to,
    facilities_visible_to,
)
from klustera.facilities.services import (
    MAX_PHOTOS,
    RULE_FIELDS,
    add_facility_photos,
    add_holiday,
    book_facility,
    cancel_booking,
    close_booking,
    close_facility,
    decide_booking,
    remove_facility_photo,
    remove_holiday,
    save_facility,
)
from klustera.facilities.views import report_file
from klustera.permissions import IsPropertyManager
from klustera.tables import XLSX
from klustera.tenancy.replicas import replica_reads


class FacilityPhotoSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()
    thumbnail_url = serializers.SerializerMethodField()

    class Meta:
        model = FacilityPhoto
        fields = ["id", "url", "thumbnail_url"]

    def get_url(self, photo: FacilityPhoto) -> str:
        return reverse("facility-photo", kwargs={"pk": photo.pk})

    def get_thumbnail_url(self, photo: FacilityPhoto) -> str:
        return reverse("facility-photo", kwargs={"pk": photo.pk}) + "?size=thumb"


class FacilitySerializer(serializers.ModelSerializer):
    photos = FacilityPhotoSerializer(many=True, read_only=True)

    class Meta:
        model = Facility
        fields = [
            "id",
            "name",
            "rules",
            "mode",
            "slot_minutes",
            "min_minutes",
            "max_minutes",
            "capacity",
            "lead_min_hours",
            "lead_max_days",
            "needs_approval",
            "fee_kind",
            "fee",
            "weekend_fee",
            "deposit",
            "free_cancel_hours",
            "photos",
        ]


class BookingSerializer(serializers.ModelSerializer):
    facility_name = serializers.CharField(source="facility.name", read_only=True)
    unit_label = serializers.CharField(source="unit.__str__", read_only=True)

    class Meta:
        model = Booking
        fields = [
            "id",
            "facility",
            "facility_name",
            "unit",
            "unit_label",
            "start",
            "end",
            "party_size",
            "status",
            "hold_until",
            "fee",
            "deposit",
            "note",
            "reason",
            "created_at",
        ]


class FacilitiesView(ListAPIView):
    """The facilities one may book (managers: all of them)."""

    serializer_class = FacilitySerializer

    def get_queryset(self):
        return facilities_visible_to(self.request.user)


class AvailabilityQuery(serializers.Serializer):
    start = DayField(required=False, help_text="the first day (today)")
    end = DayField(required=False, help_text="the last day, included (a week on)")

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        start = attrs.get("start") or timezone.localdate()
        end = attrs.get("end") or start + timedelta(days=6)
        if not 0 <= (end - start).days < MAX_DAYS:
            raise serializers.ValidationError(
                {
                    "end": [
                        _("Choose an end after the start, at most %(n)s days on.") % {"n": MAX_DAYS}
                    ]
                }
            )
        return {"start": start, "end": end}


class AvailabilityView(APIView):
    """Per day: the opening and each slot ``free``, ``full`` or ``closed`` (with the places
    left for a shared facility); who booked is never told."""

    @extend_schema(parameters=[AvailabilityQuery], responses={200: OpenApiTypes.OBJECT})
    def get(self, request: Request, pk: int) -> Response:
        facility = access_facility(request.user, pk)
        span = query(AvailabilityQuery, request.query_params)
        return ok(availability(facility, span["start"], span["end"], timezone.now()))


class NewBooking(RejectUnknownFields, serializers.Serializer):
    start = MomentField()
    end = MomentField()
    party_size = serializers.IntegerField(min_value=1, max_value=1000, default=1)
    note = serializers.CharField(max_length=300, required=False, allow_blank=True)
    unit = IdField(required=False, help_text="left out: the one unit one lives in")


class FacilityBookingsView(APIView):
    """Book a facility for one's unit: free ones are confirmed, others wait for payment
    (30 minutes) or approval; a taken time is a 409 with ``next_free``."""

    @extend_schema(request=NewBooking, responses={201: BookingSerializer})
    def post(self, request: Request, pk: int) -> Response:
        facility = access_facility(request.user, pk)
        data = validated(NewBooking, request)
        actor = user_of(request)
        units = units_visible_to(actor)
        if "unit" in data:
            unit = get_object_or_404(units, pk=data.pop("unit"))
        else:
            mine = list(units[:2])
            if len(mine) != 1:
                raise serializers.ValidationError({"unit": [_("Say which unit it is for.")]})
            unit = mine[0]
        booking = call_service(book_facility, facility=facility, unit=unit, actor=actor, **data)
        return ok(BookingSerializer(booking).data, status=status.HTTP_201_CREATED)


class BookingsView(ListAPIView):
    """Bookings: a resident's units', a manager's all; the latest start first."""

    serializer_class = BookingSerializer

    def get_queryset(self):
        return bookings_visible_to(self.request.user).order_by("-start", "-pk")


class Cancellation(RejectUnknownFields, serializers.Serializer):
    reason = serializers.CharField(max_length=300, required=False, allow_blank=True)


class BookingCancelView(APIView):
    """Cancel a booking that still holds its time (409 ``booking_not_active`` otherwise)."""

    @extend_schema(request=Cancellation, responses={200: BookingSerializer})
    def post(self, request: Request, pk: int) -> Response:
        booking = get_object_or_404(bookings_visible_to(request.user), pk=pk)
        data = validated(Cancellation, request)
        cancelled = call_service(
            cancel_booking, booking=booking, actor=user_of(request), reason=data.get("reason", "")
        )
        return ok(BookingSerializer(cancelled).data)


# --- The manager's API: facilities, closures, approvals, closing, the report ------------


class HoursSerializer(RejectUnknownFields, serializers.Serializer):
    weekday = serializers.IntegerField(min_value=1, max_value=7, help_text="1 Monday … 7 Sunday")
    opens = ClockField()
    closes = ClockField(help_text="at or before opens: after midnight")


class AdminFacilitySerializer(RejectUnknownFields, serializers.ModelSerializer):
    hours = HoursSerializer(many=True, help_text="a weekday left out is closed")

    class Meta:
        model = Facility
        fields = ["id", *RULE_FIELDS, "hours"]
        read_only_fields = ["id"]
        # The name's uniqueness is the service's (a 422 with the field), not a second check.
        extra_kwargs: dict[str, dict[str, Any]] = {"name": {"validators": []}}


def _facility_data(facility: Facility) -> dict[str, Any]:
    return dict(AdminFacilitySerializer(facility).data)


def _save(request: Request, facility: Facility | None) -> Facility:
    data = validated(AdminFacilitySerializer, request)
    hours = {row["weekday"]: (row["opens"], row["closes"]) for row in data.pop("hours")}
    return call_service(
        save_facility, facility=facility, actor=user_of(request), hours=hours, **data
    )


class AdminFacilitiesView(APIView):
    """Every facility with its rules and hours (retired ones too); ``POST`` adds one."""

    permission_classes = [IsPropertyManager]

    @extend_schema(responses={200: AdminFacilitySerializer(many=True)})
    def get(self, request: Request) -> Response:
        return ok([_facility_data(f) for f in Facility.objects.prefetch_related("hours")])

    @extend_schema(request=AdminFacilitySerializer, responses={201: AdminFacilitySerializer})
    def post(self, request: Request) -> Response:
        return ok(_facility_data(_save(request, None)), status=status.HTTP_201_CREATED)


class AdminFacilityView(APIView):
    """One facility; ``PUT`` changes its rules and hours (``is_active: false`` retires it)."""

    permission_classes = [IsPropertyManager]

    @extend_schema(responses={200: AdminFacilitySerializer})
    def get(self, request: Request, pk: int) -> Response:
        return ok(_facility_data(get_object_or_404(Facility, pk=pk)))

    @extend_schema(request=AdminFacilitySerializer, responses={200: AdminFacilitySerializer})
    def put(self, request: Request, pk: int) -> Response:
        return ok(_facility_data(_save(request, get_object_or_404(Facility, pk=pk))))


class ClosureSerializer(RejectUnknownFields, serializers.ModelSerializer):
    start = MomentField()
    end = MomentField()
    reason = serializers.CharField(max_length=200)

    class Meta:
        model = Closure
        fields = ["id", "start", "end", "reason", "created_at"]
        read_only_fields = ["id", "created_at"]


class AdminClosuresView(APIView):
    """A facility's closures from today on; ``POST`` blocks a time: the bookings it covers are
    cancelled, their residents told and their money given back as credit (``cancelled``)."""

    permission_classes = [IsPropertyManager]

    @extend_schema(responses={200: ClosureSerializer(many=True)})
    def get(self, request: Request, pk: int) -> Response:
        facility = get_object_or_404(Facility, pk=pk)
        coming = facility.closures.filter(end__gte=timezone.now())
        return ok(ClosureSerializer(coming, many=True).data)

    @extend_schema(request=ClosureSerializer, responses={201: OpenApiTypes.OBJECT})
    def post(self, request: Request, pk: int) -> Response:
        facility = get_object_or_404(Facility, pk=pk)
        data = validated(ClosureSerializer, request)
        closure, cancelled = call_service(
            close_facility, facility=facility, actor=user_of(request), **data
        )
        return ok(
            {**ClosureSerializer(closure).data, "cancelled": cancelled},
            status=status.HTTP_201_CREATED,
        )


class AdminApprovalsView(ListAPIView):
    """The bookings waiting for the manager's approval, the soonest first."""

    permission_classes = [IsPropertyManager]
    serializer_class = BookingSerializer

    def get_queryset(self):
        return (
            Booking.objects.select_related("facility", "unit")
            .filter(status=Booking.Status.PENDING_APPROVAL)
            .order_by("start")
        )


class Decision(RejectUnknownFields, serializers.Serializer):
    approve = serializers.BooleanField()
    reason = serializers.CharField(max_length=300, required=False, allow_blank=True)


class AdminDecisionView(APIView):
    """Approve a booking waiting for approval, or decline it with a reason (what was paid is
    the unit's credit again); 409 ``booking_not_pending`` if it is not waiting."""

    permission_classes = [IsPropertyManager]

    @extend_schema(request=Decision, responses={200: BookingSerializer})
    def post(self, request: Request, pk: int) -> Response:
        booking = get_object_or_404(Booking, pk=pk)
        data = validated(Decision, request)
        decided = call_service(decide_booking, booking=booking, actor=user_of(request), **data)
        return ok(BookingSerializer(decided).data)


class Closing(RejectUnknownFields, serializers.Serializer):
    no_show = serializers.BooleanField(default=False)
    keep_deposit = serializers.BooleanField(default=False)
    reason = serializers.CharField(max_length=300, required=False, allow_blank=True)


class AdminCloseView(APIView):
    """Close a confirmed booking that has started (or mark a no-show): the deposit goes back
    to credit unless kept with a reason."""

    permission_classes = [IsPropertyManager]

    @extend_schema(request=Closing, responses={200: BookingSerializer})
    def post(self, request: Request, pk: int) -> Response:
        booking = get_object_or_404(Booking, pk=pk)
        data = validated(Closing, request)
        closed = call_service(close_booking, booking=booking, actor=user_of(request), **data)
        return ok(BookingSerializer(closed).data)


class AdminReportView(APIView):
    """Utilisation of the bookings starting in a period (this month by default): occupancy
    per facility, bookings, no-shows, cancellations and fees, and bookings per unit; or the
    facilities' table as CSV or XLSX."""

    permission_classes = [IsPropertyManager]
    content_negotiation_class = FormatIsAFile

    @extend_schema(parameters=[ReportPeriod], responses=json_or_files("text/csv", XLSX))
    @replica_reads
    def get(self, request: Request) -> HttpResponse:
        period = query(ReportPeriod, request.query_params)
        report = utilisation(period["start"], period["end"])
        if period.get("format"):
            return report_file(report, period["format"])
        return ok(report_data(report))


class PhotoUpload(RejectUnknownFields, serializers.Serializer):
    photos = serializers.ListField(
        child=serializers.ImageField(), min_length=1, max_length=MAX_PHOTOS
    )


class AdminPhotosView(APIView):
    """Add photos to a facility (multipart ``photos``, at most five in all); each is drawn
    again as JPEG without its metadata."""

    permission_classes = [IsPropertyManager]
    parser_classes = [MultiPartParser]

    @extend_schema(
        request={"multipart/form-data": PhotoUpload},
        responses={201: FacilityPhotoSerializer(many=True)},
    )
    def post(self, request: Request, pk: int) -> Response:
        facility = get_object_or_404(Facility, pk=pk)
        data = validated(PhotoUpload, request)
        photos = call_service(
            add_facility_photos, facility=facility, images=data["photos"], actor=user_of(request)
        )
        return ok(FacilityPhotoSerializer(photos, many=True).data, status=status.HTTP_201_CREATED)


class AdminPhotoView(APIView):
    """Take a photo off its facility."""

    permission_classes = [IsPropertyManager]

    @extend_schema(responses={200: None})
    def delete(self, request: Request, pk: int) -> Response:
        photo = get_object_or_404(FacilityPhoto, pk=pk)
        remove_facility_photo(photo=photo, actor=user_of(request))
        return ok(None)


class HolidaySerializer(RejectUnknownFields, serializers.ModelSerializer):
    day = DayField()

    class Meta:
        model = Holiday
        fields = ["id", "day", "name"]
        read_only_fields = ["id"]
        extra_kwargs: dict[str, dict[str, Any]] = {"day": {"validators": []}}


class AdminHolidaysView(APIView):
    """The holidays from today on (facilities charge their weekend fee on them); ``POST``
    adds one (422 ``holiday_exists`` for a day already one)."""

    permission_classes = [IsPropertyManager]

    @extend_schema(responses={200: HolidaySerializer(many=True)})
    def get(self, request: Request) -> Response:
        coming = Holiday.objects.filter(day__gte=timezone.localdate())
        return ok(HolidaySerializer(coming, many=True).data)

    @extend_schema(request=HolidaySerializer, responses={201: HolidaySerializer})
    def post(self, request: Request) -> Response:
        data = validated(HolidaySerializer, request)
        holiday = call_service(add_holiday, actor=user_of(request), **data)
        return ok(HolidaySerializer(holiday).data, status=status.HTTP_201_CREATED)


class AdminHolidayView(APIView):
    """Remove a holiday."""

    permission_classes = [IsPropertyManager]

    @extend_schema(responses={200: None})
    def delete(self, request: Request, pk: int) -> Response:
        remove_holiday(holiday=get_object_or_404(Holiday, pk=pk), actor=user_of(request))
        return ok(None)

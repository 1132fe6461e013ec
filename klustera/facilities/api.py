"""The facilities API: what can be booked, when it is free, booking it, one's bookings."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.generics import ListAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from klustera.api import (
    DayField,
    IdField,
    MomentField,
    RejectUnknownFields,
    call_service,
    ok,
    query,
    user_of,
    validated,
)
from klustera.estate.selectors import units_visible_to
from klustera.facilities.models import Booking, Facility
from klustera.facilities.selectors import (
    MAX_DAYS,
    access_facility,
    availability,
    bookings_visible_to,
    facilities_visible_to,
)
from klustera.facilities.services import book_facility, cancel_booking


class FacilitySerializer(serializers.ModelSerializer):
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

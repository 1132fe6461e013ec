"""Gate endpoints: residents' passes and guests, the guards' verification, the access log."""

from __future__ import annotations

from dataclasses import asdict
from datetime import timedelta
from typing import Any

from django.db.models import QuerySet
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.generics import ListAPIView
from rest_framework.parsers import JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from klustera.access import shifts
from klustera.access.filters import LogFilters, ParcelFilters, WalkInFilters
from klustera.access.models import AccessLog, GateSettings, GuestInvitation, Parcel, WalkIn
from klustera.access.offline import offline_list
from klustera.access.passes import verifying_keys
from klustera.access.selectors import filter_logs
from klustera.access.services import (
    LockedOut,
    answer_walk_in,
    cancel_guest,
    code_of,
    current_pass,
    guard_decides,
    hand_over_parcel,
    inside,
    log_parcel,
    record_exit,
    register_guest,
    register_walk_in,
    verify,
)
from klustera.accounts.api import CeremonySerializer, auth_call, ceremony_answer
from klustera.accounts.models import ApiKey
from klustera.accounts.passkeys import begin_assertion, relying_party
from klustera.api import (
    IdField,
    MomentField,
    PhoneField,
    RejectUnknownFields,
    call_service,
    error_response,
    ok,
    query,
    retry_after,
    user_of,
    validated,
)
from klustera.estate.models import Occupancy, Resident, Unit
from klustera.estate.selectors import access_unit, current_households, units_visible_to
from klustera.filtering import FilteredListView
from klustera.permissions import GuardsTheGate, IsPropertyManager
from klustera.roles import guards_the_gate, is_manager
from klustera.tables import download, to_csv
from klustera.tenancy.context import current_tenant
from klustera.tenancy.replicas import replica_reads
from klustera.throttling import GateRateThrottle
from klustera.uploads import check_photo


class PassView(APIView):
    """The signed-in resident's QR pass; refresh it before ``expires_at``."""

    @extend_schema(responses={200: OpenApiTypes.OBJECT})
    def get(self, request: Request) -> Response:
        resident = Resident.objects.filter(
            user=user_of(request), status=Resident.Status.ACTIVE
        ).first()
        if resident is None:
            raise PermissionDenied(gettext("Only the complex's residents have a pass."))
        response = ok(current_pass(resident))
        add_never_cache_headers(response)
        return response


class KeysView(APIView):
    """The public keys a guard's device verifies passes with, even offline."""

    permission_classes = [GuardsTheGate]

    @extend_schema(responses={200: OpenApiTypes.OBJECT})
    def get(self, request: Request) -> Response:
        tenant = current_tenant()
        keys = [
            {"kid": key.kid, "public_key": key.public_key, "retired_at": key.retired_at}
            for key in verifying_keys()
        ]
        return ok({"complex": tenant.slug if tenant else "", "algorithm": "Ed25519", "keys": keys})


class OfflineGuest(serializers.Serializer):
    hash = serializers.CharField(help_text="PBKDF2-SHA256 of the code (base64url, no padding)")
    name = serializers.CharField()
    unit = serializers.CharField()
    people = serializers.IntegerField()
    plate = serializers.CharField()
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    multi_use = serializers.BooleanField()


class OfflineList(serializers.Serializer):
    generated_at = serializers.DateTimeField()
    refresh_after = serializers.IntegerField(help_text="seconds")
    algorithm = serializers.CharField()
    iterations = serializers.IntegerField()
    salt = serializers.CharField(help_text="base64url, no padding")
    guests = OfflineGuest(many=True)


class OfflineListView(APIView):
    """Today's and tomorrow's guest invitations for a guard's device to check codes with no
    network: each with a slow keyed hash of its code (PBKDF2-SHA256 of the code as typed in
    capitals without spaces, with ``salt`` and ``iterations``), never the code. Fetch it
    again every ``refresh_after`` seconds while online; drop a guest after ``ends_at``."""

    permission_classes = [GuardsTheGate]

    @extend_schema(responses={200: OfflineList})
    def get(self, request: Request) -> Response:
        require_open_gate(request)
        response = ok(OfflineList(offline_list()).data)
        add_never_cache_headers(response)
        return response


class GuestSerializer(serializers.ModelSerializer):
    unit_label: serializers.StringRelatedField[Unit] = serializers.StringRelatedField(
        source="unit", read_only=True
    )
    code = serializers.SerializerMethodField()

    class Meta:
        model = GuestInvitation
        fields = [
            "id",
            "unit",
            "unit_label",
            "guest_name",
            "guest_phone",
            "people",
            "plate",
            "note",
            "starts_at",
            "ends_at",
            "multi_use",
            "status",
            "uses",
            "code",
            "created_at",
        ]

    def get_code(self, invitation: GuestInvitation) -> str | None:
        """Shown to the host only (and while it can still be used)."""
        request = self.context.get("request")
        if request is None or invitation.host_id != request.user.pk:
            return None
        if invitation.status != GuestInvitation.Status.ACTIVE:
            return None
        return code_of(invitation)


class NewGuest(RejectUnknownFields, serializers.Serializer):
    unit = IdField()
    guest_name = serializers.CharField(max_length=100)
    guest_phone = PhoneField(required=False, allow_blank=True)
    people = serializers.IntegerField(default=1, min_value=1, max_value=50)
    plate = serializers.CharField(max_length=15, required=False, allow_blank=True)
    note = serializers.CharField(max_length=200, required=False, allow_blank=True)
    starts_at = MomentField()
    ends_at = MomentField()
    multi_use = serializers.BooleanField(default=False)


def _guests_of(request: Request) -> QuerySet[GuestInvitation]:
    invitations = GuestInvitation.objects.select_related("unit")
    return invitations if is_manager(request.user) else invitations.filter(host=user_of(request))


class GuestsView(ListAPIView):
    """A resident's guest invitations (a manager's: everyone's), newest first."""

    serializer_class = GuestSerializer

    def get_queryset(self):
        return _guests_of(self.request)


class RegisterGuestView(APIView):
    @extend_schema(request=NewGuest, responses={201: GuestSerializer})
    def post(self, request: Request) -> Response:
        data = validated(NewGuest, request)
        unit = access_unit(user_of(request), data.pop("unit"))
        invitation, _code = call_service(register_guest, host=user_of(request), unit=unit, **data)
        body = GuestSerializer(invitation, context={"request": request}).data
        return ok(body, status=status.HTTP_201_CREATED)


class QuickCode(RejectUnknownFields, serializers.Serializer):
    unit = IdField()
    guest_name = serializers.CharField(max_length=100, default="Tamu")
    hours = serializers.IntegerField(default=24, min_value=1, max_value=24 * 7)


class GenerateCodeView(APIView):
    """A code for a guest arriving soon: valid from now for ``hours``, single use."""

    @extend_schema(request=QuickCode, responses={201: GuestSerializer})
    def post(self, request: Request) -> Response:
        data = validated(QuickCode, request)
        unit = access_unit(user_of(request), data["unit"])
        now = timezone.now()
        invitation, _code = call_service(
            register_guest,
            host=user_of(request),
            unit=unit,
            guest_name=data["guest_name"],
            starts_at=now,
            ends_at=now + timedelta(hours=data["hours"]),
        )
        body = GuestSerializer(invitation, context={"request": request}).data
        return ok(body, status=status.HTTP_201_CREATED)


class CancelGuestView(APIView):
    @extend_schema(request=None, responses={200: GuestSerializer})
    def post(self, request: Request, pk: int) -> Response:
        invitation = get_object_or_404(_guests_of(request), pk=pk)
        cancelled = call_service(cancel_guest, invitation=invitation, actor=user_of(request))
        return ok(GuestSerializer(cancelled, context={"request": request}).data)


class VerifyRequest(RejectUnknownFields, serializers.Serializer):
    payload = serializers.CharField(max_length=600, help_text="a scanned QR or a typed code")
    gate = serializers.CharField(max_length=40)
    device = serializers.CharField(max_length=64, required=False, allow_blank=True)
    plate = serializers.CharField(max_length=15, required=False, allow_blank=True)


class DecisionSerializer(serializers.Serializer):
    result = serializers.ChoiceField(AccessLog.Result.choices)
    kind = serializers.ChoiceField(AccessLog.Kind.choices)
    method = serializers.ChoiceField(AccessLog.Method.choices)
    name = serializers.CharField()
    unit = serializers.CharField()
    allows = serializers.DictField(allow_null=True)
    log_id = serializers.IntegerField()


class VerifyView(APIView):
    """The guard's question: may this pass or code enter? Every answer is logged."""

    permission_classes = [GuardsTheGate]
    throttle_classes = [GateRateThrottle]
    rate_limit_exempt = True  # not per IP: one complex's gates often share an IP

    @extend_schema(request=VerifyRequest, responses={200: DecisionSerializer})
    def post(self, request: Request) -> HttpResponse:
        data = validated(VerifyRequest, request)
        require_open_gate(request)
        try:
            decision = call_service(verify, guard=user_of(request), **data)
        except LockedOut as locked:
            response = error_response(
                "RATE_LIMITED",
                gettext("Too many failed checks here: this gate is locked for a while."),
                status=status.HTTP_429_TOO_MANY_REQUESTS,
            )
            response["Retry-After"] = retry_after(locked.retry_after)
            return response
        return ok(asdict(decision))  # plain values already: DecisionSerializer is the schema


def holder_of(request: Request) -> str:
    """The gate device: its token or session; "" for a machine's API key (no guard to lock)."""
    return "" if isinstance(request.auth, ApiKey) else shifts.holder_of(request)


def require_open_gate(request: Request) -> None:
    """409 ``shift_needed`` / ``pin_needed`` while the complex locks this gate device."""
    call_service(shifts.require_open_gate, guard=user_of(request), holder=holder_of(request))


class ShiftSerializer(serializers.Serializer):
    state = serializers.ChoiceField(
        ["off", "open", "idle", "closed"],
        help_text="off: no lock here; idle: the PIN resumes it; closed: start with a passkey",
    )


class StartShift(RejectUnknownFields, serializers.Serializer):
    challenge_id = serializers.UUIDField()
    credential = serializers.DictField(help_text="The passkey's answer, as its toJSON().")
    pin = serializers.RegexField(r"^[0-9]{4,8}$", help_text="4 to 8 digits, chosen for the shift")


class ResumeShift(RejectUnknownFields, serializers.Serializer):
    pin = serializers.RegexField(r"^[0-9]{4,8}$")


def shift_answer(request: Request, status_code: int = 200) -> Response:
    state = shifts.shift_state(guard=user_of(request), holder=holder_of(request))
    response = ok({"state": state}, status=status_code)
    add_never_cache_headers(response)
    return response


class ShiftView(APIView):
    """This gate device's shift, when the complex locks its gate devices (passkey + PIN)."""

    permission_classes = [GuardsTheGate]

    @extend_schema(responses={200: ShiftSerializer})
    def get(self, request: Request) -> Response:
        return shift_answer(request)

    @extend_schema(request=StartShift, responses={201: ShiftSerializer})
    def post(self, request: Request) -> Response:
        data = validated(StartShift, request)
        auth_call(
            shifts.start_shift,
            guard=user_of(request),
            holder=holder_of(request),
            rp=relying_party(request),
            **data,
        )
        return shift_answer(request, status.HTTP_201_CREATED)

    @extend_schema(responses={200: ShiftSerializer})
    def delete(self, request: Request) -> Response:
        shifts.end_shift(guard=user_of(request), holder=holder_of(request))
        return shift_answer(request)


class ShiftOptionsView(APIView):
    """A passkey challenge for the guard signed in here (their own passkeys only)."""

    permission_classes = [GuardsTheGate]

    @extend_schema(request=None, responses={200: CeremonySerializer})
    def post(self, request: Request) -> Response:
        ceremony = begin_assertion(rp=relying_party(request), user=user_of(request))
        return ceremony_answer(ceremony)


class ShiftResumeView(APIView):
    permission_classes = [GuardsTheGate]

    @extend_schema(request=ResumeShift, responses={200: ShiftSerializer})
    def post(self, request: Request) -> Response:
        data = validated(ResumeShift, request)
        call_service(shifts.resume_shift, guard=user_of(request), holder=holder_of(request), **data)
        return shift_answer(request)


class GateSettingsSerializer(RejectUnknownFields, serializers.ModelSerializer):
    class Meta:
        model = GateSettings
        fields = ["tablet_lock"]


class GateSettingsView(APIView):
    permission_classes = [IsPropertyManager]

    @extend_schema(responses={200: GateSettingsSerializer})
    def get(self, request: Request) -> Response:
        return ok(GateSettingsSerializer(shifts.gate_settings()).data)

    @extend_schema(request=GateSettingsSerializer, responses={200: GateSettingsSerializer})
    def patch(self, request: Request) -> Response:
        data = validated(GateSettingsSerializer, request)
        on = data.get("tablet_lock", shifts.gate_settings().tablet_lock)
        settings = shifts.set_tablet_lock(on=on, actor=user_of(request))
        return ok(GateSettingsSerializer(settings).data, message=gettext("Gate settings saved."))


class AccessLogSerializer(serializers.ModelSerializer):
    unit_label: serializers.StringRelatedField[Unit] = serializers.StringRelatedField(
        source="unit", read_only=True
    )
    guard_name = serializers.CharField(source="guard.name", read_only=True, allow_null=True)
    who = serializers.CharField(read_only=True)

    class Meta:
        model = AccessLog
        fields = [
            "id",
            "at",
            "kind",
            "method",
            "result",
            "gate",
            "plate",
            "unit",
            "unit_label",
            "who",
            "guard_name",
            "detail",
            "offline",
            "flag",
            "received_at",
            "clock_skewed",
        ]


class AccessLogsView(FilteredListView):
    """The access log, newest first; ``?kind=&result=&gate=&method=&date=2026-11-25``."""

    serializer_class = AccessLogSerializer
    permission_classes = [GuardsTheGate]
    filter_serializer = LogFilters

    def get_queryset(self):
        return filter_logs(self.filters)


EXPORT_HEADINGS = (
    _("Time"),
    _("Kind"),
    _("Method"),
    _("Result"),
    _("Gate"),
    _("Plate"),
    _("Unit"),
    _("Who"),
    _("Offline"),
    _("Flag"),
)


class AccessLogExportView(APIView):
    """The access log as CSV, with the same filters (managers)."""

    @extend_schema(parameters=[LogFilters], responses={(200, "text/csv"): OpenApiTypes.BINARY})
    @replica_reads
    def get(self, request: Request) -> HttpResponse:
        if not is_manager(request.user):
            raise PermissionDenied
        logs = filter_logs(query(LogFilters, request.query_params))
        rows = [[str(heading) for heading in EXPORT_HEADINGS]]
        for log in logs.select_related("unit", "resident", "invitation")[:50_000]:
            rows.append(
                [
                    timezone.localtime(log.at).strftime("%Y-%m-%d %H:%M"),
                    log.get_kind_display(),
                    log.get_method_display(),
                    log.get_result_display(),
                    log.gate,
                    log.plate,
                    str(log.unit) if log.unit_id else "",
                    log.who,
                    gettext("Yes") if log.offline else "",
                    log.get_flag_display(),
                ]
            )
        return download(to_csv(rows), "access-log.csv", "text/csv; charset=utf-8")


# --- Walk-ins, exits, presence ------------------------------------------------------


class WalkInSerializer(serializers.ModelSerializer):
    unit_label: serializers.StringRelatedField[Unit] = serializers.StringRelatedField(
        source="unit", read_only=True
    )
    residents = serializers.SerializerMethodField(help_text="who lives in the unit now")

    def get_residents(self, walk_in: WalkIn) -> list[str]:
        stays = getattr(walk_in.unit, "current", None)  # prefetched for lists
        if stays is None:
            stays = walk_in.unit.occupancies.filter(end_on__isnull=True).select_related("resident")
        return [stay.resident.name for stay in stays]

    class Meta:
        model = WalkIn
        fields = [
            "id",
            "unit",
            "unit_label",
            "residents",
            "visitor_name",
            "visitor_phone",
            "purpose",
            "gate",
            "status",
            "created_at",
            "answer_by",
            "decided_at",
        ]


class NewWalkIn(RejectUnknownFields, serializers.Serializer):
    unit = IdField()
    visitor_name = serializers.CharField(max_length=100)
    visitor_phone = PhoneField(required=False, allow_blank=True)
    purpose = serializers.CharField(max_length=120)
    gate = serializers.CharField(max_length=40)
    photo = serializers.ImageField(required=False)

    def validate_photo(self, photo: Any) -> Any:
        return check_photo(photo)


class NewWalkInJson(NewWalkIn):
    """The same, in JSON: a photo travels only in multipart."""

    photo = None  # type: ignore[assignment]


def _walk_ins_of(request: Request) -> QuerySet[WalkIn]:
    walk_ins = WalkIn.objects.select_related("unit").prefetch_related(current_households("unit"))
    if guards_the_gate(request.user):
        return walk_ins
    return walk_ins.filter(unit__in=units_visible_to(user_of(request)))


class WalkInsView(FilteredListView):
    """Walk-ins: the gate sees all, residents those of their units; ``?status=waiting``."""

    serializer_class = WalkInSerializer
    parser_classes = [JSONParser, MultiPartParser]
    filter_serializer = WalkInFilters

    def get_queryset(self):
        return _walk_ins_of(self.request).filter(**self.filters)

    @extend_schema(
        request={"application/json": NewWalkInJson, "multipart/form-data": NewWalkIn},
        responses={201: WalkInSerializer},
    )
    def post(self, request: Request) -> Response:
        if not guards_the_gate(request.user):
            raise PermissionDenied
        data = validated(NewWalkIn, request)
        require_open_gate(request)
        unit = get_object_or_404(Unit, pk=data.pop("unit"))
        walk_in = call_service(register_walk_in, guard=user_of(request), unit=unit, **data)
        return ok(WalkInSerializer(walk_in).data, status=status.HTTP_201_CREATED)


class AllowRequest(RejectUnknownFields, serializers.Serializer):
    allow = serializers.BooleanField()


class WalkInAnswerView(APIView):
    """A resident of the unit allows or refuses; after the answer time, the guard decides."""

    @extend_schema(request=AllowRequest, responses={200: WalkInSerializer})
    def post(self, request: Request, pk: int) -> Response:
        walk_in = get_object_or_404(_walk_ins_of(request), pk=pk)
        data = validated(AllowRequest, request)
        user = user_of(request)
        lives_there = Occupancy.objects.filter(
            unit=walk_in.unit, resident__user=user, end_on__isnull=True
        ).exists()
        if lives_there:
            answered = call_service(answer_walk_in, walk_in=walk_in, user=user, allow=data["allow"])
        elif guards_the_gate(user):
            answered = call_service(guard_decides, walk_in=walk_in, guard=user, allow=data["allow"])
        else:
            raise PermissionDenied
        return ok(WalkInSerializer(answered).data)


class ExitRequest(RejectUnknownFields, serializers.Serializer):
    entry = IdField(help_text="the access log id of the entry")
    gate = serializers.CharField(max_length=40)


class ExitView(APIView):
    permission_classes = [GuardsTheGate]

    @extend_schema(request=ExitRequest, responses={201: OpenApiTypes.OBJECT})
    def post(self, request: Request) -> Response:
        data = validated(ExitRequest, request)
        require_open_gate(request)
        entry = get_object_or_404(AccessLog, pk=data["entry"])
        log = call_service(record_exit, entry=entry, guard=user_of(request), gate=data["gate"])
        return ok({"id": log.pk, "entry": entry.pk}, status=status.HTTP_201_CREATED)


class InsideView(ListAPIView):
    """Guests and walk-ins inside now (let in during the last day, not yet left)."""

    serializer_class = AccessLogSerializer
    permission_classes = [GuardsTheGate]

    def get_queryset(self):
        return inside()


# --- Parcels ------------------------------------------------------------------------


class ParcelSerializer(serializers.ModelSerializer):
    unit_label: serializers.StringRelatedField[Unit] = serializers.StringRelatedField(
        source="unit", read_only=True
    )

    class Meta:
        model = Parcel
        fields = [
            "id",
            "unit",
            "unit_label",
            "recipient_name",
            "courier",
            "tracking_number",
            "note",
            "gate",
            "status",
            "received_at",
            "picked_up_at",
            "picked_up_by",
        ]


class NewParcel(RejectUnknownFields, serializers.Serializer):
    unit = IdField()
    recipient_name = serializers.CharField(max_length=100)
    courier = serializers.CharField(max_length=60)
    gate = serializers.CharField(max_length=40)
    tracking_number = serializers.CharField(max_length=60, required=False, allow_blank=True)
    note = serializers.CharField(max_length=200, required=False, allow_blank=True)
    photo = serializers.ImageField(required=False)

    def validate_photo(self, photo: Any) -> Any:
        return check_photo(photo)


class NewParcelJson(NewParcel):
    """The same, in JSON: a photo travels only in multipart."""

    photo = None  # type: ignore[assignment]


class ParcelsView(FilteredListView):
    """Parcels at the gate: guards see all, residents their units'; ``?status=waiting``."""

    serializer_class = ParcelSerializer
    parser_classes = [JSONParser, MultiPartParser]
    filter_serializer = ParcelFilters

    def get_queryset(self):
        parcels = Parcel.objects.select_related("unit")
        if not guards_the_gate(self.request.user):
            parcels = parcels.filter(unit__in=units_visible_to(user_of(self.request)))
        return parcels.filter(**self.filters)

    @extend_schema(
        request={"application/json": NewParcelJson, "multipart/form-data": NewParcel},
        responses={201: ParcelSerializer},
    )
    def post(self, request: Request) -> Response:
        if not guards_the_gate(request.user):
            raise PermissionDenied
        data = validated(NewParcel, request)
        require_open_gate(request)
        unit = get_object_or_404(Unit, pk=data.pop("unit"))
        parcel = call_service(log_parcel, guard=user_of(request), unit=unit, **data)
        return ok(ParcelSerializer(parcel).data, status=status.HTTP_201_CREATED)


class PickUpRequest(RejectUnknownFields, serializers.Serializer):
    collected_by = serializers.CharField(max_length=100, help_text="who took the parcel")


class ParcelPickUpView(APIView):
    """The guard hands the parcel over; the record is closed."""

    permission_classes = [GuardsTheGate]

    @extend_schema(request=PickUpRequest, responses={200: ParcelSerializer})
    def post(self, request: Request, pk: int) -> Response:
        parcel = get_object_or_404(Parcel, pk=pk)
        data = validated(PickUpRequest, request)
        require_open_gate(request)
        closed = call_service(hand_over_parcel, parcel=parcel, guard=user_of(request), **data)
        return ok(ParcelSerializer(closed).data)

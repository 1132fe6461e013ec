"""Estate endpoints of the v1 API."""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.generics import ListAPIView
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from klustera.accounts.api import PublicView, TokenPairSerializer, auth_call, token_answer
from klustera.accounts.services import issue_tokens
from klustera.api import (
    DayField,
    FilterChoice,
    FilterText,
    OptionalEmailField,
    PhoneField,
    PlateField,
    RejectUnknownFields,
    call_service,
    error_response,
    ok,
    query,
    user_of,
    validated,
)
from klustera.estate.importing import (
    MAX_BYTES,
    ImportFileError,
    export_csv,
    export_xlsx,
    import_estate,
)
from klustera.estate.models import Invitation, Occupancy, Resident, Unit, Vehicle
from klustera.estate.selectors import unit_labels_visible_to
from klustera.estate.services import (
    add_vehicle,
    invite_resident,
    move_in,
    move_out,
    register_resident,
    remove_vehicle,
    resend_invitation,
    revoke_invitation,
    save_resident,
    save_unit,
    set_billing_contact,
)
from klustera.filtering import FilteredListView
from klustera.permissions import IsPropertyManager
from klustera.tenancy.replicas import replica_reads


class UnitSerializer(serializers.ModelSerializer):
    class Meta:
        model = Unit
        fields = ["id", "block", "number", "floor", "unit_type", "land_area", "building_area"]


class UnitListView(ListAPIView):
    serializer_class = UnitSerializer

    def get_queryset(self):
        return unit_labels_visible_to(self.request.user)  # type: ignore[arg-type]


class UnitDetailView(APIView):
    @extend_schema(responses={200: UnitSerializer})
    def get(self, request: Request, pk: int) -> Response:
        unit = get_object_or_404(unit_labels_visible_to(request.user), pk=pk)  # type: ignore[arg-type]
        return ok(UnitSerializer(unit).data)


# --- Managers: the registry ------------------------------------------------------


class VehicleSerializer(RejectUnknownFields, serializers.ModelSerializer):
    plate = PlateField()

    class Meta:
        model = Vehicle
        fields = ["id", "plate", "kind", "created_at"]
        read_only_fields = ["created_at"]


class OccupancySerializer(serializers.ModelSerializer):
    resident_name = serializers.CharField(source="resident.name", read_only=True)
    unit_label = serializers.CharField(source="unit.__str__", read_only=True)

    class Meta:
        model = Occupancy
        fields = [
            "id",
            "unit",
            "unit_label",
            "resident",
            "resident_name",
            "role",
            "start_on",
            "end_on",
            "is_billing_contact",
        ]


class AdminUnitSerializer(RejectUnknownFields, serializers.ModelSerializer):
    occupancies = OccupancySerializer(many=True, read_only=True)
    vehicles = VehicleSerializer(many=True, read_only=True)

    class Meta:
        model = Unit
        fields = [
            "id",
            "block",
            "number",
            "floor",
            "unit_type",
            "land_area",
            "building_area",
            "vote_weight",
            "occupancies",
            "vehicles",
        ]
        validators: list[object] = []  # uniqueness is the service's, with a clearer message


class UnitFilters(serializers.Serializer):
    block = FilterText(max_length=20)


class ResidentFilters(serializers.Serializer):
    status = FilterChoice(Resident.Status.choices)
    q = FilterText(help_text="part of a name or phone number")


class AdminUnitsView(FilteredListView):
    serializer_class = AdminUnitSerializer
    permission_classes = [IsPropertyManager]
    filter_serializer = UnitFilters

    def get_queryset(self):
        units = Unit.objects.prefetch_related("occupancies__resident", "vehicles")
        return units.filter(**self.filters)

    @extend_schema(request=AdminUnitSerializer, responses={201: AdminUnitSerializer})
    def post(self, request: Request) -> Response:
        data = validated(AdminUnitSerializer, request)
        unit = call_service(save_unit, actor=user_of(request), **data)
        return ok(AdminUnitSerializer(unit).data, status=status.HTTP_201_CREATED)


class AdminUnitDetailView(APIView):
    permission_classes = [IsPropertyManager]

    @extend_schema(responses={200: AdminUnitSerializer})
    def get(self, request: Request, pk: int) -> Response:
        return ok(AdminUnitSerializer(get_object_or_404(Unit, pk=pk)).data)

    @extend_schema(request=AdminUnitSerializer, responses={200: AdminUnitSerializer})
    def put(self, request: Request, pk: int) -> Response:
        unit = get_object_or_404(Unit, pk=pk)
        data = validated(AdminUnitSerializer, request, unit)
        call_service(save_unit, actor=user_of(request), unit=unit, **data)
        return ok(AdminUnitSerializer(unit).data)


class ResidentSerializer(RejectUnknownFields, serializers.ModelSerializer):
    phone = PhoneField()
    email = OptionalEmailField()
    occupancies = OccupancySerializer(many=True, read_only=True)

    class Meta:
        model = Resident
        fields = ["id", "name", "phone", "email", "status", "occupancies"]
        read_only_fields = ["status"]


class AdminResidentsView(FilteredListView):
    serializer_class = ResidentSerializer
    permission_classes = [IsPropertyManager]
    filter_serializer = ResidentFilters

    def get_queryset(self):
        residents = Resident.objects.prefetch_related("occupancies__unit")
        if "status" in self.filters:
            residents = residents.filter(status=self.filters["status"])
        if "q" in self.filters:
            text = self.filters["q"]
            residents = residents.filter(Q(name__icontains=text) | Q(phone__contains=text))
        return residents

    @extend_schema(request=ResidentSerializer, responses={201: ResidentSerializer})
    def post(self, request: Request) -> Response:
        data = validated(ResidentSerializer, request)
        resident = call_service(save_resident, actor=user_of(request), **data)
        return ok(ResidentSerializer(resident).data, status=status.HTTP_201_CREATED)


class AdminResidentDetailView(APIView):
    permission_classes = [IsPropertyManager]

    @extend_schema(responses={200: ResidentSerializer})
    def get(self, request: Request, pk: int) -> Response:
        return ok(ResidentSerializer(get_object_or_404(Resident, pk=pk)).data)

    @extend_schema(request=ResidentSerializer, responses={200: ResidentSerializer})
    def put(self, request: Request, pk: int) -> Response:
        resident = get_object_or_404(Resident, pk=pk)
        data = validated(ResidentSerializer, request, resident)
        call_service(save_resident, actor=user_of(request), resident=resident, **data)
        return ok(ResidentSerializer(resident).data)


class MoveInSerializer(RejectUnknownFields, serializers.Serializer):
    resident_id = serializers.PrimaryKeyRelatedField(
        queryset=Resident.objects.none(), source="resident"
    )
    role = serializers.ChoiceField(Occupancy.Role.choices)
    start_on = DayField()
    is_billing_contact = serializers.BooleanField(default=False)

    def get_fields(self) -> dict[str, Any]:
        fields = super().get_fields()
        fields["resident_id"].queryset = Resident.objects.all()  # type: ignore[attr-defined]
        return fields


class MoveInView(APIView):
    permission_classes = [IsPropertyManager]

    @extend_schema(request=MoveInSerializer, responses={201: OccupancySerializer})
    def post(self, request: Request, pk: int) -> Response:
        unit = get_object_or_404(Unit, pk=pk)
        data = validated(MoveInSerializer, request)
        occupancy = call_service(move_in, actor=user_of(request), unit=unit, **data)
        return ok(OccupancySerializer(occupancy).data, status=status.HTTP_201_CREATED)


class MoveOutSerializer(RejectUnknownFields, serializers.Serializer):
    end_on = DayField()


class MoveOutView(APIView):
    permission_classes = [IsPropertyManager]

    @extend_schema(request=MoveOutSerializer, responses={200: OccupancySerializer})
    def post(self, request: Request, pk: int) -> Response:
        occupancy = get_object_or_404(Occupancy.objects.select_related("resident", "unit"), pk=pk)
        data = validated(MoveOutSerializer, request)
        call_service(
            move_out,
            actor=user_of(request),
            occupancy=occupancy,
            end_on=data["end_on"],
        )
        return ok(OccupancySerializer(occupancy).data)


class BillingContactView(APIView):
    """Make this stay's resident the unit's billing contact (the one before stops being it)."""

    permission_classes = [IsPropertyManager]

    @extend_schema(request=None, responses={200: OccupancySerializer})
    def post(self, request: Request, pk: int) -> Response:
        occupancy = get_object_or_404(Occupancy.objects.select_related("resident", "unit"), pk=pk)
        call_service(set_billing_contact, actor=user_of(request), occupancy=occupancy)
        return ok(OccupancySerializer(occupancy).data)


class VehiclesView(APIView):
    permission_classes = [IsPropertyManager]

    @extend_schema(request=VehicleSerializer, responses={201: VehicleSerializer})
    def post(self, request: Request, pk: int) -> Response:
        unit = get_object_or_404(Unit, pk=pk)
        data = validated(VehicleSerializer, request)
        vehicle = call_service(
            add_vehicle,
            actor=user_of(request),
            unit=unit,
            plate=data["plate"],
            kind=data.get("kind", Vehicle.Kind.CAR),
        )
        return ok(VehicleSerializer(vehicle).data, status=status.HTTP_201_CREATED)


class VehicleDetailView(APIView):
    permission_classes = [IsPropertyManager]

    @extend_schema(responses={200: None})
    def delete(self, request: Request, pk: int) -> Response:
        vehicle = get_object_or_404(Vehicle.objects.select_related("unit"), pk=pk)
        remove_vehicle(actor=user_of(request), vehicle=vehicle)
        return ok(None)


# --- Import and export -------------------------------------------------------------


class ImportRequest(RejectUnknownFields, serializers.Serializer):
    file = serializers.FileField(help_text="CSV (UTF-8) or XLSX, at most 5 MB")
    commit = serializers.BooleanField(
        default=False, help_text="false: preview only (nothing is written)"
    )


class RowErrorSerializer(serializers.Serializer):
    row = serializers.IntegerField()
    column = serializers.CharField()
    message = serializers.CharField()


class ImportReportSerializer(serializers.Serializer):
    rows = serializers.IntegerField()
    units_created = serializers.IntegerField()
    units_updated = serializers.IntegerField()
    residents_created = serializers.IntegerField()
    stays_created = serializers.IntegerField()
    committed = serializers.BooleanField()
    row_errors = RowErrorSerializer(many=True, source="errors")


class ImportView(APIView):
    """Units and residents from a spreadsheet: preview first, then commit (all rows or none)."""

    permission_classes = [IsPropertyManager]
    parser_classes = [MultiPartParser]

    @extend_schema(
        request={"multipart/form-data": ImportRequest},
        responses={200: ImportReportSerializer, 201: ImportReportSerializer},
    )
    def post(self, request: Request) -> HttpResponse:
        data = validated(ImportRequest, request)
        upload = data["file"]
        if upload.size > MAX_BYTES:
            raise ValidationError({"file": [gettext("The file is larger than 5 MB.")]})
        try:
            report = call_service(
                import_estate,
                content=upload.read(),
                filename=upload.name or "",
                actor=user_of(request),
                commit=data["commit"],
            )
        except ImportFileError as exc:
            raise ValidationError({"file": [str(exc)]}) from exc
        body = ImportReportSerializer(report).data
        if data["commit"] and report.errors:
            return error_response(
                "VALIDATION_ERROR",
                gettext("Nothing was imported: fix the rows listed and upload the file again."),
                status=status.HTTP_422_UNPROCESSABLE_ENTITY,
                details={"rows": body["row_errors"]},
            )
        created = status.HTTP_201_CREATED if report.committed else status.HTTP_200_OK
        return ok(body, status=created)


class ExportQuery(serializers.Serializer):
    type = FilterChoice(["csv", "xlsx"], default="csv")  # ?format= is DRF's


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class ExportView(APIView):
    """The registry in the import's columns, to edit and import back."""

    permission_classes = [IsPropertyManager]

    @extend_schema(
        parameters=[ExportQuery],
        responses={(200, "text/csv"): OpenApiTypes.BINARY, (200, XLSX): OpenApiTypes.BINARY},
    )
    @replica_reads
    def get(self, request: Request) -> HttpResponse:
        kind = query(ExportQuery, request.query_params).get("type", "csv")
        if kind == "xlsx":
            response = HttpResponse(export_xlsx(), content_type=XLSX)
        else:
            response = HttpResponse(export_csv(), content_type="text/csv; charset=utf-8")
        name = f"units-{timezone.localdate():%Y%m%d}.{kind}"
        response["Content-Disposition"] = content_disposition_header(
            as_attachment=True, filename=name
        )
        return response


# --- Joining: managers invite, residents register with the code ---------------------


class InvitationSerializer(RejectUnknownFields, serializers.ModelSerializer):
    unit_id = serializers.PrimaryKeyRelatedField(source="unit", queryset=Unit.objects.none())
    whatsapp_opt_in = serializers.BooleanField(write_only=True, default=False)
    occupancy_role = serializers.ChoiceField(Occupancy.Role.choices)
    state = serializers.ChoiceField(["open", "accepted", "revoked", "expired"], read_only=True)
    email = OptionalEmailField()

    class Meta:
        model = Invitation
        fields = [
            "id",
            "unit_id",
            "name",
            "phone",
            "email",
            "occupancy_role",
            "whatsapp_opt_in",
            "state",
            "created_at",
            "expires_at",
            "revoked_at",
            "accepted_at",
        ]
        read_only_fields = ["state", "created_at", "expires_at", "revoked_at", "accepted_at"]

    def get_fields(self) -> dict[str, Any]:
        fields = super().get_fields()
        fields["unit_id"].queryset = Unit.objects.all()  # type: ignore[attr-defined]
        return fields


class InvitationsView(ListAPIView):
    serializer_class = InvitationSerializer
    permission_classes = [IsPropertyManager]

    def get_queryset(self):
        return Invitation.objects.all()

    @extend_schema(request=InvitationSerializer, responses={201: InvitationSerializer})
    def post(self, request: Request) -> Response:
        data = validated(InvitationSerializer, request)
        invitation = auth_call(invite_resident, actor=user_of(request), **data)
        return ok(
            InvitationSerializer(invitation).data,
            status=status.HTTP_201_CREATED,
            message=gettext("Invitation sent."),
        )


class InvitationActionView(APIView):
    """``resend`` an open invitation with a new code, or ``revoke`` it."""

    permission_classes = [IsPropertyManager]
    action: str = ""

    @extend_schema(request=None, responses={200: InvitationSerializer})
    def post(self, request: Request, pk: int) -> Response:
        invitation = get_object_or_404(Invitation, pk=pk)
        service = resend_invitation if self.action == "resend" else revoke_invitation
        invitation = call_service(service, invitation=invitation, actor=user_of(request))
        return ok(InvitationSerializer(invitation).data)


class RegisterSerializer(RejectUnknownFields, serializers.Serializer):
    code = serializers.CharField(max_length=20)
    phone = PhoneField()
    password = serializers.CharField(min_length=8, max_length=128, trim_whitespace=False)
    whatsapp_opt_in = serializers.BooleanField(default=False)
    privacy_notice_version = serializers.IntegerField(
        min_value=1, help_text="the version of GET /privacy/notice the person read and accepted"
    )
    community_opt_in = serializers.BooleanField(default=False)
    marketing_opt_in = serializers.BooleanField(default=False)
    device_name = serializers.CharField(max_length=100, required=False, default="")


class RegisterView(PublicView):
    @extend_schema(request=RegisterSerializer, responses={201: TokenPairSerializer})
    def post(self, request: Request) -> Response:
        data = validated(RegisterSerializer, request)
        device_name = data.pop("device_name")
        data["notice_version"] = data.pop("privacy_notice_version")
        data["opt_ins"] = {
            "community": data.pop("community_opt_in"),
            "marketing": data.pop("marketing_opt_in"),
        }
        user = auth_call(register_resident, **data)
        pair = issue_tokens(user=user, device_name=device_name)
        return token_answer(pair, status_code=status.HTTP_201_CREATED)

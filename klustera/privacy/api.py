"""Privacy endpoints: the notice and consent, a person's requests and their copy; the
managers' queue."""

from __future__ import annotations

from typing import Any

from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.generics import ListAPIView
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from klustera.api import (
    FilterChoice,
    RejectUnknownFields,
    call_service,
    ok,
    user_of,
    validated,
)
from klustera.filtering import FilteredListView
from klustera.permissions import IsPropertyManager
from klustera.privacy import selectors, services
from klustera.privacy.models import OPT_INS, ConsentRecord, DataRequest, PrivacyNotice, Purpose
from klustera.privacy.notice_text import NOTICE
from klustera.tenancy.security import report
from klustera.uploads import serve_file


class NoticeSerializer(serializers.ModelSerializer):
    text = serializers.SerializerMethodField()
    additions = serializers.SerializerMethodField()

    class Meta:
        model = PrivacyNotice
        fields = ["version", "platform_revision", "text", "additions", "created_at"]

    def get_text(self, notice: PrivacyNotice) -> dict[str, list[str]]:
        return NOTICE

    def get_additions(self, notice: PrivacyNotice) -> dict[str, str]:
        return {"id": notice.additions_id, "en": notice.additions_en}


class ConsentRecordSerializer(serializers.ModelSerializer):
    class Meta:
        model = ConsentRecord
        fields = [
            "purpose",
            "granted",
            "notice_version",
            "method",
            "ip",
            "user_agent",
            "created_at",
        ]


CHOICES = inline_serializer(
    "PrivacyChoices",
    {
        "consent_required": serializers.BooleanField(),
        "restricted": serializers.BooleanField(),
        "choices": serializers.DictField(child=ConsentRecordSerializer()),
    },
)


def _choices(user: Any) -> dict[str, Any]:
    return {
        "consent_required": services.needs_consent(user),
        "restricted": services.is_restricted(user.pk),
        "choices": {
            purpose: ConsentRecordSerializer(record).data
            for purpose, record in services.latest_choices(user).items()
        },
    }


class NoticeView(APIView):
    """The notice in force: public, for it is read before registering."""

    permission_classes = [AllowAny]

    @extend_schema(responses={200: NoticeSerializer}, auth=[])
    def get(self, request: Request) -> Response:
        return ok(NoticeSerializer(services.current_notice()).data)


class ConsentIn(RejectUnknownFields, serializers.Serializer):
    version = serializers.IntegerField(min_value=1, help_text="the notice version read")
    community = serializers.BooleanField(required=False)
    marketing = serializers.BooleanField(required=False)


class ConsentView(APIView):
    """Accept the notice in force, choosing each opt-in on its own."""

    @extend_schema(request=ConsentIn, responses={200: CHOICES})
    def post(self, request: Request) -> Response:
        data = validated(ConsentIn, request)
        user = user_of(request)
        call_service(
            services.accept_notice,
            user=user,
            version=data["version"],
            opt_ins={purpose: data[purpose] for purpose in OPT_INS if purpose in data},
            method=ConsentRecord.Method.SIGN_IN,
        )
        return ok(_choices(user))


class ChoicesView(APIView):
    @extend_schema(responses={200: CHOICES})
    def get(self, request: Request) -> Response:
        return ok(_choices(user_of(request)))


class OptInIn(RejectUnknownFields, serializers.Serializer):
    purpose = serializers.ChoiceField([(p, Purpose(p).label) for p in OPT_INS])
    granted = serializers.BooleanField()


class OptInView(APIView):
    """Give or withdraw one opt-in (community messages, marketing)."""

    @extend_schema(request=OptInIn, responses={200: CHOICES})
    def post(self, request: Request) -> Response:
        data = validated(OptInIn, request)
        user = user_of(request)
        call_service(
            services.set_opt_in,
            user=user,
            purpose=data["purpose"],
            granted=data["granted"],
            method=ConsentRecord.Method.APP_SETTING,
        )
        return ok(_choices(user))


class DataRequestSerializer(serializers.ModelSerializer):
    overdue = serializers.BooleanField(read_only=True)
    export_available = serializers.BooleanField(read_only=True)
    person = serializers.CharField(source="user.name", read_only=True)

    class Meta:
        model = DataRequest
        fields = [
            "id",
            "kind",
            "status",
            "details",
            "person",
            "due_at",
            "overdue",
            "completed_at",
            "outcome",
            "export_available",
            "export_expires_at",
            "lifted_at",
            "created_at",
        ]


class RequestIn(RejectUnknownFields, serializers.Serializer):
    kind = serializers.ChoiceField(DataRequest.Kind.choices)
    details = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class MyRequestsView(ListAPIView):
    """The signed-in person's own requests; POST makes one (the 3 × 24 hours start)."""

    serializer_class = DataRequestSerializer

    def get_queryset(self):
        return selectors.my_requests(user_of(self.request))

    @extend_schema(request=RequestIn, responses={201: DataRequestSerializer})
    def post(self, request: Request) -> Response:
        data = validated(RequestIn, request)
        made = call_service(services.open_request, user=user_of(request), **data)
        return ok(DataRequestSerializer(made).data, status=201)


class RequestDetailView(APIView):
    @extend_schema(responses={200: DataRequestSerializer})
    def get(self, request: Request, pk: int) -> Response:
        return ok(DataRequestSerializer(selectors.access_data_request(user_of(request), pk)).data)


class RequestDownloadView(APIView):
    """The person's ZIP, for 7 days, to them alone."""

    @extend_schema(responses={(200, "application/zip"): OpenApiTypes.BINARY})
    def get(self, request: Request, pk: int) -> Any:
        return download(user_of(request), pk)


def download(user: Any, pk: int) -> Any:
    data_request = selectors.my_requests(user).filter(pk=pk).first()
    if data_request is None:
        report("foreign_object", user=user, detail=f"data request {pk} download")
        raise Http404
    if not data_request.export_available:
        raise Http404
    return serve_file(
        data_request.export, content_type="application/zip", filename="klustera-data.zip"
    )


LIFTED = inline_serializer("RestrictionLifted", {"lifted": serializers.IntegerField()})


class LiftRestrictionView(APIView):
    @extend_schema(request=None, responses={200: LIFTED})
    def post(self, request: Request) -> Response:
        return ok({"lifted": services.lift_restriction(user=user_of(request))})


class QueueFilters(serializers.Serializer):
    status = FilterChoice([("open", "open"), ("all", "all")], help_text="open (default) or all")


class RequestQueueView(FilteredListView):
    """The managers' queue: open requests, the soonest due first."""

    serializer_class = DataRequestSerializer
    permission_classes = [IsPropertyManager]
    filter_serializer = QueueFilters

    def get_queryset(self):
        return selectors.request_queue(open_only=self.filters.get("status") != "all")


class OutcomeIn(RejectUnknownFields, serializers.Serializer):
    outcome = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class ReasonIn(RejectUnknownFields, serializers.Serializer):
    reason = serializers.CharField(max_length=2000)


class CompleteRequestView(APIView):
    """Answer a correction (say what was done) or carry out a deletion (anonymisation)."""

    permission_classes = [IsPropertyManager]

    @extend_schema(request=OutcomeIn, responses={200: DataRequestSerializer})
    def post(self, request: Request, pk: int) -> Response:
        subject = selectors.access_data_request(user_of(request), pk)
        data = validated(OutcomeIn, request)
        done = call_service(
            services.complete_request,
            request=subject,
            actor=user_of(request),
            outcome=data["outcome"],
        )
        return ok(DataRequestSerializer(done).data)


class RejectRequestView(APIView):
    permission_classes = [IsPropertyManager]

    @extend_schema(request=ReasonIn, responses={200: DataRequestSerializer})
    def post(self, request: Request, pk: int) -> Response:
        subject = selectors.access_data_request(user_of(request), pk)
        data = validated(ReasonIn, request)
        done = call_service(
            services.reject_request, request=subject, actor=user_of(request), reason=data["reason"]
        )
        return ok(DataRequestSerializer(done).data)


class NoticeIn(RejectUnknownFields, serializers.Serializer):
    additions_id = serializers.CharField(max_length=5000, allow_blank=True)
    additions_en = serializers.CharField(max_length=5000, allow_blank=True)


class PublishNoticeView(APIView):
    """Publish a new version with the complex's own additions: everyone is asked again."""

    permission_classes = [IsPropertyManager]

    @extend_schema(request=NoticeIn, responses={201: NoticeSerializer})
    def post(self, request: Request) -> Response:
        data = validated(NoticeIn, request)
        notice = call_service(services.publish_notice, actor=user_of(request), **data)
        return ok(NoticeSerializer(notice).data, status=201)

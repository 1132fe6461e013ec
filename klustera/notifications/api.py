"""Notification endpoints: provider webhooks, a user's own settings, the managers' outbox."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import translation
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field, inline_serializer
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound, PermissionDenied, ValidationError
from rest_framework.parsers import FormParser
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from klustera.api import FilterChoice, FilterText, RejectUnknownFields, ok, user_of
from klustera.filtering import FilteredListView
from klustera.notifications import clients, services
from klustera.notifications.catalogue import CATEGORY_DEFAULTS, text_of
from klustera.notifications.models import (
    Category,
    Channel,
    Consent,
    Message,
    NotificationSettings,
    Preference,
    PushSubscription,
)
from klustera.notifications.selectors import inbox_of, outbox_rows, unread_count
from klustera.permissions import IsPropertyManager
from klustera.tenancy.security import report


def _service_call(func: Any, **kwargs: Any) -> Any:
    try:
        return func(**kwargs)
    except services.NotificationError as exc:
        raise ValidationError({"detail": [str(exc)]}) from exc


WEBHOOK_RESULT = inline_serializer("WebhookResult", {"updated": serializers.IntegerField()})


# --- WhatsApp webhook --------------------------------------------------------


class WhatsAppWebhookView(APIView):
    """Meta's webhook: the subscribe handshake (GET) and signed event deliveries (POST)."""

    authentication_classes: list[Any] = []
    permission_classes = [AllowAny]
    throttle_classes: list[Any] = []
    rate_limit_exempt = True  # verified by signature; Meta sends in bursts

    @extend_schema(responses={(200, "text/plain"): OpenApiTypes.STR}, auth=[])
    def get(self, request: Request) -> HttpResponse:
        expected = services.whatsapp_verify_token()
        given = request.query_params.get("hub.verify_token", "")
        if (
            request.query_params.get("hub.mode") != "subscribe"
            or not expected
            or not hmac.compare_digest(given.encode(), expected.encode())
        ):
            raise PermissionDenied(_("Verification token mismatch."))
        return HttpResponse(
            request.query_params.get("hub.challenge", ""), content_type="text/plain"
        )

    @extend_schema(request=OpenApiTypes.OBJECT, responses={200: WEBHOOK_RESULT}, auth=[])
    def post(self, request: Request) -> Response:
        raw = request.body
        secret = services.whatsapp_app_secret()
        signature = request.headers.get("X-Hub-Signature-256", "")
        expected = "sha256=" + hmac.new(secret.encode(), raw, hashlib.sha256).hexdigest()
        if not secret or not hmac.compare_digest(signature.encode(), expected.encode()):
            report("forged_callback", request=request, detail="whatsapp: wrong signature")
            raise PermissionDenied(_("Invalid signature."))
        try:
            payload = json.loads(raw)
        except ValueError as exc:
            raise ValidationError({"detail": [_("The body is not JSON.")]}) from exc
        if not isinstance(payload, dict):
            raise ValidationError({"detail": [_("The body is not a webhook event.")]})
        return ok({"updated": services.record_whatsapp_event(payload)})


class TwilioStatusView(APIView):
    """Twilio's status callback for an SMS, verified with ``X-Twilio-Signature``."""

    authentication_classes: list[Any] = []
    permission_classes = [AllowAny]
    parser_classes = [FormParser]
    throttle_classes: list[Any] = []
    rate_limit_exempt = True

    @extend_schema(
        request={"application/x-www-form-urlencoded": OpenApiTypes.OBJECT},
        responses={200: WEBHOOK_RESULT},
        auth=[],
    )
    def post(self, request: Request) -> Response:
        token = services.twilio_auth_token()
        params = {key: request.POST.get(key, "") for key in request.POST}
        expected = clients.twilio_signature(token, request.build_absolute_uri(), params)
        given = request.headers.get("X-Twilio-Signature", "")
        if not token or not hmac.compare_digest(given.encode(), expected.encode()):
            report("forged_callback", request=request, detail="twilio: wrong signature")
            raise PermissionDenied(_("Invalid signature."))
        updated = services.record_twilio_status(
            sid=params.get("MessageSid", ""),
            status=params.get("MessageStatus", ""),
            error_code=params.get("ErrorCode", ""),
        )
        return ok({"updated": updated})


# --- A user's own settings ---------------------------------------------------


class PreferencesSerializer(RejectUnknownFields, serializers.Serializer):
    billing = serializers.ListField(child=serializers.ChoiceField(Channel.choices), required=False)
    security = serializers.ListField(child=serializers.ChoiceField(Channel.choices), required=False)
    community = serializers.ListField(
        child=serializers.ChoiceField(Channel.choices), required=False
    )


PREFERENCES_OUT = inline_serializer(
    "Preferences",
    {
        "categories": serializers.DictField(
            child=serializers.ListField(child=serializers.CharField())
        ),
        "consents": serializers.DictField(child=serializers.DictField()),
    },
)


class PreferencesView(APIView):
    @extend_schema(responses={200: PREFERENCES_OUT})
    def get(self, request: Request) -> Response:
        chosen = dict(
            Preference.objects.filter(user=user_of(request)).values_list("category", "channels")
        )
        consents = {
            c.channel: {"granted": c.is_granted, "method": c.method, "granted_at": c.granted_at}
            for c in Consent.objects.filter(user=user_of(request))
        }
        categories = {cat: chosen.get(cat, list(CATEGORY_DEFAULTS[cat])) for cat in Category.values}
        return ok({"categories": categories, "consents": consents})

    @extend_schema(request=PreferencesSerializer, responses={200: PREFERENCES_OUT})
    def put(self, request: Request) -> Response:
        serializer = PreferencesSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.set_preferences(user=user_of(request), choices=serializer.validated_data)
        return self.get(request)


class ConsentSerializer(RejectUnknownFields, serializers.Serializer):
    channel = serializers.ChoiceField(Channel.choices)
    granted = serializers.BooleanField()
    method = serializers.ChoiceField(Consent.Method.choices, default=Consent.Method.APP_SETTING)


class ConsentView(APIView):
    @extend_schema(request=ConsentSerializer, responses={200: ConsentSerializer})
    def post(self, request: Request) -> Response:
        serializer = ConsentSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        consent = services.set_consent(
            user=user_of(request),
            channel=data["channel"],
            granted=data["granted"],
            method=data["method"],
        )
        return ok(
            {
                "channel": consent.channel,
                "granted": consent.is_granted,
                "method": consent.method,
                "granted_at": consent.granted_at,
            }
        )


def vapid_public_key() -> str:
    number = int.from_bytes(base64.urlsafe_b64decode(settings.VAPID_PRIVATE_KEY + "=="), "big")
    public = ec.derive_private_key(number, ec.SECP256R1()).public_key()
    raw = public.public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


class PushKeyView(APIView):
    @extend_schema(
        responses={
            200: inline_serializer(
                "PushKey", {"public_key": serializers.CharField(allow_null=True)}
            )
        }
    )
    def get(self, request: Request) -> Response:
        if not settings.VAPID_PRIVATE_KEY:
            return ok({"public_key": None}, message=_("Push notifications are not configured."))
        return ok({"public_key": vapid_public_key()})


class PushKeysSerializer(serializers.Serializer):
    p256dh = serializers.CharField(max_length=200)
    auth = serializers.CharField(max_length=100)


class PushSubscriptionSerializer(RejectUnknownFields, serializers.Serializer):
    endpoint = serializers.URLField(max_length=1000)
    keys = PushKeysSerializer()


class PushSubscriptionsView(APIView):
    @extend_schema(
        request=PushSubscriptionSerializer,
        responses={
            201: inline_serializer("PushSubscriptionCreated", {"id": serializers.IntegerField()})
        },
    )
    def post(self, request: Request) -> Response:
        serializer = PushSubscriptionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        subscription = _service_call(
            services.subscribe_push,
            user=user_of(request),
            endpoint=data["endpoint"],
            p256dh=data["keys"]["p256dh"],
            auth=data["keys"]["auth"],
            user_agent=request.headers.get("User-Agent", ""),
        )
        return ok({"id": subscription.pk}, status=status.HTTP_201_CREATED)


class PushSubscriptionDetailView(APIView):
    @extend_schema(responses={200: None})
    def delete(self, request: Request, pk: int) -> Response:
        get_object_or_404(PushSubscription, pk=pk, user=user_of(request)).delete()
        return ok(None, message=_("Unsubscribed."))


# --- Managers ----------------------------------------------------------------


class MessageSerializer(serializers.ModelSerializer):
    class Meta:
        model = Message
        fields = [
            "id",
            "recipient",
            "to_name",
            "to_address",
            "channel",
            "category",
            "template",
            "language",
            "context",
            "status",
            "skip_reason",
            "attempts",
            "next_attempt_at",
            "provider",
            "provider_message_id",
            "error",
            "created_at",
            "sent_at",
            "delivered_at",
            "read_at",
        ]


class OutboxFilters(serializers.Serializer):
    status = FilterChoice(Message.Status.choices)
    channel = FilterChoice(Channel.choices)
    category = FilterChoice(Category.choices)
    template = FilterText(max_length=60)


class OutboxView(FilteredListView):
    serializer_class = MessageSerializer
    permission_classes = [IsPropertyManager]
    filter_serializer = OutboxFilters

    def get_queryset(self):
        return outbox_rows(**self.filters)


class ResendView(APIView):
    permission_classes = [IsPropertyManager]

    @extend_schema(request=None, responses={201: MessageSerializer})
    def post(self, request: Request, pk: int) -> Response:
        message = get_object_or_404(Message, pk=pk)
        copy = _service_call(services.resend, message=message, actor=user_of(request))
        return ok(MessageSerializer(copy).data, status=status.HTTP_201_CREATED)


@extend_schema_field(
    {
        "type": "string",
        "pattern": r"^([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9])?$",
        "example": "21:00",
    }
)
class LocalTimeField(serializers.TimeField):
    """A wall-clock time in the complex's zone (``21:00``), not an instant."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%H:%M", **kwargs)


class SettingsSerializer(RejectUnknownFields, serializers.ModelSerializer):
    quiet_start = LocalTimeField(required=False)
    quiet_end = LocalTimeField(required=False)
    whatsapp_access_token = serializers.CharField(write_only=True, required=False, allow_blank=True)
    whatsapp_app_secret = serializers.CharField(write_only=True, required=False, allow_blank=True)
    whatsapp_verify_token = serializers.CharField(write_only=True, required=False, allow_blank=True)
    fonnte_token = serializers.CharField(write_only=True, required=False, allow_blank=True)
    twilio_auth_token = serializers.CharField(write_only=True, required=False, allow_blank=True)

    class Meta:
        model = NotificationSettings
        fields = [*services.EDITABLE_SETTINGS, "updated_at"]
        read_only_fields = ["updated_at"]

    def to_representation(self, instance: NotificationSettings) -> dict[str, Any]:
        data = super().to_representation(instance)
        # Secrets are never shown again, only whether they are set.
        for field in services.SECRET_FIELDS:
            data[f"{field}_set"] = bool(getattr(instance, field))
        return data


class SettingsView(APIView):
    permission_classes = [IsPropertyManager]

    @extend_schema(responses={200: SettingsSerializer})
    def get(self, request: Request) -> Response:
        return ok(SettingsSerializer(services.notification_settings()).data)

    @extend_schema(request=SettingsSerializer, responses={200: SettingsSerializer})
    def patch(self, request: Request) -> Response:
        serializer = SettingsSerializer(
            services.notification_settings(), data=request.data, partial=True
        )
        serializer.is_valid(raise_exception=True)
        config = services.update_settings(
            changes=dict(serializer.validated_data), actor=user_of(request)
        )
        return ok(SettingsSerializer(config).data, message=_("Settings saved."))


class TestMessageSerializer(RejectUnknownFields, serializers.Serializer):
    channel = serializers.ChoiceField([Channel.WHATSAPP, Channel.EMAIL, Channel.SMS])


class TestMessageView(APIView):
    permission_classes = [IsPropertyManager]

    @extend_schema(request=TestMessageSerializer, responses={201: MessageSerializer})
    def post(self, request: Request) -> Response:
        serializer = TestMessageSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        message = _service_call(
            services.send_test_message,
            user=user_of(request),
            channel=serializer.validated_data["channel"],
        )
        message.refresh_from_db()
        return ok(MessageSerializer(message).data, status=status.HTTP_201_CREATED)


# --- The in-app inbox ------------------------------------------------------------


class InboxEntrySerializer(serializers.ModelSerializer):
    subject = serializers.SerializerMethodField()
    text = serializers.SerializerMethodField()
    link = serializers.SerializerMethodField()

    class Meta:
        model = Message
        fields = [
            "id",
            "subject",
            "text",
            "link",
            "category",
            "template",
            "about",
            "created_at",
            "read_at",
        ]

    def _text(self, message: Message) -> tuple[str, str]:
        return text_of(message.template, message.context, translation.get_language() or "id")

    def get_subject(self, message: Message) -> str:
        return self._text(message)[0]

    def get_text(self, message: Message) -> str:
        return self._text(message)[1]

    def get_link(self, message: Message) -> str:
        """Where the entry leads in the portal (its invoice, ticket, poll …), or empty."""
        return str(message.context.get("link", ""))


class InboxFilters(serializers.Serializer):
    unread = serializers.BooleanField(
        required=False, default=False, help_text="1: only what is not read yet"
    )


class InboxView(FilteredListView):
    """Everything the outbox sent the signed-in person, newest first, as their inbox."""

    serializer_class = InboxEntrySerializer
    filter_serializer = InboxFilters

    def get_queryset(self):
        return inbox_of(user_of(self.request), unread=self.filters["unread"])


INBOX_READ = inline_serializer("InboxRead", {"unread": serializers.IntegerField()})


class InboxReadView(APIView):
    @extend_schema(request=None, responses={200: INBOX_READ})
    def post(self, request: Request, pk: int) -> Response:
        user = user_of(request)
        if not services.mark_read(user=user, message_id=pk):
            raise NotFound
        return ok({"unread": unread_count(user)})


class InboxReadAllView(APIView):
    @extend_schema(request=None, responses={200: INBOX_READ})
    def post(self, request: Request) -> Response:
        user = user_of(request)
        services.mark_all_read(user=user)
        return ok({"unread": unread_count(user)})

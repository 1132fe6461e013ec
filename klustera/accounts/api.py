"""Identity endpoints of the v1 API: sign-in, tokens, one-time codes, registration, staff."""

from __future__ import annotations

from typing import Any

from django.shortcuts import get_object_or_404
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.generics import ListAPIView
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from klustera.accounts import passkeys, services, tasks
from klustera.accounts.models import ApiKey, ApiToken, OneTimeCode, Passkey, User
from klustera.api import (
    MomentField,
    OptionalEmailField,
    PhoneField,
    RejectUnknownFields,
    TokenExpired,
    call_service,
    ok,
    user_of,
    validated,
)
from klustera.net import client_ip
from klustera.notifications.selectors import unread_count
from klustera.permissions import IsPropertyManager
from klustera.privacy.services import needs_consent
from klustera.roles import STAFF_ROLES
from klustera.tenancy.context import current_tenant
from klustera.throttling import PhoneRateThrottle, PublicRateThrottle


def auth_call(func: Any, **kwargs: Any) -> Any:
    """Run a service, turning its errors into the API's error envelope."""
    try:
        return call_service(func, **kwargs)
    except services.AuthError as exc:
        if exc.code == "TOKEN_EXPIRED":
            raise TokenExpired(str(exc)) from exc
        if exc.code == "RATE_LIMITED":
            raise exceptions.Throttled(wait=exc.retry_after, detail=str(exc)) from exc
        failed = exceptions.AuthenticationFailed(str(exc))
        if exc.code != "UNAUTHENTICATED":
            failed.details = {"reason": exc.code.lower()}  # type: ignore[attr-defined]
        raise failed from exc


class UserSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    phone = serializers.CharField()
    name = serializers.CharField()
    email = OptionalEmailField()
    language = serializers.CharField()
    roles = serializers.SerializerMethodField()
    complex = serializers.SerializerMethodField()

    def get_roles(self, user: User) -> list[str]:
        return sorted(group.name for group in user.groups.all())

    def get_complex(self, user: User) -> dict[str, str] | None:
        tenant = current_tenant()
        return {"slug": tenant.slug, "name": tenant.name} if tenant else None


class MeSerializer(UserSerializer):
    unread = serializers.SerializerMethodField(help_text="unread entries of the in-app inbox")
    consent_required = serializers.SerializerMethodField(
        help_text="the privacy notice in force is not accepted yet: show it (GET /privacy/notice)"
    )

    def get_unread(self, user: User) -> int:
        return unread_count(user) if current_tenant() else 0

    def get_consent_required(self, user: User) -> bool:
        return needs_consent(user) if current_tenant() else False


class TokenPairSerializer(serializers.Serializer):
    access_token = serializers.CharField()
    refresh_token = serializers.CharField()
    expires_at = serializers.DateTimeField()
    user = UserSerializer()


def token_answer(pair: services.TokenPair, *, status_code: int = 200) -> Response:
    data = {
        "access_token": pair.access_token,
        "refresh_token": pair.refresh_token,
        "expires_at": pair.expires_at,
        "user": UserSerializer(pair.record.user).data,
    }
    response = ok(data, status=status_code)
    add_never_cache_headers(response)  # secrets: no browser or proxy keeps a copy
    return response


def _ip(request: Request) -> str | None:
    return client_ip(request) or None


class PublicView(APIView):
    authentication_classes: list[Any] = []
    permission_classes = [AllowAny]
    throttle_classes = [PublicRateThrottle, PhoneRateThrottle]


class LoginSerializer(RejectUnknownFields, serializers.Serializer):
    phone = PhoneField()
    password = serializers.CharField(max_length=128, trim_whitespace=False)
    device_name = serializers.CharField(max_length=100, required=False, default="")


class LoginView(PublicView):
    @extend_schema(request=LoginSerializer, responses={200: TokenPairSerializer})
    def post(self, request: Request) -> Response:
        data = validated(LoginSerializer, request)
        pair = auth_call(services.login_with_password, ip=_ip(request), **data)
        return token_answer(pair)


class RefreshSerializer(RejectUnknownFields, serializers.Serializer):
    refresh_token = serializers.CharField(max_length=200)


class RefreshView(PublicView):
    throttle_classes = [PublicRateThrottle]

    @extend_schema(request=RefreshSerializer, responses={200: TokenPairSerializer})
    def post(self, request: Request) -> Response:
        data = validated(RefreshSerializer, request)
        return token_answer(auth_call(services.refresh_tokens, refresh_token=data["refresh_token"]))


class CodeRequestSerializer(RejectUnknownFields, serializers.Serializer):
    phone = PhoneField()
    purpose = serializers.ChoiceField(
        OneTimeCode.Purpose.choices, default=OneTimeCode.Purpose.LOGIN
    )


class CodeRequestView(PublicView):
    @extend_schema(request=CodeRequestSerializer, responses={200: None})
    def post(self, request: Request) -> Response:
        data = validated(CodeRequestSerializer, request)
        tasks.send_code(data["phone"], data["purpose"])
        # The same answer whether or not the number has an account.
        return ok(None, message=_("If this number has an account, a code is on its way."))


class CodeVerifySerializer(RejectUnknownFields, serializers.Serializer):
    phone = PhoneField()
    code = serializers.CharField(max_length=12)
    device_name = serializers.CharField(max_length=100, required=False, default="")


class CodeVerifyView(PublicView):
    @extend_schema(request=CodeVerifySerializer, responses={200: TokenPairSerializer})
    def post(self, request: Request) -> Response:
        data = validated(CodeVerifySerializer, request)
        user = auth_call(
            services.check_code,
            phone=data["phone"],
            code=data["code"],
            purpose=OneTimeCode.Purpose.LOGIN,
            ip=_ip(request),
        )
        return token_answer(services.issue_tokens(user=user, device_name=data["device_name"]))


class PasswordResetSerializer(RejectUnknownFields, serializers.Serializer):
    phone = PhoneField()
    code = serializers.CharField(max_length=12)
    new_password = serializers.CharField(min_length=8, max_length=128, trim_whitespace=False)


class PasswordResetView(PublicView):
    @extend_schema(request=PasswordResetSerializer, responses={200: None})
    def post(self, request: Request) -> Response:
        data = validated(PasswordResetSerializer, request)
        auth_call(services.reset_password, ip=_ip(request), **data)
        return ok(None, message=_("Password changed; sign in again on every device."))


class PasswordChangeSerializer(RejectUnknownFields, serializers.Serializer):
    current_password = serializers.CharField(max_length=128, trim_whitespace=False)
    new_password = serializers.CharField(min_length=8, max_length=128, trim_whitespace=False)


class PasswordChangeView(APIView):
    @extend_schema(request=PasswordChangeSerializer, responses={200: None})
    def post(self, request: Request) -> Response:
        data = validated(PasswordChangeSerializer, request)
        user = user_of(request)
        if not user.check_password(data["current_password"]):
            raise exceptions.ValidationError({"current_password": [_("The password is wrong.")]})
        auth_call(services.change_password, user=user, new_password=data["new_password"])
        return ok(None, message=_("Password changed; sign in again on every device."))


class LogoutView(APIView):
    @extend_schema(request=None, responses={200: None})
    def post(self, request: Request) -> Response:
        if isinstance(request.auth, ApiToken):
            services.revoke_token(token=request.auth)
        else:
            from django.contrib.auth import logout

            logout(request._request)
        return ok(None, message=_("Signed out."))


class MeView(APIView):
    @extend_schema(responses={200: MeSerializer})
    def get(self, request: Request) -> Response:
        return ok(MeSerializer(request.user).data)


class DeviceSerializer(serializers.ModelSerializer):
    current = serializers.SerializerMethodField()

    class Meta:
        model = ApiToken
        fields = ["id", "device_name", "created_at", "last_used_at", "expires_at", "current"]

    def get_current(self, token: ApiToken) -> bool:
        return bool(token.pk == getattr(self.context.get("current"), "pk", None))


class TokenListView(ListAPIView):
    serializer_class = DeviceSerializer

    def get_queryset(self):
        return ApiToken.objects.filter(user=user_of(self.request), revoked_at__isnull=True)

    def get_serializer_context(self) -> dict[str, Any]:
        return {**super().get_serializer_context(), "current": self.request.auth}


class TokenDetailView(APIView):
    @extend_schema(responses={200: None})
    def delete(self, request: Request, pk: int) -> Response:
        token = get_object_or_404(ApiToken, pk=pk, user=user_of(request), revoked_at__isnull=True)
        services.revoke_token(token=token)
        return ok(None, message=_("The device is signed out."))


# --- Passkeys ---------------------------------------------------------------------


class CeremonySerializer(serializers.Serializer):
    challenge_id = serializers.UUIDField()
    options = serializers.DictField(help_text="For navigator.credentials.create() or .get().")


def ceremony_answer(ceremony: passkeys.Ceremony) -> Response:
    response = ok({"challenge_id": ceremony.challenge_id, "options": ceremony.options})
    add_never_cache_headers(response)
    return response


class PasskeyAnswerSerializer(RejectUnknownFields, serializers.Serializer):
    challenge_id = serializers.UUIDField()
    credential = serializers.DictField(help_text="The PublicKeyCredential, as its toJSON().")


class PasskeySignInSerializer(PasskeyAnswerSerializer):
    device_name = serializers.CharField(max_length=100, required=False, default="")


class NewPasskeySerializer(PasskeyAnswerSerializer):
    name = serializers.CharField(max_length=60, required=False, default="")


class PasskeySerializer(serializers.ModelSerializer):
    class Meta:
        model = Passkey
        fields = ["id", "name", "created_at", "last_used_at"]


class PasskeySignInOptionsView(PublicView):
    throttle_classes = [PublicRateThrottle]

    @extend_schema(request=None, responses={200: CeremonySerializer})
    def post(self, request: Request) -> Response:
        return ceremony_answer(passkeys.begin_assertion(rp=passkeys.relying_party(request)))


class PasskeySignInView(PublicView):
    throttle_classes = [PublicRateThrottle]

    @extend_schema(request=PasskeySignInSerializer, responses={200: TokenPairSerializer})
    def post(self, request: Request) -> Response:
        data = validated(PasskeySignInSerializer, request)
        user = auth_call(
            passkeys.sign_in_with_passkey,
            challenge_id=data["challenge_id"],
            credential=data["credential"],
            rp=passkeys.relying_party(request),
        )
        return token_answer(services.issue_tokens(user=user, device_name=data["device_name"]))


class PasskeysView(ListAPIView):
    serializer_class = PasskeySerializer

    def get_queryset(self):
        return Passkey.objects.filter(user=user_of(self.request))

    @extend_schema(request=NewPasskeySerializer, responses={201: PasskeySerializer})
    def post(self, request: Request) -> Response:
        data = validated(NewPasskeySerializer, request)
        passkey = auth_call(
            passkeys.register_passkey,
            user=user_of(request),
            rp=passkeys.relying_party(request),
            **data,
        )
        return ok(PasskeySerializer(passkey).data, status=201, message=_("Passkey added."))


class PasskeyOptionsView(APIView):
    @extend_schema(request=None, responses={200: CeremonySerializer})
    def post(self, request: Request) -> Response:
        rp = passkeys.relying_party(request)
        return ceremony_answer(passkeys.begin_registration(user=user_of(request), rp=rp))


class PasskeyDetailView(APIView):
    @extend_schema(responses={200: None})
    def delete(self, request: Request, pk: int) -> Response:
        passkey = get_object_or_404(Passkey, pk=pk, user=user_of(request))
        passkeys.remove_passkey(passkey=passkey, actor=user_of(request))
        return ok(None, message=_("Passkey removed."))


# --- Managers: staff -------------------------------------------------------------


class StaffSerializer(RejectUnknownFields, serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    phone = PhoneField()
    name = serializers.CharField(max_length=150)
    email = OptionalEmailField()
    role = serializers.ChoiceField(sorted(STAFF_ROLES), write_only=True)
    password = serializers.CharField(
        min_length=8, max_length=128, write_only=True, required=False, default=None
    )
    roles = serializers.SerializerMethodField()

    def get_roles(self, user: User) -> list[str]:
        return sorted(group.name for group in user.groups.all())


class StaffView(ListAPIView):
    serializer_class = StaffSerializer
    permission_classes = [IsPropertyManager]

    def get_queryset(self):
        return (
            User.objects.filter(groups__name__in=STAFF_ROLES).distinct().prefetch_related("groups")
        )

    @extend_schema(request=StaffSerializer, responses={201: StaffSerializer})
    def post(self, request: Request) -> Response:
        data = validated(StaffSerializer, request)
        user = auth_call(services.create_staff, actor=user_of(request), **data)
        return ok(StaffSerializer(user).data, status=status.HTTP_201_CREATED)


# --- Managers: API keys for the complex's own systems -----------------------------------


class ApiKeySerializer(serializers.ModelSerializer):
    class Meta:
        model = ApiKey
        fields = [
            "id",
            "name",
            "scope",
            "hint",
            "created_at",
            "expires_at",
            "last_used_at",
            "revoked_at",
        ]


class NewApiKey(RejectUnknownFields, serializers.Serializer):
    name = serializers.CharField(max_length=100)
    scope = serializers.ChoiceField(ApiKey.Scope.choices)
    expires_at = MomentField(help_text="within a year")


class NewApiKeyAnswer(ApiKeySerializer):
    key = serializers.CharField(help_text="shown this once: only its digest is kept")

    class Meta(ApiKeySerializer.Meta):
        fields = [*ApiKeySerializer.Meta.fields, "key"]


class ApiKeysView(ListAPIView):
    """The complex's API keys, newest first; a new key is shown once."""

    serializer_class = ApiKeySerializer
    permission_classes = [IsPropertyManager]

    def get_queryset(self):
        return ApiKey.objects.all()

    @extend_schema(request=NewApiKey, responses={201: NewApiKeyAnswer})
    def post(self, request: Request) -> Response:
        data = validated(NewApiKey, request)
        key, secret = auth_call(services.create_api_key, actor=user_of(request), **data)
        response = ok({**ApiKeySerializer(key).data, "key": secret}, status=status.HTTP_201_CREATED)
        add_never_cache_headers(response)
        return response


class ApiKeyRevokeView(APIView):
    permission_classes = [IsPropertyManager]

    @extend_schema(request=None, responses={200: ApiKeySerializer})
    def post(self, request: Request, pk: int) -> Response:
        key = get_object_or_404(ApiKey, pk=pk)
        return ok(ApiKeySerializer(services.revoke_api_key(key=key, actor=user_of(request))).data)

"""Identity endpoints of the v1 API."""

from __future__ import annotations

from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from klustera.api import ok
from klustera.tenancy.context import current_tenant


class UserSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    phone = serializers.CharField()
    name = serializers.CharField()
    email = serializers.EmailField()
    language = serializers.CharField()
    roles = serializers.SerializerMethodField()
    complex = serializers.SerializerMethodField()

    def get_roles(self, user: object) -> list[str]:
        return sorted(group.name for group in user.groups.all())  # type: ignore[attr-defined]

    def get_complex(self, user: object) -> dict[str, str] | None:
        tenant = current_tenant()
        return {"slug": tenant.slug, "name": tenant.name} if tenant else None


class MeView(APIView):
    def get(self, request: Request) -> Response:
        return ok(UserSerializer(request.user).data)

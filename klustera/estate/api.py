"""Estate endpoints of the v1 API."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.generics import ListAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from klustera.api import ok
from klustera.estate.models import Unit
from klustera.estate.selectors import units_visible_to


class UnitSerializer(serializers.ModelSerializer):
    class Meta:
        model = Unit
        fields = ["id", "block", "number", "floor", "unit_type", "land_area", "building_area"]


class UnitListView(ListAPIView):
    serializer_class = UnitSerializer

    def get_queryset(self):
        return units_visible_to(self.request.user)  # type: ignore[arg-type]


class UnitDetailView(APIView):
    @extend_schema(responses={200: UnitSerializer})
    def get(self, request: Request, pk: int) -> Response:
        unit = get_object_or_404(units_visible_to(request.user), pk=pk)  # type: ignore[arg-type]
        return ok(UnitSerializer(unit).data)

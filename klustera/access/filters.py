"""What the gate's lists can be filtered by: one check for the API and the portal."""

from __future__ import annotations

from rest_framework import serializers

from klustera.access.models import AccessLog, Parcel, WalkIn
from klustera.api import DayField, FilterText


class LogFilters(serializers.Serializer):
    kind = serializers.ChoiceField(AccessLog.Kind.choices, required=False)
    result = serializers.ChoiceField(AccessLog.Result.choices, required=False)
    method = serializers.ChoiceField(AccessLog.Method.choices, required=False)
    gate = FilterText(max_length=40)
    date = DayField(required=False)


class WalkInFilters(serializers.Serializer):
    status = serializers.ChoiceField(WalkIn.Status.choices, required=False)


class ParcelFilters(serializers.Serializer):
    status = serializers.ChoiceField(Parcel.Status.choices, required=False)

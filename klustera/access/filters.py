"""What the gate's lists can be filtered by: one check for the API and the portal."""

from __future__ import annotations

from rest_framework import serializers

from klustera.access.models import AccessLog, Parcel, WalkIn
from klustera.api import DayField, FilterChoice, FilterText


class LogFilters(serializers.Serializer):
    kind = FilterChoice(AccessLog.Kind.choices)
    result = FilterChoice(AccessLog.Result.choices)
    method = FilterChoice(AccessLog.Method.choices)
    flag = FilterChoice(
        [("any", "any"), *AccessLog.Flag.choices], help_text="any: every flagged offline answer"
    )
    gate = FilterText(max_length=40)
    date = DayField(required=False)


class WalkInFilters(serializers.Serializer):
    status = FilterChoice(WalkIn.Status.choices)


class ParcelFilters(serializers.Serializer):
    status = FilterChoice(Parcel.Status.choices)

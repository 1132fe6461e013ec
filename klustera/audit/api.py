"""The audit trail for managers."""

from __future__ import annotations

from rest_framework import serializers

from klustera.audit.filters import AuditFilters, filter_entries
from klustera.audit.models import AuditEntry
from klustera.filtering import FilteredListView
from klustera.permissions import IsPropertyManager


class AuditEntrySerializer(serializers.ModelSerializer):
    actor_name = serializers.SerializerMethodField()

    class Meta:
        model = AuditEntry
        fields = [
            "id",
            "actor",
            "actor_label",
            "actor_name",
            "action",
            "target_type",
            "target_id",
            "details",
            "created_at",
        ]

    def get_actor_name(self, entry: AuditEntry) -> str:
        return entry.actor.name if entry.actor else entry.actor_label


class AuditTrailView(FilteredListView):
    serializer_class = AuditEntrySerializer
    permission_classes = [IsPropertyManager]
    filter_serializer = AuditFilters

    def get_queryset(self):
        return filter_entries(AuditEntry.objects.select_related("actor"), self.filters)

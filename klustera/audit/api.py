"""The audit trail for managers."""

from __future__ import annotations

from rest_framework import serializers
from rest_framework.generics import ListAPIView

from klustera.accounts.permissions import IsPropertyManager
from klustera.audit.models import AuditEntry


class AuditEntrySerializer(serializers.ModelSerializer):
    class Meta:
        model = AuditEntry
        fields = [
            "id",
            "actor",
            "actor_label",
            "action",
            "target_type",
            "target_id",
            "details",
            "created_at",
        ]


class AuditTrailView(ListAPIView):
    serializer_class = AuditEntrySerializer
    permission_classes = [IsPropertyManager]

    def get_queryset(self):
        entries = AuditEntry.objects.all()
        action = self.request.query_params.get("action")
        return entries.filter(action=action) if action else entries

"""The community's API: announcements (read by everyone signed in, posted by managers)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.generics import ListAPIView
from rest_framework.request import Request
from rest_framework.response import Response

from klustera.api import RejectUnknownFields, call_service, ok, user_of, validated
from klustera.community.models import Announcement
from klustera.community.selectors import announcements_for
from klustera.community.services import post_announcement
from klustera.roles import is_manager


class AnnouncementSerializer(serializers.ModelSerializer):
    posted_by_name = serializers.CharField(source="posted_by.name", default="", read_only=True)

    class Meta:
        model = Announcement
        fields = ["id", "title", "body", "block", "posted_at", "posted_by_name", "recipients"]


class NewAnnouncement(RejectUnknownFields, serializers.Serializer):
    title = serializers.CharField(max_length=150)
    body = serializers.CharField(max_length=4000)
    block = serializers.CharField(
        max_length=20, required=False, allow_blank=True, help_text="empty: the whole complex"
    )
    send = serializers.BooleanField(
        default=True, help_text="also tell the residents by WhatsApp, push or email"
    )


class AnnouncementsView(ListAPIView):
    """Announcements, newest first: residents read those to everyone and to their blocks."""

    serializer_class = AnnouncementSerializer

    def get_queryset(self):
        return announcements_for(user_of(self.request))

    @extend_schema(request=NewAnnouncement, responses={201: AnnouncementSerializer})
    def post(self, request: Request) -> Response:
        if not is_manager(request.user):
            raise PermissionDenied
        data = validated(NewAnnouncement, request)
        announcement = call_service(post_announcement, actor=user_of(request), **data)
        return ok(AnnouncementSerializer(announcement).data, status=status.HTTP_201_CREATED)

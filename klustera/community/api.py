"""The community's API: announcements (read by everyone signed in, posted by managers) and
polls (read by everyone, voted in by residents, put and closed by managers)."""

from __future__ import annotations

from contextlib import suppress
from typing import Any

from django.core.cache import cache
from django.http import FileResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.generics import ListAPIView
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from klustera.accounts.models import User
from klustera.api import (
    IdField,
    MomentField,
    RejectUnknownFields,
    call_service,
    ok,
    user_of,
    validated,
)
from klustera.community.models import Announcement, Attachment, Poll, PollOption
from klustera.community.selectors import (
    Seat,
    access_announcement,
    access_attachment,
    access_poll,
    announcements_for,
    list_cache_key,
    list_cache_seconds,
    my_vote,
    polls_for,
    reads_of,
    results_of,
    results_visible,
    seats_of,
    unseal,
)
from klustera.community.services import (
    cancel_poll,
    cast_vote,
    close_poll,
    create_poll,
    edit_announcement,
    edit_poll,
    post_announcement,
    publish_announcement,
    remind_unread,
    withdraw_announcement,
)
from klustera.community.services.attachments import MAX_ATTACHMENTS
from klustera.community.services.polls import EDITABLE
from klustera.estate.models import Unit
from klustera.permissions import IsPropertyManager
from klustera.redis_cache import CACHE_DOWN
from klustera.roles import STAFF_ROLES, is_manager
from klustera.uploads import serve_file


class AttachmentSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField(help_text="the file, for its audience only")

    class Meta:
        model = Attachment
        fields = ["id", "name", "content_type", "size", "url"]

    def get_url(self, attachment: Attachment) -> str:
        path = reverse("attachment", kwargs={"pk": attachment.pk})
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request else path


class AnnouncementSerializer(serializers.ModelSerializer):
    posted_by_name = serializers.CharField(source="posted_by.name", default="", read_only=True)
    state = serializers.SerializerMethodField()
    attachments = AttachmentSerializer(many=True, read_only=True)

    class Meta:
        model = Announcement
        fields = [
            "id",
            "title",
            "body",
            "category",
            "blocks",
            "unit_types",
            "tenure",
            "staff_roles",
            "pinned",
            "state",
            "publish_at",
            "posted_at",
            "edited_at",
            "expires_at",
            "withdrawn_at",
            "posted_by_name",
            "recipients",
            "attachments",
        ]

    def get_state(self, announcement: Announcement) -> str:
        return announcement.state(timezone.now())


class AnnouncementContent(RejectUnknownFields, serializers.Serializer):
    title = serializers.CharField(max_length=150)
    body = serializers.CharField(max_length=4000)
    category = serializers.ChoiceField(Announcement.Category.choices, default="info")
    blocks = serializers.ListField(
        child=serializers.CharField(max_length=20),
        required=False,
        max_length=50,
        help_text="empty: every block",
    )
    unit_types = serializers.ListField(
        child=serializers.ChoiceField(Unit.Type.choices),
        required=False,
        max_length=10,
        help_text="empty: every type",
    )
    tenure = serializers.ChoiceField(Announcement.Tenure.choices, default="all")
    staff_roles = serializers.ListField(
        child=serializers.ChoiceField(sorted(STAFF_ROLES)),
        required=False,
        max_length=3,
        help_text="also told to the staff of these roles",
    )
    pinned = serializers.BooleanField(default=False)
    expires_at = MomentField(required=False, allow_null=True)
    send = serializers.BooleanField(
        default=True, help_text="also tell the residents by WhatsApp, push or email"
    )


class NewAnnouncement(AnnouncementContent):
    publish_at = MomentField(
        required=False, allow_null=True, help_text="later: scheduled; empty: published now"
    )
    draft = serializers.BooleanField(default=False, help_text="kept unpublished")


class AnnouncementsView(ListAPIView):
    """Announcements, pinned first then newest: residents read those meant for them; managers
    also see drafts, scheduled and withdrawn ones. Attachments are added with
    ``/admin/announcements/{id}/attachments``."""

    serializer_class = AnnouncementSerializer

    def get_queryset(self):
        return announcements_for(user_of(self.request))

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """A page as served before while nothing it is read from changed (``list_cache_key``:
        the page, its size and the host of its files' links are in the address)."""
        try:
            key = list_cache_key(user_of(request), request.build_absolute_uri())
            served = cache.get(key)
        except CACHE_DOWN:
            return super().list(request, *args, **kwargs)
        if served is not None:
            return Response(served)
        response = super().list(request, *args, **kwargs)
        with suppress(*CACHE_DOWN):
            cache.set(key, response.data, timeout=list_cache_seconds())
        return response

    @extend_schema(request=NewAnnouncement, responses={201: AnnouncementSerializer})
    def post(self, request: Request) -> Response:
        if not is_manager(request.user):
            raise PermissionDenied
        data = validated(NewAnnouncement, request)
        announcement = call_service(post_announcement, actor=user_of(request), **data)
        return ok(AnnouncementSerializer(announcement).data, status=status.HTTP_201_CREATED)


class AdminAnnouncementView(APIView):
    permission_classes = [IsPropertyManager]

    @extend_schema(request=AnnouncementContent, responses={200: AnnouncementSerializer})
    def patch(self, request: Request, pk: int) -> Response:
        announcement = access_announcement(user_of(request), pk)
        serializer = NewAnnouncement(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        changes = {k: v for k, v in serializer.validated_data.items() if k != "draft"}
        saved = call_service(
            edit_announcement, actor=user_of(request), announcement=announcement, **changes
        )
        return ok(AnnouncementSerializer(saved).data)


class PublishView(APIView):
    """Publish a draft (or a scheduled announcement) now."""

    permission_classes = [IsPropertyManager]

    @extend_schema(request=None, responses={200: AnnouncementSerializer})
    def post(self, request: Request, pk: int) -> Response:
        announcement = access_announcement(user_of(request), pk)
        done = call_service(publish_announcement, actor=user_of(request), announcement=announcement)
        return ok(AnnouncementSerializer(done).data, message=_("Announcement published."))


class WithdrawView(APIView):
    """Hide an announcement from the residents; the audit keeps it."""

    permission_classes = [IsPropertyManager]

    @extend_schema(request=None, responses={200: AnnouncementSerializer})
    def post(self, request: Request, pk: int) -> Response:
        announcement = access_announcement(user_of(request), pk)
        done = call_service(
            withdraw_announcement, actor=user_of(request), announcement=announcement
        )
        return ok(AnnouncementSerializer(done).data, message=_("Announcement withdrawn."))


class RemindView(APIView):
    permission_classes = [IsPropertyManager]

    @extend_schema(
        request=None,
        responses={200: inline_serializer("Reminded", {"told": serializers.IntegerField()})},
    )
    def post(self, request: Request, pk: int) -> Response:
        announcement = access_announcement(user_of(request), pk)
        told = call_service(remind_unread, actor=user_of(request), announcement=announcement)
        return ok({"told": told})


class ReadSerializer(serializers.Serializer):
    user = serializers.IntegerField()
    name = serializers.CharField()
    read_at = serializers.DateTimeField(allow_null=True)


class ReadsView(APIView):
    """Who was told of an announcement, and when each read it (null: not yet)."""

    permission_classes = [IsPropertyManager]

    @extend_schema(responses={200: ReadSerializer(many=True)})
    def get(self, request: Request, pk: int) -> Response:
        announcement = access_announcement(user_of(request), pk)
        reads = reads_of(announcement)
        rows = [{"user": person.pk, "name": person.name, "read_at": at} for person, at in reads]
        return ok(
            ReadSerializer(rows, many=True).data,
            message=_("%(read)s of %(told)s have read it.")
            % {"read": sum(1 for _, at in reads if at), "told": len(reads)},
        )


# --- Polls -----------------------------------------------------------------------------------


class OptionSerializer(serializers.ModelSerializer):
    class Meta:
        model = PollOption
        fields = ["id", "label"]


class PollSerializer(serializers.ModelSerializer):
    options = OptionSerializer(many=True, read_only=True)
    state = serializers.SerializerMethodField()
    my_vote = serializers.SerializerMethodField(
        help_text="what the caller's unit (or the caller) chose; null: not voted or not a voter"
    )
    can_vote = serializers.SerializerMethodField()
    minutes_url = serializers.SerializerMethodField()
    attachments = AttachmentSerializer(many=True, read_only=True)

    class Meta:
        model = Poll
        fields = [
            "id",
            "question",
            "description",
            "options",
            "multiple",
            "max_choices",
            "electorate",
            "weighting",
            "ballot",
            "results",
            "quorum_percent",
            "opens_at",
            "closes_at",
            "state",
            "closed_at",
            "cancelled_at",
            "cancel_reason",
            "my_vote",
            "can_vote",
            "minutes_url",
            "attachments",
        ]

    def get_state(self, poll: Poll) -> str:
        return poll.state(timezone.now())

    def _user(self) -> User:
        return user_of(self.context["request"])

    def _seats(self, poll: Poll) -> list[Seat]:
        """Where the caller votes in ``poll``, worked out once per poll and answer."""
        known: dict[int, list[Seat]] = self.__dict__.setdefault("_known_seats", {})
        if poll.pk not in known:
            known[poll.pk] = seats_of(self._user(), poll)
        return known[poll.pk]

    def get_my_vote(self, poll: Poll) -> list[int] | None:
        vote = my_vote(self._user(), poll, self._seats(poll))
        return unseal(vote) if vote else None

    def get_can_vote(self, poll: Poll) -> bool:
        return poll.state(timezone.now()) == "open" and bool(self._seats(poll))

    def get_minutes_url(self, poll: Poll) -> str | None:
        if not poll.minutes:
            return None
        return self.context["request"].build_absolute_uri(
            reverse("poll-minutes", kwargs={"pk": poll.pk})
        )


class OptionResultSerializer(serializers.Serializer):
    option = OptionSerializer()
    votes = serializers.IntegerField()
    weight = serializers.DecimalField(max_digits=14, decimal_places=2)


class ResultsSerializer(serializers.Serializer):
    options = OptionResultSerializer(many=True)
    voted = serializers.IntegerField()
    voted_weight = serializers.DecimalField(max_digits=14, decimal_places=2)
    eligible = serializers.IntegerField()
    eligible_weight = serializers.DecimalField(max_digits=14, decimal_places=2)
    turnout = serializers.IntegerField(help_text="whole percent of the electorate who voted")
    quorum_percent = serializers.IntegerField()
    quorum_reached = serializers.BooleanField()


class PollsView(ListAPIView):
    """The polls: open and past ones for everyone; managers also see those not open yet."""

    serializer_class = PollSerializer

    def get_queryset(self):
        return polls_for(user_of(self.request))


class PollView(APIView):
    @extend_schema(responses={200: PollSerializer})
    def get(self, request: Request, pk: int) -> Response:
        poll = access_poll(user_of(request), pk)
        return ok(PollSerializer(poll, context={"request": request}).data)


class VoteSerializer(RejectUnknownFields, serializers.Serializer):
    options = serializers.ListField(child=IdField(), min_length=1, max_length=20)
    unit = IdField(required=False, help_text="which of the caller's units, if they have several")


class VoteView(APIView):
    @extend_schema(request=VoteSerializer, responses={200: PollSerializer})
    def post(self, request: Request, pk: int) -> Response:
        user = user_of(request)
        poll = access_poll(user, pk)
        data = validated(VoteSerializer, request)
        call_service(cast_vote, user=user, poll=poll, **data)
        return ok(PollSerializer(poll, context={"request": request}).data, message=_("Vote saved."))


class ResultsView(APIView):
    @extend_schema(responses={200: ResultsSerializer})
    def get(self, request: Request, pk: int) -> Response:
        poll = access_poll(user_of(request), pk)
        if not results_visible(poll):
            raise PermissionDenied(_("The results are shown after the close."))
        return ok(ResultsSerializer(results_of(poll)).data)


class MinutesView(APIView):
    """The berita acara of a closed poll, as a PDF."""

    @extend_schema(responses={(200, "application/pdf"): bytes})
    def get(self, request: Request, pk: int) -> FileResponse:
        poll = access_poll(user_of(request), pk)
        if not poll.minutes:
            raise NotFound(_("The minutes are written at the close."))
        return FileResponse(
            poll.minutes.open("rb"),
            content_type="application/pdf",
            filename=f"berita-acara-{poll.pk}.pdf",
        )


class PollWriteSerializer(RejectUnknownFields, serializers.ModelSerializer):
    options = serializers.ListField(
        child=serializers.CharField(max_length=150), min_length=2, max_length=20
    )
    opens_at = MomentField()
    closes_at = MomentField()
    quorum_percent = serializers.IntegerField(min_value=0, max_value=100, default=0)
    max_choices = serializers.IntegerField(min_value=1, max_value=20, default=1)
    max_reminders = serializers.IntegerField(min_value=0, max_value=5, default=1)

    class Meta:
        model = Poll
        fields = ["options", *EDITABLE]


class AdminPollsView(ListAPIView):
    """Every poll, and putting a new one to the complex."""

    serializer_class = PollSerializer
    permission_classes = [IsPropertyManager]

    def get_queryset(self):
        return polls_for(user_of(self.request))

    @extend_schema(request=PollWriteSerializer, responses={201: PollSerializer})
    def post(self, request: Request) -> Response:
        data = validated(PollWriteSerializer, request)
        poll = call_service(create_poll, actor=user_of(request), **data)
        return ok(
            PollSerializer(poll, context={"request": request}).data,
            status=status.HTTP_201_CREATED,
        )


class AdminPollView(APIView):
    permission_classes = [IsPropertyManager]

    @extend_schema(responses={200: PollSerializer})
    def get(self, request: Request, pk: int) -> Response:
        poll = access_poll(user_of(request), pk)
        return ok(PollSerializer(poll, context={"request": request}).data)

    @extend_schema(request=PollWriteSerializer, responses={200: PollSerializer})
    def patch(self, request: Request, pk: int) -> Response:
        poll = access_poll(user_of(request), pk)
        serializer = PollWriteSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        poll = call_service(
            edit_poll, actor=user_of(request), poll=poll, **serializer.validated_data
        )
        return ok(PollSerializer(poll, context={"request": request}).data)


class AdminPollCloseView(APIView):
    permission_classes = [IsPropertyManager]

    @extend_schema(request=None, responses={200: PollSerializer})
    def post(self, request: Request, pk: int) -> Response:
        poll = access_poll(user_of(request), pk)
        poll = call_service(close_poll, poll=poll, actor=user_of(request))
        return ok(
            PollSerializer(poll, context={"request": request}).data, message=_("Poll closed.")
        )


class CancelSerializer(RejectUnknownFields, serializers.Serializer):
    reason = serializers.CharField(max_length=300)


class AdminPollCancelView(APIView):
    permission_classes = [IsPropertyManager]

    @extend_schema(request=CancelSerializer, responses={200: PollSerializer})
    def post(self, request: Request, pk: int) -> Response:
        poll = access_poll(user_of(request), pk)
        data = validated(CancelSerializer, request)
        poll = call_service(cancel_poll, poll=poll, actor=user_of(request), **data)
        return ok(
            PollSerializer(poll, context={"request": request}).data, message=_("Poll cancelled.")
        )


# --- Attachments -------------------------------------------------------------------------------


class NewAttachments(RejectUnknownFields, serializers.Serializer):
    files = serializers.ListField(
        child=serializers.FileField(),
        min_length=1,
        max_length=MAX_ATTACHMENTS,
        help_text="PDFs or photos, at most 5 MB each",
    )


class AnnouncementAttachmentsView(APIView):
    """Attach PDFs or photos to an announcement (an edit: a published one shows "edited")."""

    permission_classes = [IsPropertyManager]
    parser_classes = [MultiPartParser]

    @extend_schema(
        request={"multipart/form-data": NewAttachments}, responses={201: AnnouncementSerializer}
    )
    def post(self, request: Request, pk: int) -> Response:
        announcement = access_announcement(user_of(request), pk)
        data = validated(NewAttachments, request)
        saved = call_service(
            edit_announcement,
            actor=user_of(request),
            announcement=announcement,
            attachments=data["files"],
        )
        saved = access_announcement(user_of(request), saved.pk)  # with its attachments
        return ok(
            AnnouncementSerializer(saved, context={"request": request}).data,
            status=status.HTTP_201_CREATED,
        )


class PollAttachmentsView(APIView):
    """Attach PDFs or photos to a poll nobody has voted in yet."""

    permission_classes = [IsPropertyManager]
    parser_classes = [MultiPartParser]

    @extend_schema(request={"multipart/form-data": NewAttachments}, responses={201: PollSerializer})
    def post(self, request: Request, pk: int) -> Response:
        poll = access_poll(user_of(request), pk)
        data = validated(NewAttachments, request)
        call_service(edit_poll, actor=user_of(request), poll=poll, attachments=data["files"])
        poll = access_poll(user_of(request), pk)
        return ok(
            PollSerializer(poll, context={"request": request}).data,
            status=status.HTTP_201_CREATED,
        )


class AttachmentView(APIView):
    """An attachment's file, to those who may read its announcement or poll."""

    @extend_schema(responses={(200, "application/octet-stream"): bytes})
    def get(self, request: Request, pk: int) -> FileResponse:
        attachment = access_attachment(user_of(request), pk)
        return serve_file(
            attachment.file, content_type=attachment.content_type, filename=attachment.name
        )


class AdminAttachmentView(APIView):
    permission_classes = [IsPropertyManager]

    @extend_schema(request=None, responses={200: None})
    def delete(self, request: Request, pk: int) -> Response:
        attachment = access_attachment(user_of(request), pk)
        remove = {"actor": user_of(request), "remove_attachments": [attachment.pk]}
        if attachment.announcement_id:
            call_service(edit_announcement, announcement=attachment.announcement, **remove)
        else:
            call_service(edit_poll, poll=attachment.poll, **remove)
        return ok(None, message=_("Attachment removed."))

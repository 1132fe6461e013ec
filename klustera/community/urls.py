from django.urls import path

from klustera.community import api, views

api_urlpatterns = [
    path("announcements", api.AnnouncementsView.as_view(), name="announcements"),
    path(
        "admin/announcements/<int:pk>",
        api.AdminAnnouncementView.as_view(),
        name="admin-announcement",
    ),
    path(
        "admin/announcements/<int:pk>/publish",
        api.PublishView.as_view(),
        name="admin-announcement-publish",
    ),
    path(
        "admin/announcements/<int:pk>/withdraw",
        api.WithdrawView.as_view(),
        name="admin-announcement-withdraw",
    ),
    path(
        "admin/announcements/<int:pk>/remind",
        api.RemindView.as_view(),
        name="admin-announcement-remind",
    ),
    path(
        "admin/announcements/<int:pk>/reads",
        api.ReadsView.as_view(),
        name="admin-announcement-reads",
    ),
    path(
        "admin/announcements/<int:pk>/attachments",
        api.AnnouncementAttachmentsView.as_view(),
        name="admin-announcement-attachments",
    ),
    path("attachments/<int:pk>", api.AttachmentView.as_view(), name="attachment"),
    path("admin/attachments/<int:pk>", api.AdminAttachmentView.as_view(), name="admin-attachment"),
    path("polls", api.PollsView.as_view(), name="polls"),
    path("polls/<int:pk>", api.PollView.as_view(), name="poll"),
    path("polls/<int:pk>/votes", api.VoteView.as_view(), name="poll-votes"),
    path("polls/<int:pk>/results", api.ResultsView.as_view(), name="poll-results"),
    path("polls/<int:pk>/minutes", api.MinutesView.as_view(), name="poll-minutes"),
    path("admin/polls", api.AdminPollsView.as_view(), name="admin-polls"),
    path("admin/polls/<int:pk>", api.AdminPollView.as_view(), name="admin-poll"),
    path(
        "admin/polls/<int:pk>/attachments",
        api.PollAttachmentsView.as_view(),
        name="admin-poll-attachments",
    ),
    path("admin/polls/<int:pk>/close", api.AdminPollCloseView.as_view(), name="admin-poll-close"),
    path(
        "admin/polls/<int:pk>/cancel", api.AdminPollCancelView.as_view(), name="admin-poll-cancel"
    ),
]

urlpatterns = [
    path("announcements/", views.announcements, name="announcements-page"),
    path(
        "manage/announcements/<int:pk>/edit/",
        views.announcement_edit,
        name="announcement-edit",
    ),
    path(
        "manage/announcements/<int:pk>/action",
        views.announcement_action,
        name="announcement-action",
    ),
    path(
        "manage/announcements/<int:pk>/reads/",
        views.announcement_reads,
        name="announcement-reads",
    ),
    path("attachments/<int:pk>", views.attachment, name="attachment-page"),
    path("polls/", views.polls, name="polls-page"),
    path("polls/<int:pk>/", views.poll_page, name="poll-page"),
    path("polls/<int:pk>/minutes", views.poll_minutes, name="poll-minutes-page"),
    path("manage/polls/new/", views.poll_new, name="poll-new"),
    path("manage/polls/<int:pk>/edit/", views.poll_edit, name="poll-edit"),
    path("manage/polls/<int:pk>/close", views.poll_close, name="poll-close"),
    path("manage/polls/<int:pk>/cancel", views.poll_cancel, name="poll-cancel"),
]

from django.urls import path

from klustera.notifications import api, views

api_urlpatterns = [
    path("notifications/twilio/status", api.TwilioStatusView.as_view(), name="twilio-status"),
    path(
        "notifications/whatsapp/webhook", api.WhatsAppWebhookView.as_view(), name="whatsapp-webhook"
    ),
    path(
        "notifications/preferences", api.PreferencesView.as_view(), name="notification-preferences"
    ),
    path("notifications/consents", api.ConsentView.as_view(), name="notification-consents"),
    path("notifications/push-key", api.PushKeyView.as_view(), name="push-key"),
    path(
        "notifications/push-subscriptions",
        api.PushSubscriptionsView.as_view(),
        name="push-subscriptions",
    ),
    path(
        "notifications/push-subscriptions/<int:pk>",
        api.PushSubscriptionDetailView.as_view(),
        name="push-subscription-detail",
    ),
    path("inbox", api.InboxView.as_view(), name="inbox"),
    path("inbox/<int:pk>/read", api.InboxReadView.as_view(), name="inbox-read"),
    path("inbox/read-all", api.InboxReadAllView.as_view(), name="inbox-read-all"),
    path("admin/notifications/outbox", api.OutboxView.as_view(), name="admin-outbox"),
    path(
        "admin/notifications/outbox/<int:pk>/resend",
        api.ResendView.as_view(),
        name="admin-outbox-resend",
    ),
    path(
        "admin/notifications/settings",
        api.SettingsView.as_view(),
        name="admin-notification-settings",
    ),
    path("admin/notifications/test", api.TestMessageView.as_view(), name="admin-notification-test"),
]

urlpatterns = [
    path("notifications/", views.my_notifications, name="my-notifications"),
    path("inbox/", views.inbox, name="inbox-page"),
    path("inbox/bell", views.inbox_bell, name="inbox-bell"),
    path("inbox/<int:pk>/", views.inbox_open, name="inbox-open"),
    path("inbox/read", views.inbox_read, name="inbox-read-page"),
    path("manage/notifications/", views.outbox, name="notifications-outbox"),
    path(
        "manage/notifications/<int:pk>/resend",
        views.resend,
        name="notifications-resend",
    ),
    path(
        "manage/notifications/settings",
        views.settings_page,
        name="notifications-settings",
    ),
    path("manage/notifications/test", views.send_test, name="notifications-test"),
]

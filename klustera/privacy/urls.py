from django.urls import path

from klustera.privacy import api, views

api_urlpatterns = [
    path("privacy/notice", api.NoticeView.as_view(), name="privacy-notice-api"),
    path("privacy/consent", api.ConsentView.as_view(), name="privacy-consent-api"),
    path("privacy/choices", api.ChoicesView.as_view(), name="privacy-choices"),
    path("privacy/opt-ins", api.OptInView.as_view(), name="privacy-opt-ins"),
    path("privacy/requests", api.MyRequestsView.as_view(), name="privacy-requests-api"),
    path("privacy/requests/<int:pk>", api.RequestDetailView.as_view(), name="privacy-request-api"),
    path(
        "privacy/requests/<int:pk>/download",
        api.RequestDownloadView.as_view(),
        name="privacy-download-api",
    ),
    path("privacy/restriction/lift", api.LiftRestrictionView.as_view(), name="privacy-lift"),
    path("admin/privacy/requests", api.RequestQueueView.as_view(), name="admin-privacy-requests"),
    path(
        "admin/privacy/requests/<int:pk>/complete",
        api.CompleteRequestView.as_view(),
        name="admin-privacy-complete",
    ),
    path(
        "admin/privacy/requests/<int:pk>/reject",
        api.RejectRequestView.as_view(),
        name="admin-privacy-reject",
    ),
    path("admin/privacy/notice", api.PublishNoticeView.as_view(), name="admin-privacy-notice"),
]

urlpatterns = [
    path("privacy/", views.privacy_page, name="privacy-page"),
    path("privacy/consent", views.consent_page, name="privacy-consent"),
    path("privacy/requests/<int:pk>/download", views.download_page, name="privacy-download"),
    path("manage/privacy/", views.queue_page, name="privacy-requests"),
    path("manage/privacy/<int:pk>/", views.request_page, name="privacy-request"),
    path("manage/privacy/notice", views.notice_page, name="privacy-notice"),
    path("manage/privacy/retention", views.retention_page, name="privacy-retention"),
    path("manage/privacy/processing", views.processing_page, name="privacy-processing"),
    path("manage/privacy/processing.pdf", views.processing_pdf_page, name="privacy-processing-pdf"),
]

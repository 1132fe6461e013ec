from django.urls import path

from klustera.helpdesk import api, views

api_urlpatterns = [
    path("complaints", api.TicketsView.as_view(), name="complaints"),
    path("complaints/<int:pk>", api.TicketDetailView.as_view(), name="complaint-detail"),
    path("complaints/<int:pk>/status", api.TicketStatusView.as_view(), name="complaint-status"),
    path(
        "complaints/<int:pk>/comments",
        api.TicketCommentsView.as_view(),
        name="complaint-comments",
    ),
    path("complaints/<int:pk>/photos", api.TicketPhotosView.as_view(), name="complaint-photos"),
    path("complaints/<int:pk>/assign", api.TicketAssignView.as_view(), name="complaint-assign"),
    path("complaints/<int:pk>/rating", api.TicketRatingView.as_view(), name="complaint-rating"),
    path(
        "admin/helpdesk/categories", api.CategoriesView.as_view(), name="admin-helpdesk-categories"
    ),
    path("admin/helpdesk/report", api.ReportView.as_view(), name="admin-helpdesk-report"),
]

urlpatterns = [
    path("complaints/", views.complaints_page, name="complaints-page"),
    path("complaints/<int:pk>/", views.complaint_page, name="complaint-page"),
    path("complaints/<int:pk>/action", views.complaint_action, name="complaint-action"),
    path("complaints/<int:pk>/photos/<int:photo>", views.complaint_photo, name="complaint-photo"),
    path("manage/helpdesk/", views.queue_page, name="helpdesk-queue"),
    path("manage/helpdesk/report/", views.report_page, name="helpdesk-report"),
    path("manage/helpdesk/settings/", views.settings_page, name="helpdesk-settings"),
]

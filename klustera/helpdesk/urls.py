from django.urls import path

from klustera.helpdesk import api

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
]

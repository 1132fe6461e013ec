from django.urls import path

from klustera.facilities import api

api_urlpatterns = [
    path("facilities", api.FacilitiesView.as_view(), name="facilities"),
    path(
        "facilities/<int:pk>/availability",
        api.AvailabilityView.as_view(),
        name="facility-availability",
    ),
    path(
        "facilities/<int:pk>/bookings", api.FacilityBookingsView.as_view(), name="facility-bookings"
    ),
    path("bookings", api.BookingsView.as_view(), name="bookings"),
    path("bookings/<int:pk>/cancel", api.BookingCancelView.as_view(), name="booking-cancel"),
]

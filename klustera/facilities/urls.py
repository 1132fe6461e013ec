from django.urls import path

from klustera.facilities import api, views

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

urlpatterns = [
    path("facilities/", views.facilities_page, name="facilities-page"),
    path("facilities/<int:pk>/", views.facility_page, name="facility-page"),
    path("facilities/today/", views.day_ahead_page, name="bookings-day-ahead"),
    path("bookings/", views.my_bookings_page, name="bookings-page"),
    path("bookings/<int:pk>/", views.booking_page, name="booking-page"),
    path("bookings/<int:pk>/action", views.booking_action, name="booking-action"),
    path("manage/facilities/calendar/", views.calendar_page, name="facilities-calendar"),
]

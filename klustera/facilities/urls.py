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
    path("admin/facilities", api.AdminFacilitiesView.as_view(), name="admin-facilities"),
    path("admin/facilities/report", api.AdminReportView.as_view(), name="admin-facilities-report"),
    path("admin/facilities/holidays", api.AdminHolidaysView.as_view(), name="admin-holidays"),
    path(
        "admin/facilities/holidays/<int:pk>", api.AdminHolidayView.as_view(), name="admin-holiday"
    ),
    path(
        "admin/facilities/approvals",
        api.AdminApprovalsView.as_view(),
        name="admin-facilities-approvals",
    ),
    path("admin/facilities/<int:pk>", api.AdminFacilityView.as_view(), name="admin-facility"),
    path(
        "admin/facilities/<int:pk>/photos",
        api.AdminPhotosView.as_view(),
        name="admin-facility-photos",
    ),
    path(
        "admin/facilities/photos/<int:pk>",
        api.AdminPhotoView.as_view(),
        name="admin-facility-photo",
    ),
    path(
        "admin/facilities/<int:pk>/closures",
        api.AdminClosuresView.as_view(),
        name="admin-facility-closures",
    ),
    path(
        "admin/facilities/bookings/<int:pk>/decision",
        api.AdminDecisionView.as_view(),
        name="admin-booking-decision",
    ),
    path(
        "admin/facilities/bookings/<int:pk>/close",
        api.AdminCloseView.as_view(),
        name="admin-booking-close",
    ),
]

urlpatterns = [
    path("facilities/", views.facilities_page, name="facilities-page"),
    path("facilities/<int:pk>/", views.facility_page, name="facility-page"),
    path("facilities/today/", views.day_ahead_page, name="bookings-day-ahead"),
    path("bookings/", views.my_bookings_page, name="bookings-page"),
    path("bookings/<int:pk>/", views.booking_page, name="booking-page"),
    path("bookings/<int:pk>/action", views.booking_action, name="booking-action"),
    path("bookings/<int:pk>/booking.ics", views.booking_ics, name="booking-ics"),
    path("bookings/feed/<int:pk>/<str:token>.ics", views.bookings_feed, name="bookings-feed"),
    path("manage/facilities/calendar/", views.calendar_page, name="facilities-calendar"),
    path("manage/facilities/", views.manage_facilities_page, name="facilities-manage"),
    path("manage/facilities/new/", views.facility_edit_page, name="facility-new-page"),
    path("manage/facilities/<int:pk>/", views.facility_edit_page, name="facility-edit-page"),
    path(
        "manage/facilities/<int:pk>/closures",
        views.facility_closure_page,
        name="facility-closure-page",
    ),
    path("manage/facilities/report/", views.report_page, name="facilities-report"),
    path(
        "manage/facilities/<int:pk>/photos", views.facility_photos_page, name="facility-photos-page"
    ),
    path(
        "manage/facilities/photos/<int:pk>/remove",
        views.facility_photo_remove_page,
        name="facility-photo-remove-page",
    ),
    path("facilities/photos/<int:pk>", views.facility_photo, name="facility-photo"),
    path("manage/facilities/holidays", views.holidays_page, name="facility-holidays-page"),
]

from django.urls import path

from klustera.estate import api, views

api_urlpatterns = [
    path("auth/register", api.RegisterView.as_view(), name="auth-register"),
    path("admin/invitations", api.InvitationsView.as_view(), name="admin-invitations"),
    path(
        "admin/invitations/<int:pk>/resend",
        api.InvitationActionView.as_view(action="resend"),
        name="admin-invitation-resend",
    ),
    path(
        "admin/invitations/<int:pk>/revoke",
        api.InvitationActionView.as_view(action="revoke"),
        name="admin-invitation-revoke",
    ),
    path("units", api.UnitListView.as_view(), name="unit-list"),
    path("units/<int:pk>", api.UnitDetailView.as_view(), name="unit-detail"),
    path("admin/units", api.AdminUnitsView.as_view(), name="admin-units"),
    path("admin/units/export", api.ExportView.as_view(), name="admin-units-export"),
    path("admin/units/import", api.ImportView.as_view(), name="admin-units-import"),
    path("admin/units/<int:pk>", api.AdminUnitDetailView.as_view(), name="admin-unit-detail"),
    path("admin/units/<int:pk>/occupancies", api.MoveInView.as_view(), name="admin-move-in"),
    path("admin/units/<int:pk>/vehicles", api.VehiclesView.as_view(), name="admin-vehicles"),
    path("admin/occupancies/<int:pk>/move-out", api.MoveOutView.as_view(), name="admin-move-out"),
    path(
        "admin/occupancies/<int:pk>/billing-contact",
        api.BillingContactView.as_view(),
        name="admin-billing-contact",
    ),
    path("admin/vehicles/<int:pk>", api.VehicleDetailView.as_view(), name="admin-vehicle-detail"),
    path("admin/residents", api.AdminResidentsView.as_view(), name="admin-residents"),
    path(
        "admin/residents/<int:pk>",
        api.AdminResidentDetailView.as_view(),
        name="admin-resident-detail",
    ),
]

urlpatterns = [
    path("units/", views.my_units, name="my-units"),
    path("manage/units/new", views.unit_edit, name="unit-new-page"),
    path("manage/units/<int:pk>/", views.unit_page, name="unit-page"),
    path("manage/units/<int:pk>/edit", views.unit_edit, name="unit-edit-page"),
    path("manage/units/<int:pk>/move-in", views.unit_move_in, name="unit-move-in-page"),
    path("manage/units/<int:pk>/vehicles", views.unit_add_vehicle, name="unit-vehicle-page"),
    path("manage/stays/<int:pk>", views.stay_action, name="stay-action-page"),
    path("manage/vehicles/<int:pk>/remove", views.vehicle_remove, name="vehicle-remove-page"),
    path("manage/units/import", views.import_units, name="units-import-page"),
    path("manage/invitations/", views.invitations_page, name="invitations-page"),
    path(
        "manage/invitations/<int:pk>/action",
        views.invitation_action,
        name="invitation-action-page",
    ),
    path("register", views.register_page, name="register-page"),
]

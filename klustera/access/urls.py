from django.urls import path

from klustera.access import api, views

api_urlpatterns = [
    path("access/pass", api.PassView.as_view(), name="access-pass"),
    path("access/keys", api.KeysView.as_view(), name="access-keys"),
    path("access/offline-list", api.OfflineListView.as_view(), name="access-offline-list"),
    path("access/verify", api.VerifyView.as_view(), name="access-verify"),
    path("access/shift", api.ShiftView.as_view(), name="access-shift"),
    path("access/shift/options", api.ShiftOptionsView.as_view(), name="access-shift-options"),
    path("access/shift/resume", api.ShiftResumeView.as_view(), name="access-shift-resume"),
    path("admin/access/settings", api.GateSettingsView.as_view(), name="admin-gate-settings"),
    path("access/exit", api.ExitView.as_view(), name="access-exit"),
    path("access/inside", api.InsideView.as_view(), name="access-inside"),
    path("access/walk-ins", api.WalkInsView.as_view(), name="walk-ins"),
    path("access/walk-ins/<int:pk>/answer", api.WalkInAnswerView.as_view(), name="walk-in-answer"),
    path("access/parcels", api.ParcelsView.as_view(), name="parcels"),
    path("access/parcels/<int:pk>/pick-up", api.ParcelPickUpView.as_view(), name="parcel-pick-up"),
    path("access-codes/generate", api.GenerateCodeView.as_view(), name="access-code-generate"),
    path("guests", api.GuestsView.as_view(), name="guest-list"),
    path("guests/register", api.RegisterGuestView.as_view(), name="guest-register"),
    path("guests/<int:pk>/cancel", api.CancelGuestView.as_view(), name="guest-cancel"),
    path("admin/access-logs", api.AccessLogsView.as_view(), name="admin-access-logs"),
    path("admin/access-logs/export", api.AccessLogExportView.as_view(), name="admin-access-export"),
]

urlpatterns = [
    path("pass/", views.my_pass, name="my-pass"),
    path("pass/qr", views.my_pass_qr, name="my-pass-qr"),
    path("guests/", views.my_guests, name="my-guests"),
    path("guests/<int:pk>/cancel", views.my_guest_cancel, name="my-guest-cancel"),
    path("guests/<int:pk>/share", views.my_guest_share, name="my-guest-share"),
    path("guests/walk-ins/<int:pk>/answer", views.my_walk_in_answer, name="my-walk-in-answer"),
    path("manage/access-log/", views.access_log, name="access-log"),
    path("manage/access-log/gate-settings", views.gate_settings, name="gate-settings"),
    path("gate/", views.gate_mode, name="gate-mode"),
    path("gate/verify", views.gate_verify, name="gate-verify"),
    path("gate/activity", views.gate_activity, name="gate-activity"),
    path("gate/walk-in", views.gate_walk_in, name="gate-walk-in"),
    path("gate/parcels/", views.gate_parcels, name="gate-parcels"),
    path(
        "gate/parcels/<int:pk>/hand-over",
        views.gate_parcel_hand_over,
        name="gate-parcel-hand-over",
    ),
    path("gate/inside/", views.gate_inside, name="gate-inside"),
    path("gate/inside/<int:pk>/exit", views.gate_exit, name="gate-exit"),
    path(
        "gate/walk-ins/<int:pk>/decide",
        views.gate_walk_in_decide,
        name="gate-walk-in-decide",
    ),
]

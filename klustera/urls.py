from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from klustera.access import views as access_views
from klustera.access.urls import api_urlpatterns as access_api
from klustera.accounts import views as accounts_views
from klustera.accounts.urls import api_urlpatterns as accounts_api
from klustera.audit.api import AuditTrailView
from klustera.billing import views as billing_views
from klustera.billing.urls import api_urlpatterns as billing_api
from klustera.community import views as community_views
from klustera.community.urls import api_urlpatterns as community_api
from klustera.estate import views as estate_views
from klustera.estate.urls import api_urlpatterns as estate_api
from klustera.notifications import views as notifications_views
from klustera.notifications.urls import api_urlpatterns as notifications_api
from klustera.observability import views as observability
from klustera.payments import views as payments_views
from klustera.payments.urls import api_urlpatterns as payments_api
from klustera.portal import views as portal_views
from klustera.tenancy import views as tenancy_views

api_v1 = [
    *accounts_api,
    *estate_api,
    *billing_api,
    *payments_api,
    *access_api,
    *notifications_api,
    *community_api,
    path("admin/audit", AuditTrailView.as_view(), name="admin-audit"),
]

urlpatterns = [
    path("healthz", observability.healthz, name="healthz"),
    path("readyz", observability.readyz, name="readyz"),
    path("api/v1/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/v1/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("api/v1/", include(api_v1)),
    path("login", accounts_views.LoginView.as_view(), name="login"),
    path("login/code", accounts_views.code_login, name="login-code"),
    path("password/reset", accounts_views.password_reset, name="password-reset"),
    path("logout", auth_views.LogoutView.as_view(), name="logout"),
    path("language", accounts_views.choose_language, name="choose-language"),
    path("profile", accounts_views.profile_page, name="profile-page"),
    path("manage/notifications/", notifications_views.outbox, name="notifications-outbox"),
    path(
        "manage/notifications/<int:pk>/resend",
        notifications_views.resend,
        name="notifications-resend",
    ),
    path(
        "manage/notifications/settings",
        notifications_views.settings_page,
        name="notifications-settings",
    ),
    path("manage/notifications/test", notifications_views.send_test, name="notifications-test"),
    path("dashboard/live", portal_views.dashboard_live, name="dashboard-live"),
    path("invoices/", billing_views.invoice_list, name="invoices-page"),
    path("units/", estate_views.my_units, name="my-units"),
    path("announcements/", community_views.announcements, name="announcements-page"),
    path("manage/units/", portal_views.unit_list, name="units-page"),
    path("manage/units/new", estate_views.unit_edit, name="unit-new-page"),
    path("manage/units/<int:pk>/", estate_views.unit_page, name="unit-page"),
    path("manage/units/<int:pk>/edit", estate_views.unit_edit, name="unit-edit-page"),
    path("manage/units/<int:pk>/move-in", estate_views.unit_move_in, name="unit-move-in-page"),
    path("manage/units/<int:pk>/vehicles", estate_views.unit_add_vehicle, name="unit-vehicle-page"),
    path("manage/stays/<int:pk>", estate_views.stay_action, name="stay-action-page"),
    path(
        "manage/vehicles/<int:pk>/remove", estate_views.vehicle_remove, name="vehicle-remove-page"
    ),
    path("manage/units/import", estate_views.import_units, name="units-import-page"),
    path("manage/billing/", billing_views.billing_runs, name="billing-runs-page"),
    path("manage/tariffs/", billing_views.tariffs_page, name="tariffs-page"),
    path("manage/staff/", accounts_views.staff_page, name="staff-page"),
    path("manage/api-keys/", accounts_views.api_keys_page, name="api-keys-page"),
    path("manage/billing/runs/<int:pk>", billing_views.billing_run_page, name="billing-run-page"),
    path("invoices/<int:pk>/", billing_views.invoice_page, name="invoice-page"),
    path("invoices/<int:pk>/pdf", billing_views.invoice_pdf_page, name="invoice-pdf-page"),
    path("invoices/<int:pk>/pay", payments_views.invoice_pay, name="invoice-pay-page"),
    path("invoices/<int:pk>/action", billing_views.invoice_action, name="invoice-action"),
    path("payments/", payments_views.payment_list, name="payments-page"),
    path("payments/<int:pk>/receipt", payments_views.receipt_page, name="receipt-page"),
    path("manage/payments/", payments_views.manage_payments, name="manage-payments-page"),
    path(
        "manage/payments/proofs/<int:pk>/review", payments_views.review_proof, name="proof-review"
    ),
    path("manage/payments/proofs/<int:pk>/image", payments_views.proof_image, name="proof-image"),
    path("pass/", access_views.my_pass, name="my-pass"),
    path("pass/qr", access_views.my_pass_qr, name="my-pass-qr"),
    path("guests/", access_views.my_guests, name="my-guests"),
    path("guests/<int:pk>/cancel", access_views.my_guest_cancel, name="my-guest-cancel"),
    path("manage/access-log/", access_views.access_log, name="access-log"),
    path("gate/", access_views.gate_mode, name="gate-mode"),
    path("gate/verify", access_views.gate_verify, name="gate-verify"),
    path("gate/activity", access_views.gate_activity, name="gate-activity"),
    path(
        "gate/walk-ins/<int:pk>/decide",
        access_views.gate_walk_in_decide,
        name="gate-walk-in-decide",
    ),
    path("platform/", tenancy_views.platform_console, name="platform-console"),
    path(
        "platform/tenants/<slug:slug>",
        tenancy_views.platform_tenant_action,
        name="platform-tenant-action",
    ),
    path("", portal_views.home, name="home"),
]

handler400 = "klustera.views.bad_request"
handler404 = "klustera.views.not_found"
handler500 = "klustera.views.server_error"

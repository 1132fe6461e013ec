from django.urls import path

from klustera.billing import api, views

api_urlpatterns = [
    path("invoices", api.InvoiceListView.as_view(), name="invoice-list"),
    path("invoices/<int:pk>", api.InvoiceDetailView.as_view(), name="invoice-detail"),
    path("invoices/<int:pk>/pdf", api.InvoicePdfView.as_view(), name="invoice-pdf"),
    path("admin/invoices", api.AdminInvoiceListView.as_view(), name="admin-invoices"),
    path(
        "admin/invoices/remind-overdue",
        api.RemindOverdueView.as_view(),
        name="admin-remind-overdue",
    ),
    path(
        "admin/invoices/<int:pk>", api.AdminInvoiceDetailView.as_view(), name="admin-invoice-detail"
    ),
    path("admin/billing-runs", api.BillingRunsView.as_view(), name="admin-billing-runs"),
    path("admin/reports/<slug:name>", api.ReportView.as_view(), name="admin-report"),
    path("admin/tariffs", api.TariffsView.as_view(), name="admin-tariffs"),
    path("admin/tariffs/<int:pk>", api.TariffDetailView.as_view(), name="admin-tariff-detail"),
    path(
        "admin/tariffs/<int:pk>/change", api.TariffChangeView.as_view(), name="admin-tariff-change"
    ),
    path("admin/charges", api.OneOffChargesView.as_view(), name="admin-charges"),
    path(
        "admin/billing-settings", api.BillingSettingsView.as_view(), name="admin-billing-settings"
    ),
    path("units/<int:pk>/statement", api.StatementView.as_view(), name="unit-statement"),
]

urlpatterns = [
    path("invoices/", views.invoice_list, name="invoices-page"),
    path("manage/billing/", views.billing_runs, name="billing-runs-page"),
    path("manage/tariffs/", views.tariffs_page, name="tariffs-page"),
    path("manage/charges/", views.charges_page, name="charges-page"),
    path("manage/reports/", views.reports_page, name="reports-page"),
    path("manage/reports/<slug:name>", views.reports_page, name="report-page"),
    path("manage/remind-overdue", views.remind_overdue_page, name="remind-overdue-page"),
    path("manage/billing/settings", views.billing_settings_page, name="billing-settings-page"),
    path("manage/tariffs/<int:pk>/change", views.change_tariff_page, name="tariff-change-page"),
    path("manage/billing/runs/<int:pk>", views.billing_run_page, name="billing-run-page"),
    path("invoices/<int:pk>/", views.invoice_page, name="invoice-page"),
    path("invoices/<int:pk>/pdf", views.invoice_pdf_page, name="invoice-pdf-page"),
    path("invoices/<int:pk>/action", views.invoice_action, name="invoice-action"),
]

from django.urls import path

from klustera.billing import api

api_urlpatterns = [
    path("invoices", api.InvoiceListView.as_view(), name="invoice-list"),
    path("invoices/<int:pk>", api.InvoiceDetailView.as_view(), name="invoice-detail"),
    path("admin/invoices", api.AdminInvoiceListView.as_view(), name="admin-invoices"),
    path("admin/billing-runs", api.BillingRunsView.as_view(), name="admin-billing-runs"),
]

from django.urls import path

from klustera.payments import api

api_urlpatterns = [
    path("payments", api.PaymentListView.as_view(), name="payment-list"),
    path("payments/<int:pk>/receipt", api.ReceiptPdfView.as_view(), name="payment-receipt"),
    path("admin/payments", api.AdminPaymentsView.as_view(), name="admin-payments"),
]

from django.urls import path

from klustera.payments import api, views

api_urlpatterns = [
    path("payments", api.PaymentListView.as_view(), name="payment-list"),
    path("payments/<int:pk>/receipt", api.ReceiptPdfView.as_view(), name="payment-receipt"),
    path("admin/payments", api.AdminPaymentsView.as_view(), name="admin-payments"),
    path(
        "admin/payments/<int:pk>/reverse",
        api.ReversePaymentView.as_view(),
        name="admin-payment-reverse",
    ),
    path("admin/refunds", api.RefundsView.as_view(), name="admin-refunds"),
    path("payments/transfer-proofs", api.TransferProofsView.as_view(), name="transfer-proofs"),
    path(
        "admin/transfer-proofs", api.AdminTransferProofsView.as_view(), name="admin-transfer-proofs"
    ),
    path(
        "admin/transfer-proofs/<int:pk>/review",
        api.AdminTransferProofReviewView.as_view(),
        name="admin-transfer-proof-review",
    ),
    path("invoices/<int:pk>/pay", api.PayView.as_view(), name="invoice-pay"),
    path("bookings/<int:pk>/pay", api.BookingPayView.as_view(), name="booking-pay"),
    path(
        "units/<int:pk>/virtual-account",
        api.VirtualAccountView.as_view(),
        name="unit-virtual-account",
    ),
    path("payments/xendit/callback", api.XenditCallbackView.as_view(), name="xendit-callback"),
    path("admin/payments/xendit", api.XenditAccountView.as_view(), name="admin-xendit"),
    path("admin/payment-attempts", api.AttemptsView.as_view(), name="admin-payment-attempts"),
]

urlpatterns = [
    path("invoices/<int:pk>/pay", views.invoice_pay, name="invoice-pay-page"),
    path("payments/<int:pk>/reverse", views.reverse_payment_page, name="payment-reverse-page"),
    path("manage/payments/refund", views.refund_page, name="refund-page"),
    path("account/", views.my_account, name="my-account"),
    path("manage/payments/xendit", views.xendit_settings_page, name="xendit-settings-page"),
    path(
        "invoices/<int:pk>/payment-outcome",
        views.payment_outcome,
        name="invoice-payment-outcome",
    ),
    path("payments/", views.payment_list, name="payments-page"),
    path("payments/<int:pk>/receipt", views.receipt_page, name="receipt-page"),
    path("manage/payments/", views.manage_payments, name="manage-payments-page"),
    path("manage/payments/proofs/<int:pk>/review", views.review_proof, name="proof-review"),
    path("manage/payments/proofs/<int:pk>/image", views.proof_image, name="proof-image"),
]

"""Portal pages of payments: the payment history and its receipts."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from klustera.billing.documents import receipt_pdf
from klustera.billing.views import pdf_response
from klustera.payments.selectors import payments_visible_to


@login_required
@require_GET
def payment_list(request: HttpRequest) -> HttpResponse:
    payments = payments_visible_to(request.user).order_by("-paid_at", "-pk")
    page = Paginator(payments, 20).get_page(request.GET.get("page"))
    return render(request, "payments/payment_list.html", {"page": page})


@login_required
@require_GET
def receipt_page(request: HttpRequest, pk: int) -> HttpResponse:
    payment = get_object_or_404(payments_visible_to(request.user), pk=pk)
    return pdf_response(receipt_pdf(payment), payment.receipt_number)

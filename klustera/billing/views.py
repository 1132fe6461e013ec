"""Portal pages of billing: a resident's invoice (the target of the QR on the PDF)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from klustera.billing.documents import invoice_pdf
from klustera.billing.models import Invoice
from klustera.billing.selectors import invoices_visible_to


def pdf_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename.replace("/", "-")}.pdf"'
    return response


@login_required
def invoice_page(request: HttpRequest, pk: int) -> HttpResponse:
    invoice = get_object_or_404(invoices_visible_to(request.user), pk=pk)
    return render(request, "billing/invoice_page.html", {"invoice": invoice})


@login_required
def invoice_pdf_page(request: HttpRequest, pk: int) -> HttpResponse:
    invoice: Invoice = get_object_or_404(invoices_visible_to(request.user), pk=pk)
    return pdf_response(invoice_pdf(invoice), invoice.number)

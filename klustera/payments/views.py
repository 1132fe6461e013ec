"""Portal pages of payments: the history and receipts; manual payments and proofs for managers."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_POST

from klustera.api import user_of
from klustera.billing.documents import receipt_pdf
from klustera.billing.models import Payment
from klustera.billing.selectors import (
    access_invoice,
    access_payment,
    amount_owed,
    payments_visible_to,
    statement,
)
from klustera.billing.services import record_payment, refund_credit, reverse_payment
from klustera.billing.views import pdf_response
from klustera.estate.forms import UnitField
from klustera.estate.models import Unit
from klustera.estate.selectors import units_visible_to
from klustera.formatting import rupiah
from klustera.forms import WriteOnlySecrets
from klustera.money import RupiahField
from klustera.paging import paginate
from klustera.payments.models import (
    PaymentAttempt,
    TransferProof,
    UnitVirtualAccount,
)
from klustera.payments.selectors import latest_attempt
from klustera.payments.services import (
    GatewayUnavailable,
    open_virtual_account,
    review_transfer_proof,
    start_payment,
    submit_transfer_proof,
    update_xendit_account,
    xendit_account,
)
from klustera.payments.xendit import CHANNELS
from klustera.permissions import manager_required
from klustera.roles import is_manager
from klustera.tenancy.links import tenant_url
from klustera.uploads import check_photo


@login_required
@require_GET
def payment_list(request: HttpRequest) -> HttpResponse:
    payments = (
        payments_visible_to(request.user)
        .select_related("unit", "reversal")
        .prefetch_related("allocations__invoice")
        .order_by("-paid_at", "-pk")
    )
    listed = paginate(
        request, payments, sorts={"date": ("paid_at",), "amount": ("amount", "paid_at")}
    )
    return render(
        request, "payments/payment_list.html", {**listed, "manages": is_manager(request.user)}
    )


@manager_required
@require_POST
def reverse_payment_page(request: HttpRequest, pk: int) -> HttpResponse:
    """Undo a payment (a bounced transfer, money booked to the wrong unit), with the reason."""
    payment = get_object_or_404(Payment, pk=pk)
    try:
        reverse_payment(
            payment=payment, reason=request.POST.get("reason", "")[:300], actor=user_of(request)
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            _("Payment %(receipt)s is reversed; what it paid is open again.")
            % {"receipt": payment.receipt_number},
        )
    return redirect("payments-page")


@login_required
@require_GET
def receipt_page(request: HttpRequest, pk: int) -> HttpResponse:
    payment = access_payment(request.user, pk)
    return pdf_response(receipt_pdf(payment), payment.receipt_number)


class ManualPaymentForm(forms.Form):
    unit = UnitField(help_text=_("Type to search, e.g. A-01; the list shows what each unit owes."))
    amount = RupiahField(label=_("Amount (Rp)"), min_value=1, decimal_places=0)
    method = forms.ChoiceField(
        label=_("Method"),
        choices=[(m.value, m.label) for m in (Payment.Method.CASH, Payment.Method.BANK_TRANSFER)],
    )
    paid_on = forms.DateField(
        label=_("Paid on"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    reference = forms.CharField(label=_("Reference"), max_length=100, required=False)
    proof = forms.ImageField(label=_("Photo of the slip"), required=False)

    def clean_proof(self) -> object:
        proof = self.cleaned_data.get("proof")
        return check_photo(proof) if proof else None


class RefundForm(forms.Form):
    unit = UnitField()
    amount = RupiahField(label=_("Amount (Rp)"), min_value=1, decimal_places=0)
    method = ManualPaymentForm.base_fields["method"]
    reason = forms.CharField(label=_("Reason"), max_length=300)


@manager_required
@require_POST
def refund_page(request: HttpRequest) -> HttpResponse:
    """Pay a unit's credit back (money paid and not needed for any invoice)."""
    form = RefundForm(request.POST, prefix="refund")
    if form.is_valid():
        try:
            refund = refund_credit(actor=user_of(request), **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(
                request,
                _("%(amount)s refunded to %(unit)s.")
                % {"amount": rupiah(refund.amount), "unit": refund.unit},
            )
            return redirect("manage-payments-page")
    messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
    return redirect("manage-payments-page")


@manager_required
def manage_payments(request: HttpRequest) -> HttpResponse:
    """Record a cash or transfer payment, and review residents' transfer proofs."""
    form = ManualPaymentForm(
        request.POST or None, request.FILES or None, initial={"paid_on": timezone.localdate()}
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        paid_at = timezone.make_aware(datetime.combine(data["paid_on"], time(12)))
        try:
            payment = record_payment(
                unit=data["unit"],
                amount=data["amount"],
                method=data["method"],
                paid_at=paid_at,
                reference=data["reference"],
                proof=data["proof"],
                actor=user_of(request),
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(
                request,
                _("Payment %(receipt)s recorded for %(unit)s.")
                % {"receipt": payment.receipt_number, "unit": payment.unit},
            )
            return redirect("manage-payments-page")
    proofs = TransferProof.objects.select_related("unit", "submitted_by").filter(
        status=TransferProof.Status.PENDING
    )
    flagged = PaymentAttempt.objects.select_related("invoice__unit").filter(needs_review=True)
    units = Unit.objects.annotate(owed=amount_owed()).order_by("block", "number")
    return render(
        request,
        "payments/manage.html",
        {
            "form": form,
            "refund_form": RefundForm(prefix="refund"),
            "proofs": proofs,
            "flagged": flagged[:20],
            "units": units,
        },
    )


@manager_required
@require_POST
def review_proof(request: HttpRequest, pk: int) -> HttpResponse:
    proof = get_object_or_404(TransferProof, pk=pk)
    approve = request.POST.get("approve") == "1"
    try:
        review_transfer_proof(
            proof=proof,
            actor=user_of(request),
            approve=approve,
            reason=request.POST.get("reason", "")[:300],
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Transfer booked.") if approve else _("Proof rejected."))
    return redirect("manage-payments-page")


@manager_required
@require_GET
def proof_image(request: HttpRequest, pk: int) -> FileResponse:
    proof = get_object_or_404(TransferProof, pk=pk)
    try:
        return FileResponse(proof.image.open("rb"))
    except FileNotFoundError:  # the row outlived its file (a restore without media)
        raise Http404 from None


@login_required
@require_GET
def payment_outcome(request: HttpRequest, pk: int) -> HttpResponse:
    """What became of the latest online payment of an invoice, back from the checkout.

    Polled by the invoice page while the payment waits for its callback; once it is
    paid the page reloads with the good news, and a failure or an expiry is said.
    """
    invoice = access_invoice(request.user, pk)
    attempt = latest_attempt(invoice)
    paid = attempt is not None and attempt.status == PaymentAttempt.Status.PAID
    if paid or not invoice.balance_due:
        messages.success(request, _("Payment received, thank you. The receipt is below."))
        response = HttpResponse(status=204)
        response["HX-Redirect"] = reverse("invoice-page", args=[invoice.pk])
        return response
    return render(
        request,
        "payments/_payment_outcome.html",
        {
            "invoice": invoice,
            "attempt": attempt,
            "returned_unpaid": request.GET.get("returned") == "0",
        },
    )


@login_required
@require_POST
def invoice_pay(request: HttpRequest, pk: int) -> HttpResponse:
    """The Pay button: on to Xendit's checkout (the live one, if there is one)."""
    invoice = access_invoice(request.user, pk)
    try:
        attempt = start_payment(invoice=invoice, user=request.user)  # type: ignore[arg-type]
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    except GatewayUnavailable:
        messages.error(
            request, _("The payment service cannot be reached; nothing was charged. Try again.")
        )
    else:
        if attempt.checkout_url:
            return redirect(attempt.checkout_url)
        messages.info(request, _("A payment is being prepared; try again in a moment."))
    return redirect("invoice-page", pk=invoice.pk)


# --- The resident's account: where to pay, transfer proofs, the statement ---------------


class TransferProofForm(forms.Form):
    amount = RupiahField(label=_("Amount transferred (Rp)"), min_value=1, decimal_places=0)
    transferred_on = forms.DateField(
        label=_("Transferred on"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    bank = forms.CharField(label=_("From (bank and account name)"), max_length=60, required=False)
    image = forms.ImageField(
        label=_("Photo or screenshot of the transfer"),
        widget=forms.ClearableFileInput(attrs={"accept": "image/*"}),
    )

    def clean_image(self) -> object:
        return check_photo(self.cleaned_data["image"])


@login_required
def my_account(request: HttpRequest) -> HttpResponse:
    """A unit's money for the people who live there: its virtual account and how to pay, a
    transfer proof to send and the answers to earlier ones, and the statement of account."""
    user = user_of(request)
    units = list(units_visible_to(user).order_by("block", "number"))
    chosen = request.GET.get("unit") or request.POST.get("unit")
    if is_manager(user) and not chosen:
        units = units[:0]  # managers come to a unit's account from its page
    unit = next((u for u in units if str(u.pk) == chosen), units[0] if units else None)
    if unit is None:
        return render(request, "payments/account.html", {"units": units})
    if request.method == "POST" and "open_bank" in request.POST:
        return _open_virtual_account(request, unit)
    form = TransferProofForm(
        request.POST or None,
        request.FILES or None,
        initial={"transferred_on": timezone.localdate()},
    )
    if request.method == "POST" and form.is_valid():
        try:
            submit_transfer_proof(unit=unit, user=user, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Proof sent; the management office checks it soon."))
            return redirect(f"{reverse('my-account')}?unit={unit.pk}")
    start = timezone.localdate().replace(day=1) - timedelta(days=365)
    return render(
        request,
        "payments/account.html",
        {
            "units": units,
            "unit": unit,
            "form": form,
            "virtual_account": UnitVirtualAccount.objects.filter(unit=unit).first(),
            "proofs": TransferProof.objects.filter(unit=unit).order_by("-created_at")[:10],
            "statement": statement(unit, start=start.replace(day=1)),
            "manages": is_manager(user),
            "banks": [c for c in CHANNELS if c.endswith("_VIRTUAL_ACCOUNT")],
        },
    )


def _open_virtual_account(request: HttpRequest, unit: Unit) -> HttpResponse:
    """A manager opens the unit's own virtual account at a bank (Xendit)."""
    back = redirect(f"{reverse('my-account')}?unit={unit.pk}")
    if not is_manager(request.user):
        raise PermissionDenied
    try:
        account = open_virtual_account(
            unit=unit, bank=request.POST.get("open_bank", ""), actor=user_of(request)
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    except GatewayUnavailable:
        messages.error(request, _("The payment service cannot be reached. Try again."))
    else:
        messages.success(
            request, _("Virtual account %(number)s opened.") % {"number": account.number}
        )
    return back


# --- The complex's Xendit connection ---------------------------------------------------


class XenditForm(WriteOnlySecrets):
    secret_fields = ("secret_key", "callback_token")

    secret_key = forms.CharField(
        label=_("Xendit secret key"),
        required=False,
        max_length=200,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
    )
    callback_token = forms.CharField(
        label=_("Callback verification token"),
        required=False,
        max_length=200,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
    )
    for_user_id = forms.CharField(
        label=_("xenPlatform sub-account ID (optional)"), required=False, max_length=64
    )
    channels = forms.MultipleChoiceField(
        label=_("Ways to pay offered"),
        choices=[(c, c.replace("_VIRTUAL_ACCOUNT", " VA").replace("_", " ")) for c in CHANNELS],
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("None ticked: all of them."),
    )
    allow_partial = forms.BooleanField(
        label=_("Residents may pay part of an invoice"), required=False
    )


@manager_required
def xendit_settings_page(request: HttpRequest) -> HttpResponse:
    """The complex's Xendit keys (write-only), the callback URL to enter at Xendit, the
    channels offered and whether partial payments are allowed."""
    account = xendit_account()
    initial = {
        "for_user_id": account.for_user_id,
        "channels": account.channels,
        "allow_partial": account.allow_partial,
    }
    form = XenditForm(request.POST or None, initial=initial, stored=account)
    if request.method == "POST" and form.is_valid():
        update_xendit_account(changes=form.changes(), actor=user_of(request))
        messages.success(request, _("Online payment settings saved."))
        return redirect("xendit-settings-page")
    return render(
        request,
        "payments/xendit_settings.html",
        {
            "form": form,
            "callback_url": tenant_url("xendit-callback"),
            "connected": bool(account.secret_key),
        },
    )

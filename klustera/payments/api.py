"""Payment endpoints: residents' payment history, managers' manual payments."""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import NotAuthenticated, PermissionDenied
from rest_framework.generics import ListAPIView
from rest_framework.parsers import JSONParser, MultiPartParser
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from klustera.api import (
    Conflict,
    DayField,
    FilterChoice,
    IdField,
    MomentField,
    RejectUnknownFields,
    call_service,
    error_response,
    ok,
    user_of,
    validated,
)
from klustera.billing.documents import receipt_pdf
from klustera.billing.models import Allocation, Invoice, Payment, Refund
from klustera.billing.selectors import (
    access_invoice,
    access_payment,
    payments_visible_to,
)
from klustera.billing.services import record_payment, refund_credit, reverse_payment
from klustera.billing.views import pdf_response
from klustera.estate.models import Unit
from klustera.estate.selectors import access_unit
from klustera.facilities.selectors import bookings_visible_to
from klustera.filtering import FilteredListView
from klustera.payments.models import (
    PaymentAttempt,
    TransferProof,
    UnitVirtualAccount,
    XenditAccount,
)
from klustera.payments.services import (
    GatewayUnavailable,
    open_virtual_account,
    receive_callback,
    review_transfer_proof,
    start_payment,
    submit_transfer_proof,
    update_xendit_account,
    xendit_account,
)
from klustera.payments.xendit import CHANNELS
from klustera.permissions import IsPropertyManager
from klustera.roles import is_manager
from klustera.tenancy.links import tenant_url
from klustera.tenancy.security import report
from klustera.uploads import check_photo


class AllocationSerializer(serializers.ModelSerializer):
    invoice_number = serializers.CharField(source="invoice.number")

    class Meta:
        model = Allocation
        fields = ["invoice", "invoice_number", "amount"]


class PaymentSerializer(serializers.ModelSerializer):
    unit_label = serializers.CharField(source="unit.__str__", read_only=True)
    allocations = AllocationSerializer(many=True, read_only=True)
    reversed_because = serializers.SerializerMethodField()

    def get_reversed_because(self, payment: Payment) -> str | None:
        reversal = getattr(payment, "reversal", None)
        return reversal.reason if reversal else None

    class Meta:
        model = Payment
        fields = [
            "id",
            "receipt_number",
            "unit",
            "unit_label",
            "amount",
            "method",
            "channel",
            "reference",
            "paid_at",
            "note",
            "allocations",
            "reversed_because",
        ]


class PaymentFilters(serializers.Serializer):
    unit = IdField(required=False)


class PaymentListView(FilteredListView):
    """A resident's payments (a manager's: all of them), newest first."""

    serializer_class = PaymentSerializer
    filter_serializer = PaymentFilters

    def get_queryset(self):
        payments = payments_visible_to(self.request.user).select_related("reversal")
        return payments.filter(**{f"{name}_id": pk for name, pk in self.filters.items()})


class ReceiptPdfView(APIView):
    """The receipt of a payment as a PDF."""

    @extend_schema(responses={(200, "application/pdf"): OpenApiTypes.BINARY})
    def get(self, request: Request, pk: int) -> HttpResponse:
        payment = access_payment(request.user, pk)
        return pdf_response(receipt_pdf(payment), payment.receipt_number)


class ManualPaymentSerializer(RejectUnknownFields, serializers.Serializer):
    unit = serializers.PrimaryKeyRelatedField(queryset=Unit.objects.none())
    amount = serializers.DecimalField(max_digits=14, decimal_places=0)
    method = serializers.ChoiceField([Payment.Method.CASH, Payment.Method.BANK_TRANSFER])
    paid_at = MomentField(required=False)
    reference = serializers.CharField(max_length=100, required=False, allow_blank=True)
    note = serializers.CharField(max_length=300, required=False, allow_blank=True)
    proof = serializers.ImageField(required=False, help_text="a photo of the slip (multipart)")

    def validate_proof(self, image: Any) -> Any:
        return check_photo(image)

    def get_fields(self) -> dict[str, Any]:
        fields = super().get_fields()
        fields["unit"].queryset = Unit.objects.all()  # type: ignore[attr-defined]
        return fields


class AdminPaymentsView(PaymentListView):
    permission_classes = [IsPropertyManager]
    parser_classes = [JSONParser, MultiPartParser]

    @extend_schema(request=ManualPaymentSerializer, responses={201: PaymentSerializer})
    def post(self, request: Request) -> Response:
        """Record cash or a bank transfer received by the management office."""
        data = validated(ManualPaymentSerializer, request)
        payment = call_service(record_payment, actor=user_of(request), **data)
        return ok(PaymentSerializer(payment).data, status=status.HTTP_201_CREATED)


# --- Online payments --------------------------------------------------------------------


class PayRequest(RejectUnknownFields, serializers.Serializer):
    amount = serializers.DecimalField(
        max_digits=14, decimal_places=0, required=False, help_text="partial payments only"
    )
    kind = serializers.ChoiceField(
        PaymentAttempt.Kind.choices,
        default=PaymentAttempt.Kind.CHECKOUT,
        help_text="checkout: Xendit's hosted page; qris: a QR string to show on our page",
    )


class AttemptSerializer(serializers.ModelSerializer):
    invoice_number = serializers.CharField(source="invoice.number", read_only=True)

    class Meta:
        model = PaymentAttempt
        fields = [
            "id",
            "invoice",
            "invoice_number",
            "kind",
            "amount",
            "status",
            "checkout_url",
            "qr_string",
            "expires_at",
            "created_at",
            "settled_at",
            "needs_review",
            "review_reason",
        ]


class PayView(APIView):
    """Start paying an invoice: the checkout URL (a live one is reused, never a second charge)."""

    @extend_schema(request=PayRequest, responses={201: AttemptSerializer})
    def post(self, request: Request, pk: int) -> HttpResponse:
        invoice = access_invoice(request.user, pk)
        data = validated(PayRequest, request)
        return _start(request, invoice, data.get("amount"), data["kind"])


class BookingPayRequest(RejectUnknownFields, serializers.Serializer):
    kind = serializers.ChoiceField(
        PaymentAttempt.Kind.choices,
        default=PaymentAttempt.Kind.CHECKOUT,
        help_text="checkout: Xendit's hosted page; qris: a QR string to show on our page",
    )


class BookingPayView(APIView):
    """Pay a booking's fee and deposit (its invoice) while its time is held; the checkout
    ends with the hold (409 ``booking_hold_ended`` after it)."""

    @extend_schema(request=BookingPayRequest, responses={201: AttemptSerializer})
    def post(self, request: Request, pk: int) -> HttpResponse:
        booking = get_object_or_404(bookings_visible_to(request.user), pk=pk)
        data = validated(BookingPayRequest, request)
        if booking.invoice is None:
            raise Conflict(
                gettext("This booking has nothing to pay now."),
                details={"codes": {"detail": ["booking_not_payable"]}},
            )
        return _start(request, booking.invoice, None, data["kind"])


def _start(request: Request, invoice: Invoice, amount: Any, kind: str) -> HttpResponse:
    try:
        attempt = call_service(
            start_payment, invoice=invoice, user=user_of(request), amount=amount, kind=kind
        )
    except GatewayUnavailable:
        return error_response(
            "GATEWAY_UNAVAILABLE",
            gettext("The payment service cannot be reached; nothing was charged. Try again."),
            status=status.HTTP_503_SERVICE_UNAVAILABLE,
        )
    if attempt.status == PaymentAttempt.Status.CREATING:
        raise Conflict(gettext("A payment is being prepared; try again in a moment."))
    return ok(AttemptSerializer(attempt).data, status=status.HTTP_201_CREATED)


class XenditCallbackView(APIView):
    """Xendit's callbacks, verified by the complex's callback token (``x-callback-token``)."""

    authentication_classes: list[Any] = []
    permission_classes = [AllowAny]
    throttle_classes: list[Any] = []
    rate_limit_exempt = True  # verified by token; Xendit retries in bursts
    parser_classes = [JSONParser]

    @extend_schema(request=OpenApiTypes.OBJECT, responses={200: OpenApiTypes.OBJECT}, auth=[])
    def post(self, request: Request) -> Response:
        event = call_service(
            receive_callback,
            token=request.headers.get("x-callback-token", ""),
            body=request.body,
        )
        if event is None:
            report("forged_callback", request=request, detail="xendit: wrong callback token")
            raise NotAuthenticated(gettext("Invalid callback token."))
        return ok({"received": event.pk})


class XenditAccountSerializer(RejectUnknownFields, serializers.ModelSerializer):
    secret_key = serializers.CharField(write_only=True, required=False, allow_blank=True)
    callback_token = serializers.CharField(write_only=True, required=False, allow_blank=True)
    channels = serializers.ListField(
        child=serializers.ChoiceField(CHANNELS), required=False, max_length=len(CHANNELS)
    )

    class Meta:
        model = XenditAccount
        fields = ["secret_key", "callback_token", "for_user_id", "channels", "allow_partial"]

    def to_representation(self, instance: XenditAccount) -> dict[str, Any]:
        data = super().to_representation(instance)
        data["secret_key_set"] = bool(instance.secret_key)  # secrets are never shown again
        data["callback_token_set"] = bool(instance.callback_token)
        data["callback_url"] = tenant_url("xendit-callback")
        return data


class XenditAccountView(APIView):
    permission_classes = [IsPropertyManager]

    @extend_schema(responses={200: XenditAccountSerializer})
    def get(self, request: Request) -> Response:
        return ok(XenditAccountSerializer(xendit_account()).data)

    @extend_schema(request=XenditAccountSerializer, responses={200: XenditAccountSerializer})
    def patch(self, request: Request) -> Response:
        serializer = XenditAccountSerializer(xendit_account(), data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        account = update_xendit_account(
            changes=dict(serializer.validated_data), actor=user_of(request)
        )
        return ok(XenditAccountSerializer(account).data, message=gettext("Settings saved."))


class AttemptFilters(serializers.Serializer):
    needs_review = serializers.BooleanField(required=False, help_text="amount mismatches")
    status = FilterChoice(PaymentAttempt.Status.choices)


class AttemptsView(FilteredListView):
    """Online payment attempts, newest first; ``?needs_review=1`` lists amount mismatches."""

    serializer_class = AttemptSerializer
    permission_classes = [IsPropertyManager]
    filter_serializer = AttemptFilters

    def get_queryset(self):
        return PaymentAttempt.objects.select_related("invoice").filter(**self.filters)


class VirtualAccountSerializer(serializers.ModelSerializer):
    unit_label = serializers.CharField(source="unit.__str__", read_only=True)

    class Meta:
        model = UnitVirtualAccount
        fields = ["unit", "unit_label", "bank", "number", "created_at"]


class OpenVirtualAccountRequest(RejectUnknownFields, serializers.Serializer):
    bank = serializers.ChoiceField([c for c in CHANNELS if c.endswith("_VIRTUAL_ACCOUNT")])


class VirtualAccountView(APIView):
    """A unit's own virtual account: residents of the unit read it, managers open it."""

    @extend_schema(responses={200: VirtualAccountSerializer})
    def get(self, request: Request, pk: int) -> Response:
        unit = access_unit(user_of(request), pk)
        account = get_object_or_404(UnitVirtualAccount, unit=unit)
        return ok(VirtualAccountSerializer(account).data)

    @extend_schema(request=OpenVirtualAccountRequest, responses={201: VirtualAccountSerializer})
    def post(self, request: Request, pk: int) -> HttpResponse:
        if not is_manager(request.user):
            raise PermissionDenied
        unit = get_object_or_404(Unit, pk=pk)
        data = validated(OpenVirtualAccountRequest, request)
        try:
            account = call_service(
                open_virtual_account, unit=unit, bank=data["bank"], actor=user_of(request)
            )
        except GatewayUnavailable:
            return error_response(
                "GATEWAY_UNAVAILABLE",
                gettext("The payment service cannot be reached. Try again."),
                status=status.HTTP_503_SERVICE_UNAVAILABLE,
            )
        return ok(VirtualAccountSerializer(account).data, status=status.HTTP_201_CREATED)


# --- Transfer proofs -------------------------------------------------------------------


class TransferProofSerializer(serializers.ModelSerializer):
    unit_label = serializers.CharField(source="unit.__str__", read_only=True)
    receipt_number = serializers.CharField(
        source="payment.receipt_number", read_only=True, allow_null=True
    )

    class Meta:
        model = TransferProof
        fields = [
            "id",
            "unit",
            "unit_label",
            "amount",
            "transferred_on",
            "bank",
            "status",
            "reason",
            "submitted_at",
            "reviewed_at",
            "receipt_number",
        ]


class NewTransferProof(RejectUnknownFields, serializers.Serializer):
    unit = IdField()
    amount = serializers.DecimalField(max_digits=14, decimal_places=0)
    transferred_on = DayField()
    bank = serializers.CharField(max_length=60, required=False, allow_blank=True)
    image = serializers.ImageField()

    def validate_image(self, image: Any) -> Any:
        return check_photo(image)


class TransferProofsView(ListAPIView):
    """A resident's transfer proofs; ``POST`` sends a new one (multipart, with the photo)."""

    serializer_class = TransferProofSerializer
    parser_classes = [MultiPartParser]

    def get_queryset(self):
        return TransferProof.objects.filter(submitted_by=user_of(self.request)).select_related(
            "unit", "payment"
        )

    @extend_schema(
        request={"multipart/form-data": NewTransferProof},
        responses={201: TransferProofSerializer},
    )
    def post(self, request: Request) -> Response:
        data = validated(NewTransferProof, request)
        unit = access_unit(user_of(request), data.pop("unit"))
        proof = call_service(submit_transfer_proof, unit=unit, user=user_of(request), **data)
        return ok(TransferProofSerializer(proof).data, status=status.HTTP_201_CREATED)


class ProofFilters(serializers.Serializer):
    status = FilterChoice(TransferProof.Status.choices)


class AdminTransferProofsView(FilteredListView):
    """Transfer proofs to review, oldest waiting first with ``?status=pending``."""

    serializer_class = TransferProofSerializer
    permission_classes = [IsPropertyManager]
    filter_serializer = ProofFilters

    def get_queryset(self):
        proofs = TransferProof.objects.select_related("unit", "payment")
        if "status" in self.filters:
            return proofs.filter(**self.filters).order_by("submitted_at")
        return proofs


class ReviewRequest(RejectUnknownFields, serializers.Serializer):
    approve = serializers.BooleanField()
    reason = serializers.CharField(max_length=300, required=False, allow_blank=True)


class AdminTransferProofReviewView(APIView):
    permission_classes = [IsPropertyManager]

    @extend_schema(request=ReviewRequest, responses={200: TransferProofSerializer})
    def post(self, request: Request, pk: int) -> Response:
        proof = get_object_or_404(TransferProof, pk=pk)
        data = validated(ReviewRequest, request)
        reviewed = call_service(review_transfer_proof, proof=proof, actor=user_of(request), **data)
        return ok(TransferProofSerializer(reviewed).data)


# --- Reversals and refunds -------------------------------------------------------------


class ReasonRequest(RejectUnknownFields, serializers.Serializer):
    reason = serializers.CharField(max_length=300)


class ReversePaymentView(APIView):
    """Reverse a payment (a bounced transfer, the wrong unit): an entry of its own."""

    permission_classes = [IsPropertyManager]

    @extend_schema(request=ReasonRequest, responses={200: PaymentSerializer})
    def post(self, request: Request, pk: int) -> Response:
        payment = get_object_or_404(Payment.objects.select_related("unit"), pk=pk)
        data = validated(ReasonRequest, request)
        call_service(
            reverse_payment, payment=payment, reason=data["reason"], actor=user_of(request)
        )
        return ok(PaymentSerializer(Payment.objects.get(pk=payment.pk)).data)


class RefundSerializer(serializers.ModelSerializer):
    unit_label = serializers.CharField(source="unit.__str__", read_only=True)

    class Meta:
        model = Refund
        fields = [
            "id",
            "unit",
            "unit_label",
            "amount",
            "method",
            "reference",
            "reason",
            "created_at",
        ]


class NewRefund(RejectUnknownFields, serializers.Serializer):
    unit = serializers.PrimaryKeyRelatedField(queryset=Unit.objects.none())
    amount = serializers.DecimalField(max_digits=14, decimal_places=0)
    method = serializers.ChoiceField([Payment.Method.CASH, Payment.Method.BANK_TRANSFER])
    reference = serializers.CharField(max_length=100, required=False, allow_blank=True)
    reason = serializers.CharField(max_length=300)

    def get_fields(self) -> dict[str, Any]:
        fields = super().get_fields()
        fields["unit"].queryset = Unit.objects.all()  # type: ignore[attr-defined]
        return fields


class RefundsView(ListAPIView):
    """Credit paid back to residents."""

    serializer_class = RefundSerializer
    permission_classes = [IsPropertyManager]

    def get_queryset(self):
        return Refund.objects.select_related("unit")

    @extend_schema(request=NewRefund, responses={201: RefundSerializer})
    def post(self, request: Request) -> Response:
        data = validated(NewRefund, request)
        refund = call_service(refund_credit, actor=user_of(request), **data)
        return ok(RefundSerializer(refund).data, status=status.HTTP_201_CREATED)

"""Tariffs, invoices and billing runs of a complex. Money is whole Rupiah in Decimal."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from klustera.estate.models import Unit
from klustera.tenancy.files import private_upload
from klustera.timestamps import Timestamped


class BillingSettings(Timestamped):
    """How the complex bills (one row)."""

    invoice_prefix = models.CharField(
        max_length=10,
        default="INV",
        # Part of every document number, and so of PDF file names and URLs.
        validators=[
            RegexValidator(r"^[A-Z0-9-]+$", _("Use capital letters, digits and hyphens only."))
        ],
    )
    due_day = models.PositiveSmallIntegerField(default=10)  # day of the billed month
    tax_enabled = models.BooleanField(default=False)
    tax_label = models.CharField(max_length=30, default="PPN")
    tax_rate = models.DecimalField(max_digits=5, decimal_places=2, default=Decimal("12.00"))
    # PMK 131/2024: 12% on a base of 11/12 of the price for non-luxury services.
    tax_base_percent = models.DecimalField(
        max_digits=6, decimal_places=3, default=Decimal("91.667")
    )

    class LateFee(models.TextChoices):
        NONE = "none", _("No late fee")
        FLAT = "flat", _("A flat amount per month late")
        PERCENT = "percent", _("A percentage of the bill per month late")

    grace_days = models.PositiveSmallIntegerField(default=0)
    late_fee = models.CharField(max_length=10, choices=LateFee.choices, default=LateFee.NONE)
    late_fee_value = models.DecimalField(max_digits=14, decimal_places=2, default=Decimal(0))
    # The most a single invoice can accumulate in late fees (empty: no cap).
    late_fee_cap = models.DecimalField(max_digits=14, decimal_places=0, null=True, blank=True)
    # The day of the month the next month's invoices are issued by themselves (empty: by hand).
    run_day = models.PositiveSmallIntegerField(null=True, blank=True)
    remind_days_before = models.PositiveSmallIntegerField(default=3)  # 0: no reminder
    remind_days_after = models.PositiveSmallIntegerField(default=3)  # 0: no reminder
    logo = models.ImageField(upload_to=private_upload, blank=True)
    address = models.TextField(max_length=300, blank=True)  # the complex's, on every document
    payment_instructions = models.TextField(blank=True)  # printed on every invoice

    def __str__(self) -> str:
        return "billing settings"

    @classmethod
    def current(cls) -> BillingSettings:
        """The complex's settings (the defaults until a manager changes them)."""
        return cls.objects.get_or_create(pk=1)[0]


class Tariff(Timestamped):
    """A monthly charge and how it is computed, from a month on (until a month, or open)."""

    class Basis(models.TextChoices):
        FLAT = "flat", _("Flat per unit")
        LAND_AREA = "land_area", _("Per m² of land")
        BUILDING_AREA = "building_area", _("Per m² of building")

    charge = models.CharField(_("charge"), max_length=60)  # e.g. "IPL", "Air", "Sampah"
    basis = models.CharField(max_length=20, choices=Basis.choices, default=Basis.FLAT)
    rate = models.DecimalField(max_digits=14, decimal_places=2)  # Rupiah, or Rupiah per m²
    unit_type = models.CharField(max_length=10, choices=Unit.Type.choices, blank=True)  # "": all
    is_taxable = models.BooleanField(default=True)
    effective_from = models.DateField()  # first day of a month
    effective_to = models.DateField(null=True, blank=True)  # first day of the last month

    class Meta:
        ordering = ["charge", "unit_type", "effective_from"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(rate__gte=0), name="tariff_rate_not_negative"
            ),
            models.CheckConstraint(
                condition=models.Q(effective_to__isnull=True)
                | models.Q(effective_to__gte=models.F("effective_from")),
                name="tariff_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.charge} ({self.basis}) from {self.effective_from:%Y-%m}"


class Invoice(Timestamped):
    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        PARTIALLY_PAID = "partially_paid", _("Partially paid")
        PAID = "paid", _("Paid")
        OVERDUE = "overdue", _("Overdue")
        CANCELLED = "cancelled", _("Cancelled")

    class Kind(models.TextChoices):
        MONTHLY = "monthly", _("Monthly bill")
        CHARGE = "charge", _("One-off charge")  # a facility booking, a cancellation fee

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="invoices")
    # One monthly bill per unit and month; charges of their own come whenever they are owed.
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.MONTHLY)
    period = models.DateField()  # the first day of the billed month (a charge's: its month)
    number = models.CharField(max_length=40, unique=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    due_on = models.DateField()
    subtotal = models.DecimalField(max_digits=14, decimal_places=0)
    tax = models.DecimalField(max_digits=14, decimal_places=0, default=Decimal(0))
    total = models.DecimalField(max_digits=14, decimal_places=0)
    # Payments and credit applied to it (see Allocation); kept in step by the ledger alone.
    amount_paid = models.DecimalField(max_digits=14, decimal_places=0, default=Decimal(0))
    paid_at = models.DateTimeField(null=True, blank=True)
    issued_at = models.DateTimeField(default=timezone.now)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancel_reason = models.CharField(max_length=300, blank=True)
    pdf = models.FileField(blank=True)  # emptied on every change, rendered again on the queue

    class Meta:
        ordering = ["-period", "number"]
        constraints = [
            # A cancelled invoice frees its month: the unit can be billed again.
            models.UniqueConstraint(
                fields=["unit", "period"],
                condition=~models.Q(status="cancelled") & models.Q(kind="monthly"),
                name="invoice_one_per_unit_period",
            ),
            models.CheckConstraint(
                condition=models.Q(total__gte=0), name="invoice_total_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def balance_due(self) -> Decimal:
        if self.status == self.Status.CANCELLED:
            return Decimal(0)
        return self.total - self.amount_paid


# Invoices that still wait for money (late fees, reminders and payments apply to them).
OPEN_STATUSES = (Invoice.Status.PENDING, Invoice.Status.PARTIALLY_PAID, Invoice.Status.OVERDUE)


class InvoiceLine(Timestamped):
    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="lines")
    description = models.CharField(max_length=200)
    quantity = models.DecimalField(max_digits=10, decimal_places=2, default=Decimal(1))
    unit_price = models.DecimalField(max_digits=14, decimal_places=2)
    amount = models.DecimalField(max_digits=14, decimal_places=0)
    is_tax = models.BooleanField(default=False)
    late_fee_number = models.PositiveSmallIntegerField(null=True, blank=True)  # 1st, 2nd … month

    class Meta:
        ordering = ["is_tax", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["invoice", "late_fee_number"],
                condition=models.Q(late_fee_number__isnull=False),
                name="invoice_line_one_late_fee_per_month",
            )
        ]

    def __str__(self) -> str:
        return f"{self.description}: {self.amount}"


class OneOffCharge(Timestamped):
    """A charge to one unit for one month (a repair, a key card), billed with that month."""

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="one_off_charges")
    period = models.DateField()
    description = models.CharField(max_length=200)
    amount = models.DecimalField(max_digits=14, decimal_places=0)
    is_taxable = models.BooleanField(default=False)
    invoice = models.ForeignKey(
        Invoice, null=True, blank=True, on_delete=models.SET_NULL, related_name="one_off_charges"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-period", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount__gt=0), name="one_off_charge_amount_positive"
            )
        ]

    def __str__(self) -> str:
        return f"{self.description}: {self.amount}"


class NumberSequence(Timestamped):
    """The last number used per kind (invoice, receipt) and year: gapless, never reused."""

    kind = models.CharField(max_length=10, default="invoice")
    year = models.PositiveSmallIntegerField()
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["kind", "year"], name="number_sequence_kind_year")
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.year}: {self.last_number}"


class BillingRun(Timestamped):
    period = models.DateField()
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    units = models.PositiveIntegerField(default=0)  # to bill in this run: progress is done/units
    created = models.PositiveIntegerField(default=0)
    skipped = models.PositiveIntegerField(default=0)
    failed = models.PositiveIntegerField(default=0)
    failures = models.JSONField(default=list)  # [{"unit": "A-01", "error": "…"}]

    class Meta:
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"run {self.period:%Y-%m}: {self.created} created"


# --- The ledger: money received for a unit, and how it settles the unit's invoices ---------
#
# A payment belongs to a unit, not to one invoice: it is allocated to the unit's open
# invoices, oldest first. What is not allocated is the unit's credit, applied to the next
# invoice when it is issued. The tables keep the names they had in ``payments``.


class Payment(Timestamped):
    class Method(models.TextChoices):
        CASH = "cash", _("Cash")
        BANK_TRANSFER = "bank_transfer", _("Bank transfer")
        QRIS = "qris", _("QRIS")
        VIRTUAL_ACCOUNT = "virtual_account", _("Virtual account")
        EWALLET = "ewallet", _("E-wallet")

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="payments")
    amount = models.DecimalField(max_digits=14, decimal_places=0)
    method = models.CharField(max_length=20, choices=Method.choices)
    channel = models.CharField(max_length=30, blank=True)  # BCA, OVO, …
    reference = models.CharField(max_length=100, blank=True)  # the bank's or gateway's id
    receipt_number = models.CharField(max_length=40, unique=True)
    paid_at = models.DateTimeField()
    note = models.CharField(max_length=300, blank=True)
    # Xendit's payment id: a payment arrives once, however often the callback does.
    gateway_payment_id = models.CharField(max_length=100, blank=True)
    # The invoice the payer meant (a checkout's): settled first, before older ones.
    for_invoice = models.ForeignKey(
        Invoice, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    receipt_pdf = models.FileField(blank=True)
    proof = models.ImageField(upload_to=private_upload, blank=True)  # a photo of the slip
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        db_table = "payments_payment"
        ordering = ["-paid_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount__gt=0), name="payment_amount_positive"
            ),
            models.UniqueConstraint(
                fields=["gateway_payment_id"],
                condition=~models.Q(gateway_payment_id=""),
                name="payment_gateway_id_once",
            ),
        ]

    def __str__(self) -> str:
        return self.receipt_number

    @property
    def time_known(self) -> bool:
        """Online payments carry their moment; cash and transfers booked by hand only a day."""
        return self.method not in (self.Method.CASH, self.Method.BANK_TRANSFER)

    @property
    def method_label(self) -> str:
        """``Virtual account · BCA``, ``E-wallet · OVO``, ``QRIS``: as people name them."""
        code = self.channel.upper().removesuffix("_VIRTUAL_ACCOUNT").removeprefix("ID_")
        method = str(self.get_method_display())
        if not code or code == self.method.upper():
            return method
        return f"{method} · {CHANNEL_NAMES.get(code, code.replace('_', ' '))}"


# Channels whose name is not simply their code in capitals (Xendit's codes).
CHANNEL_NAMES = {
    "SHOPEEPAY": "ShopeePay",
    "LINKAJA": "LinkAja",
    "ASTRAPAY": "AstraPay",
    "JENIUSPAY": "Jenius Pay",
    "NEXCASH": "Nex Cash",
    "MANDIRI": "Mandiri",
    "PERMATA": "Permata",
    "CIMB": "CIMB Niaga",
    "BSS": "Bank Sahabat Sampoerna",
}


class Allocation(Timestamped):
    """The part of a payment that settles one invoice."""

    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="allocations")
    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="allocations")
    amount = models.DecimalField(max_digits=14, decimal_places=0)
    # No longer in force: its payment was reversed, or its invoice released.
    reversed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "payments_allocation"
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount__gt=0), name="allocation_amount_positive"
            )
        ]

    def __str__(self) -> str:
        return f"{self.amount} of {self.payment_id} to {self.invoice_id}"


class Reversal(Timestamped):
    """A payment undone (a bounced transfer, money booked to the wrong unit): its own entry.

    The payment is never edited or deleted; what it paid is reopened.
    """

    payment = models.OneToOneField(Payment, on_delete=models.PROTECT, related_name="reversal")
    reason = models.CharField(max_length=300)
    reversed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        db_table = "payments_reversal"

    def __str__(self) -> str:
        return f"reversal of {self.payment_id}"


class Refund(Timestamped):
    """Credit paid back to a resident (an overpayment, a unit sold): its own entry."""

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="refunds")
    amount = models.DecimalField(max_digits=14, decimal_places=0)
    method = models.CharField(max_length=20, choices=Payment.Method.choices)
    reference = models.CharField(max_length=100, blank=True)
    reason = models.CharField(max_length=300)
    refunded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        db_table = "payments_refund"
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="refund_amount_positive")
        ]

    def __str__(self) -> str:
        return f"refund {self.amount} to {self.unit_id}"

"""Billing owns the ledger: payments, allocations, reversals and refunds, in their old tables."""

import django.db.models.deletion
import klustera.tenancy.files
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("payments", "0005_attempt_points_at_payment"),
        ("billing", "0007_invoice_prefix_characters"),
        ("estate", "0004_resident_unique_phone"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        # The tables stay where they are; only the models' owner changes.
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Payment",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("amount", models.DecimalField(decimal_places=0, max_digits=14)),
                        (
                            "method",
                            models.CharField(
                                choices=[
                                    ("cash", "Cash"),
                                    ("bank_transfer", "Bank transfer"),
                                    ("qris", "QRIS"),
                                    ("virtual_account", "Virtual account"),
                                    ("ewallet", "E-wallet"),
                                ],
                                max_length=20,
                            ),
                        ),
                        ("channel", models.CharField(blank=True, max_length=30)),
                        ("reference", models.CharField(blank=True, max_length=100)),
                        ("receipt_number", models.CharField(max_length=40, unique=True)),
                        ("paid_at", models.DateTimeField()),
                        ("note", models.CharField(blank=True, max_length=300)),
                        ("gateway_payment_id", models.CharField(blank=True, max_length=100)),
                        ("receipt_pdf", models.FileField(blank=True, upload_to="")),
                        (
                            "proof",
                            models.ImageField(
                                blank=True, upload_to=klustera.tenancy.files.private_upload
                            ),
                        ),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        (
                            "recorded_by",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "unit",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="payments",
                                to="estate.unit",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "payments_payment",
                        "ordering": ["-paid_at", "-pk"],
                    },
                ),
                migrations.CreateModel(
                    name="Allocation",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("amount", models.DecimalField(decimal_places=0, max_digits=14)),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        ("reversed_at", models.DateTimeField(blank=True, null=True)),
                        (
                            "invoice",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="allocations",
                                to="billing.invoice",
                            ),
                        ),
                        (
                            "payment",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="allocations",
                                to="billing.payment",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "payments_allocation",
                        "ordering": ["pk"],
                    },
                ),
                migrations.CreateModel(
                    name="Refund",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("amount", models.DecimalField(decimal_places=0, max_digits=14)),
                        (
                            "method",
                            models.CharField(
                                choices=[
                                    ("cash", "Cash"),
                                    ("bank_transfer", "Bank transfer"),
                                    ("qris", "QRIS"),
                                    ("virtual_account", "Virtual account"),
                                    ("ewallet", "E-wallet"),
                                ],
                                max_length=20,
                            ),
                        ),
                        ("reference", models.CharField(blank=True, max_length=100)),
                        ("reason", models.CharField(max_length=300)),
                        ("created_at", models.DateTimeField()),
                        (
                            "refunded_by",
                            models.ForeignKey(
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "unit",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="refunds",
                                to="estate.unit",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "payments_refund",
                        "ordering": ["-created_at"],
                    },
                ),
                migrations.CreateModel(
                    name="Reversal",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("reason", models.CharField(max_length=300)),
                        ("created_at", models.DateTimeField()),
                        (
                            "payment",
                            models.OneToOneField(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="reversal",
                                to="billing.payment",
                            ),
                        ),
                        (
                            "reversed_by",
                            models.ForeignKey(
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "db_table": "payments_reversal",
                    },
                ),
                migrations.AddConstraint(
                    model_name="payment",
                    constraint=models.CheckConstraint(
                        condition=models.Q(("amount__gt", 0)), name="payment_amount_positive"
                    ),
                ),
                migrations.AddConstraint(
                    model_name="payment",
                    constraint=models.UniqueConstraint(
                        condition=models.Q(("gateway_payment_id", ""), _negated=True),
                        fields=("gateway_payment_id",),
                        name="payment_gateway_id_once",
                    ),
                ),
                migrations.AddConstraint(
                    model_name="allocation",
                    constraint=models.CheckConstraint(
                        condition=models.Q(("amount__gt", 0)), name="allocation_amount_positive"
                    ),
                ),
                migrations.AddConstraint(
                    model_name="refund",
                    constraint=models.CheckConstraint(
                        condition=models.Q(("amount__gt", 0)), name="refund_amount_positive"
                    ),
                ),
            ],
            database_operations=[],
        ),
    ]

"""The ledger's models now belong to billing; the gateway's tables point at billing.Payment."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("billing", "0008_ledger_from_payments"),
        ("payments", "0005_attempt_points_at_payment"),
    ]

    operations = [
        # The tables stay where they are; only the models' owner changes.
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveField(
                    model_name="payment",
                    name="recorded_by",
                ),
                migrations.RemoveField(
                    model_name="payment",
                    name="unit",
                ),
                migrations.AlterField(
                    model_name="transferproof",
                    name="payment",
                    field=models.OneToOneField(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="transfer_proof",
                        to="billing.payment",
                    ),
                ),
                migrations.RemoveField(
                    model_name="reversal",
                    name="payment",
                ),
                migrations.AlterField(
                    model_name="paymentattempt",
                    name="payment",
                    field=models.OneToOneField(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="attempt",
                        to="billing.payment",
                    ),
                ),
                migrations.RemoveField(
                    model_name="refund",
                    name="refunded_by",
                ),
                migrations.RemoveField(
                    model_name="refund",
                    name="unit",
                ),
                migrations.RemoveField(
                    model_name="reversal",
                    name="reversed_by",
                ),
                migrations.DeleteModel(
                    name="Allocation",
                ),
                migrations.DeleteModel(
                    name="Payment",
                ),
                migrations.DeleteModel(
                    name="Refund",
                ),
                migrations.DeleteModel(
                    name="Reversal",
                ),
            ],
            database_operations=[],
        ),
    ]

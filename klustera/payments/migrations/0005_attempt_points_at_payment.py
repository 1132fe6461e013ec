"""The attempt names the payment it booked, instead of the payment naming its attempt.

The first step of moving the ledger (payments, allocations, reversals, refunds)
to billing: the ledger must not point at the gateway's tables.
"""

import django.db.models.deletion
from django.db import migrations, models


def copy_links(apps, schema_editor):
    Payment = apps.get_model("payments", "Payment")
    PaymentAttempt = apps.get_model("payments", "PaymentAttempt")
    for payment_id, attempt_id in Payment.objects.filter(attempt__isnull=False).values_list(
        "pk", "attempt_id"
    ):
        PaymentAttempt.objects.filter(pk=attempt_id).update(payment_id=payment_id)


def copy_links_back(apps, schema_editor):
    Payment = apps.get_model("payments", "Payment")
    PaymentAttempt = apps.get_model("payments", "PaymentAttempt")
    for attempt_id, payment_id in PaymentAttempt.objects.filter(payment__isnull=False).values_list(
        "pk", "payment_id"
    ):
        Payment.objects.filter(pk=payment_id).update(attempt_id=attempt_id)


class Migration(migrations.Migration):
    dependencies = [
        ("payments", "0004_reversals_and_refunds"),
    ]

    operations = [
        migrations.AddField(
            model_name="paymentattempt",
            name="payment",
            field=models.OneToOneField(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to="payments.payment",
            ),
        ),
        migrations.RunPython(copy_links, copy_links_back),
        migrations.RemoveField(model_name="payment", name="attempt"),
    ]

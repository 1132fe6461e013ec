"""Daily billing jobs, fanned out over every active complex."""

from __future__ import annotations

from huey import crontab

from klustera.billing import documents, services
from klustera.billing.models import Invoice
from klustera.payments.models import Payment
from klustera.tasks import periodic_task, tenant_task
from klustera.tenancy.context import tenant_context
from klustera.tenancy.models import Tenant


@tenant_task("billing")
def run_daily_billing() -> dict[str, object]:
    return services.run_daily()


# 01:05 WIB, 02:05 WITA, 03:05 WIT: after midnight in every Indonesian zone (cron is in UTC).
@periodic_task("default", crontab(hour="18", minute="5"))
def daily_billing() -> int:
    """Enqueue each active complex's scheduled run, late fees and reminders (billing queue)."""
    tenants = Tenant.objects.filter(status=Tenant.Status.ACTIVE)
    for tenant in tenants:
        with tenant_context(tenant):
            run_daily_billing()
    return tenants.count()


@tenant_task("billing")
def render_invoice_pdf(invoice_id: int) -> str:
    """Render and store an invoice's PDF (queued on every change of the invoice)."""
    invoice = Invoice.objects.select_related("unit").get(pk=invoice_id)
    return documents.store_invoice_pdf(invoice)


@tenant_task("billing")
def render_receipt_pdf(payment_id: int) -> str:
    payment = Payment.objects.select_related("unit").get(pk=payment_id)
    return documents.store_receipt_pdf(payment)

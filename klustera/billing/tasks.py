"""Daily billing jobs, fanned out over every active complex."""

from __future__ import annotations

from huey import crontab

from klustera.billing import documents, services
from klustera.billing.models import BillingRun, Invoice, Payment
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
def run_billing(run_id: int) -> int:
    """A run started from the portal; the page follows its progress."""
    run = BillingRun.objects.get(pk=run_id)
    return services.generate_invoices(period=run.period, actor=run.started_by, run=run).created


@tenant_task("documents")
def render_invoice_pdfs(invoice_ids: list[int]) -> int:
    """Render and store invoices' PDFs (queued on every change of an invoice)."""
    invoices = Invoice.objects.select_related("unit").filter(pk__in=invoice_ids, pdf="")
    for invoice in invoices:
        documents.store_invoice_pdf(invoice)
    return len(invoices)


@tenant_task("billing")
def announce_invoices(invoice_ids: list[int]) -> int:
    return services.announce_invoices(invoice_ids)


@tenant_task("documents")
def render_receipt_pdf(payment_id: int) -> str:
    payment = Payment.objects.select_related("unit").get(pk=payment_id)
    return documents.store_receipt_pdf(payment)

"""Billing runs: every unit's invoice for a month, exactly once, and the daily work."""

from __future__ import annotations

from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.utils import timezone
from django.utils.translation import gettext as _

from klustera.accounts.models import User
from klustera.audit.services import record
from klustera.billing.models import (
    BillingRun,
    BillingSettings,
    Invoice,
    OneOffCharge,
)
from klustera.billing.selectors import tariffs_for
from klustera.billing.services.invoicing import (
    Charge,
    charges_for,
    issue_invoice,
    issue_invoices,
)
from klustera.billing.services.late_fees import charge_late_fees
from klustera.billing.services.reminders import send_reminders
from klustera.estate.models import Unit
from klustera.tasks import enqueue

BATCH = 250  # invoices per transaction in a run


def start_billing_run(*, period: date, actor: User) -> BillingRun:
    """A run recorded now and done on the billing queue; its progress shows on the run."""
    run = BillingRun.objects.create(period=period, started_by=actor)
    record(actor=actor, action="billing.run_started", target=run, period=f"{period:%Y-%m}")
    enqueue("klustera.billing.tasks.run_billing", run.pk)
    return run


def generate_invoices(
    *, period: date, actor: User | None = None, run: BillingRun | None = None
) -> BillingRun:
    """Bill every unit for ``period``; running again creates nothing new.

    Units are billed in batches, each batch one transaction. A unit that
    already has its invoice is skipped: the database's unique constraint
    decides, so two runs at once cannot both bill it (a batch that meets
    another run's invoice is retried unit by unit). A unit that cannot be
    billed is reported and the others go on.
    """
    config = BillingSettings.current()
    tariffs = tariffs_for(period)
    run = run or BillingRun.objects.create(period=period, started_by=actor)
    billed = set(
        Invoice.objects.filter(period=period, kind=Invoice.Kind.MONTHLY)
        .exclude(status=Invoice.Status.CANCELLED)
        .values_list("unit_id", flat=True)
    )
    with_extras = set(
        OneOffCharge.objects.filter(period=period, invoice__isnull=True).values_list(
            "unit_id", flat=True
        )
    )
    bills: list[tuple[Unit, list[Charge]]] = []
    units = list(Unit.objects.order_by("block", "number"))
    run.units = len(units)
    for unit in units:
        if unit.pk in billed:
            run.skipped += 1
            continue
        try:
            charges = charges_for(unit, tariffs)
            if not charges and unit.pk not in with_extras:
                raise ValidationError(
                    _("No tariff applies to this unit."), code="no_tariff_for_unit"
                )
        except ValidationError as exc:
            _report_failure(run, unit, exc)
        else:
            bills.append((unit, charges))
    run.save(update_fields=["units", "skipped", "failed", "failures"])  # progress starts here
    for start in range(0, len(bills), BATCH):
        batch = bills[start : start + BATCH]
        try:
            issue_invoices(bills=batch, period=period, config=config)
        except (IntegrityError, ValidationError):
            for unit, charges in batch:  # another run was here, or one unit is at fault
                try:
                    issue_invoice(unit=unit, period=period, charges=charges, config=config)
                except IntegrityError:
                    run.skipped += 1
                except ValidationError as exc:
                    _report_failure(run, unit, exc)
                else:
                    run.created += 1
        else:
            run.created += len(batch)
        run.save(update_fields=["units", "created", "skipped", "failed"])  # the progress so far
    run.finished_at = timezone.now()
    run.save()
    record(
        actor=actor,
        action="billing.run",
        target=run,
        period=f"{period:%Y-%m}",
        created=run.created,
        skipped=run.skipped,
        failed=run.failed,
    )
    return run


def _report_failure(run: BillingRun, unit: Unit, exc: ValidationError) -> None:
    run.failed += 1
    run.failures.append({"unit": str(unit), "error": " ".join(exc.messages)})


def scheduled_period(*, today: date, config: BillingSettings) -> date | None:
    """The month the scheduled run bills today, or None when no run is due.

    From the run day on, the month whose due date comes next (this month while
    its due day is ahead, otherwise next month), once: a month that already
    had a run is never billed again by the schedule.
    """
    if config.run_day is None or today.day < config.run_day:
        return None
    if today.day <= config.due_day:
        period = today.replace(day=1)
    else:
        period = (today.replace(day=1) + timedelta(days=32)).replace(day=1)
    if BillingRun.objects.filter(period=period).exists():
        return None
    return period


def run_daily(*, today: date | None = None) -> dict[str, object]:
    """The complex's daily billing work: the scheduled run, late fees, reminders."""
    today = today or timezone.localdate()
    config = BillingSettings.current()
    period = scheduled_period(today=today, config=config)
    run = generate_invoices(period=period) if period else None
    return {
        "run": run.created if run else None,
        **charge_late_fees(today=today),
        **send_reminders(today=today),
    }

"""What a complex charges: tariffs, one-off charges and its billing settings."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import cast

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext as _

from klustera.accounts.models import User
from klustera.audit.services import record
from klustera.billing.models import (
    BillingSettings,
    Invoice,
    OneOffCharge,
    Tariff,
)
from klustera.billing.services.invoicing import HUNDRED
from klustera.errors import StateConflict
from klustera.estate.models import Unit
from klustera.tenancy.context import tenant_atomic

MAX_AMOUNT = Decimal("100000000")  # Rp 100 juta a month for one charge: more is a typing error


def check_amount(amount: Decimal, field: str = "amount") -> None:
    """Refuse negative, zero, fractional-Rupiah and absurd amounts."""
    if amount <= 0 or amount > MAX_AMOUNT:
        raise ValidationError({field: [_("Enter an amount between Rp 1 and Rp 100.000.000.")]})


def save_tariff(*, actor: User, tariff: Tariff | None = None, **fields: object) -> Tariff:
    """Create or change a tariff; two tariffs for the same charge and unit type never overlap."""
    tariff = tariff or Tariff()
    for name, value in fields.items():
        setattr(tariff, name, value)
    if tariff.rate < 0 or tariff.rate > MAX_AMOUNT:
        raise ValidationError({"rate": [_("Enter a rate between Rp 0 and Rp 100.000.000.")]})
    if tariff.effective_to is not None and tariff.effective_to < tariff.effective_from:
        raise ValidationError({"effective_to": [_("A tariff cannot end before it starts.")]})
    with tenant_atomic():
        overlapping = (
            Tariff.objects.select_for_update()
            .filter(charge__iexact=tariff.charge, unit_type=tariff.unit_type)
            .exclude(pk=tariff.pk)
            .exclude(effective_to__lt=tariff.effective_from)
        )
        if tariff.effective_to is not None:
            overlapping = overlapping.exclude(effective_from__gt=tariff.effective_to)
        clash = overlapping.first()
        if clash is not None:
            raise StateConflict(
                {
                    "effective_from": [
                        _(
                            "It overlaps the tariff %(charge)s from %(start)s; end that one "
                            "first (set its last month)."
                        )
                        % {"charge": clash.charge, "start": f"{clash.effective_from:%Y-%m}"}
                    ]
                },
                code="tariff_overlaps",
            )
        created = tariff.pk is None
        tariff.save()
        record(
            actor=actor,
            action="tariff.created" if created else "tariff.changed",
            target=tariff,
            charge=tariff.charge,
            basis=tariff.basis,
            rate=str(tariff.rate),
            unit_type=tariff.unit_type,
            effective_from=f"{tariff.effective_from:%Y-%m}",
            effective_to=f"{tariff.effective_to:%Y-%m}" if tariff.effective_to else None,
        )
    return tariff


def change_tariff(
    *, tariff: Tariff, from_month: date, rate: Decimal | None, actor: User
) -> Tariff | None:
    """End ``tariff`` before ``from_month``; with a ``rate``, go on from then at that rate.

    Both happen together or not at all. Months already billed keep their invoices; the
    change applies from the next billing run of ``from_month`` or later. Returns the new
    tariff, or None when the tariff only ends.
    """
    from_month = from_month.replace(day=1)
    if from_month <= tariff.effective_from:
        message = _("Choose a month after the tariff starts (%(start)s).") % {
            "start": f"{tariff.effective_from:%Y-%m}"
        }
        raise ValidationError(
            {"from_month": ValidationError(message, code="tariff_change_too_early")}
        )
    if tariff.effective_to is not None and from_month > tariff.effective_to:
        message = _("The tariff already ends in %(end)s.") % {"end": f"{tariff.effective_to:%Y-%m}"}
        raise ValidationError({"from_month": ValidationError(message, code="tariff_already_ended")})
    last_month = (from_month - timedelta(days=1)).replace(day=1)
    with tenant_atomic():
        ends_on = tariff.effective_to
        save_tariff(actor=actor, tariff=tariff, effective_to=last_month)
        if rate is None:
            return None
        return save_tariff(
            actor=actor,
            charge=tariff.charge,
            basis=tariff.basis,
            unit_type=tariff.unit_type,
            is_taxable=tariff.is_taxable,
            rate=rate,
            effective_from=from_month,
            effective_to=ends_on,
        )


def add_one_off_charges(
    *,
    units: list[Unit],
    period: date,
    description: str,
    amount: Decimal,
    is_taxable: bool = False,
    actor: User | None,
) -> list[OneOffCharge]:
    """Charge the chosen units once, on their invoice for ``period``; all of them or none.

    A unit already billed for that month is refused (choose the next month).
    """
    check_amount(amount)
    if amount != amount.to_integral_value():
        raise ValidationError({"amount": [_("Enter a whole amount of Rupiah.")]})
    if not units:
        raise ValidationError({"units": [_("Choose at least one unit.")]})
    with tenant_atomic():
        billed = (
            Invoice.objects.filter(unit__in=units, period=period, kind=Invoice.Kind.MONTHLY)
            .exclude(status=Invoice.Status.CANCELLED)
            .select_related("unit")
        )
        if billed:
            raise ValidationError(
                {
                    "units": [
                        _("Already billed for %(period)s: %(units)s. Choose the next month.")
                        % {
                            "period": f"{period:%Y-%m}",
                            "units": ", ".join(sorted(str(i.unit) for i in billed)),
                        }
                    ]
                }
            )
        charges = OneOffCharge.objects.bulk_create(
            OneOffCharge(
                unit=unit,
                period=period,
                description=description.strip(),
                amount=amount,
                is_taxable=is_taxable,
                created_by=actor,
            )
            for unit in units
        )
        record(
            actor=actor,
            action="billing.one_off_charge",
            description=description,
            amount=str(amount),
            period=f"{period:%Y-%m}",
            units=[str(unit) for unit in units],
        )
    return charges


SETTINGS_FIELDS = (  # in the order the settings page shows them
    "address",
    "logo",
    "invoice_prefix",
    "due_day",
    "run_day",
    "tax_enabled",
    "tax_label",
    "tax_rate",
    "tax_base_percent",
    "grace_days",
    "late_fee",
    "late_fee_value",
    "late_fee_cap",
    "remind_days_before",
    "remind_days_after",
    "payment_instructions",
)


def update_billing_settings(*, changes: dict[str, object], actor: User) -> BillingSettings:
    """Change how the complex bills; audited with the old and new values."""
    with tenant_atomic():
        config = BillingSettings.objects.select_for_update().get_or_create(pk=1)[0]
        before = {name: str(getattr(config, name)) for name in changes}
        for name, value in changes.items():
            setattr(config, name, value)
        for name in changes:  # the model's own rules (the prefix's characters, choices …)
            try:
                field = cast(models.Field, BillingSettings._meta.get_field(name))
                setattr(config, name, field.clean(getattr(config, name), config))
            except ValidationError as exc:
                raise ValidationError({name: exc.messages}) from exc
        if config.late_fee == BillingSettings.LateFee.PERCENT and config.late_fee_value > HUNDRED:
            raise ValidationError(
                {"late_fee_value": [_("A percentage late fee cannot exceed 100%.")]}
            )
        config.save()
        record(
            actor=actor,
            action="billing.settings_changed",
            target=config,
            changes={
                name: [before[name], str(getattr(config, name))]
                for name in changes
                if before[name] != str(getattr(config, name))
            },
        )
    return config

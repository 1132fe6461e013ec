"""Factories of billing: tariffs. Invoices and payments come from the services that make them."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from klustera.billing.models import Tariff
from tests.factories import TenantModelFactory


class TariffFactory(TenantModelFactory):
    """The monthly IPL at a flat Rp 250.000 from January 2026."""

    class Meta:
        model = Tariff

    charge = "IPL"
    rate = Decimal("250000")
    effective_from = date(2026, 1, 1)

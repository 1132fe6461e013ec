"""The platform's own records (platform database)."""

from __future__ import annotations

from django.db import models

from klustera.tenancy.models import Tenant
from klustera.timestamps import Timestamped


class DailyFigures(Timestamped):
    """The figures across complexes as the day's digest saw them: what tomorrow's digest and
    next week's summary compare against."""

    day = models.DateField(unique=True)  # in the platform's time zone
    active = models.PositiveIntegerField()  # complexes served
    units = models.PositiveIntegerField()
    mrr = models.DecimalField(max_digits=16, decimal_places=2)
    billed = models.DecimalField(max_digits=16, decimal_places=2)  # this month, all complexes
    paid = models.DecimalField(max_digits=16, decimal_places=2)

    class Meta:
        ordering = ["-day"]

    def __str__(self) -> str:
        return f"{self.day}: {self.active} complexes, MRR {self.mrr}"


class ComplexUsage(Timestamped):
    """A complex's figures as the count every 5 minutes last found them (``updated_at``): what
    the console shows, so that a page view opens no complex's database."""

    tenant = models.OneToOneField(Tenant, on_delete=models.CASCADE, related_name="usage")
    units = models.PositiveIntegerField(default=0)
    billed = models.DecimalField(max_digits=16, decimal_places=2, default=0)  # this month
    paid = models.DecimalField(max_digits=16, decimal_places=2, default=0)
    overdue_requests = models.PositiveIntegerField(default=0)
    residents = models.PositiveIntegerField(default=0)
    daily_active = models.PositiveIntegerField(default=0)
    monthly_active = models.PositiveIntegerField(default=0)
    database_error = models.CharField(max_length=100, blank=True)

    def __str__(self) -> str:
        return f"{self.tenant_id}: {self.units} units"

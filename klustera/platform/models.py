"""The platform's own records (platform database)."""

from __future__ import annotations

from django.db import models

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

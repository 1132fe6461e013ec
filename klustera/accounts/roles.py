"""The roles of a complex, held as Django groups in the tenant database."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    PROPERTY_MANAGER = "property_manager", _("Property manager")
    RESIDENT = "resident", _("Resident")
    SECURITY_STAFF = "security_staff", _("Security staff")
    CLEANING_STAFF = "cleaning_staff", _("Cleaning staff")
    FACILITY_STAFF = "facility_staff", _("Facility staff")


STAFF_ROLES = frozenset({Role.SECURITY_STAFF, Role.CLEANING_STAFF, Role.FACILITY_STAFF})

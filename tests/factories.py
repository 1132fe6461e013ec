"""The base of every app's factory-boy factories: rows go to the current complex's database.

factory-boy's ``DjangoModelFactory`` writes through ``manager.using("default")``,
the platform database; a tenant's models must go where the router sends them,
so a factory is used inside ``tenant_context`` (or the ``in_tenant_a`` fixture).
"""

from __future__ import annotations

from typing import Any

import factory


class TenantModelFactory(factory.django.DjangoModelFactory):
    class Meta:
        abstract = True

    @classmethod
    def _get_manager(cls, model_class: Any) -> Any:
        return model_class._default_manager  # the tenant router picks the database

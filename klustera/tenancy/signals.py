"""Hooks the apps above take their part of a complex's life on (tenancy imports none of them).

As django-tenants runs its apps' setup after a schema sync: provisioning and
status changes are announced, and the apps that care register receivers.
A receiver that raises makes provisioning fail, and everything is rolled back.
"""

from django.dispatch import Signal

tenant_provisioned = Signal()
"""Sent inside the new complex (its context entered) once its schema exists; arguments
``tenant`` and ``manager`` (the ``NewManager`` to create)."""

tenant_status_changed = Signal()
"""Sent inside the complex before a suspension, resumption or cancellation is saved; arguments
``tenant``, ``action`` (``tenant.suspended``, ``tenant.resumed`` or ``tenant.cancelled``) and
``previous_status``."""

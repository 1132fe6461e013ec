"""Where uploaded files of a complex are stored."""

from __future__ import annotations

import uuid

from django.db import models

from klustera.tenancy.context import current_tenant


def private_upload(instance: models.Model, filename: str) -> str:
    """``<slug>/<model>/<random>.<ext>``: the complex's own folder, a name nobody can guess."""
    tenant = current_tenant()
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else "jpg"
    folder = instance._meta.model_name
    return f"{tenant.slug if tenant else 'platform'}/{folder}/{uuid.uuid4().hex}.{extension[:5]}"

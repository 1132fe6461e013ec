"""A unit's own, reusable virtual account at Xendit."""

from __future__ import annotations

import uuid
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from klustera.accounts.models import User
from klustera.audit.services import record
from klustera.errors import StateConflict
from klustera.estate.models import Unit
from klustera.payments.models import UnitVirtualAccount
from klustera.payments.services.account import GatewayUnavailable, xendit_account, xendit_client
from klustera.payments.xendit import CHANNELS, XenditError
from klustera.tenancy.context import current_tenant, tenant_atomic


def open_virtual_account(*, unit: Unit, bank: str, actor: User) -> UnitVirtualAccount:
    """Give a unit its own virtual account number at Xendit (once; later calls return it)."""
    existing = UnitVirtualAccount.objects.filter(unit=unit).first()
    if existing is not None:
        return existing
    if bank not in CHANNELS or not bank.endswith("_VIRTUAL_ACCOUNT"):
        raise ValidationError({"bank": [_("Choose a bank's virtual account.")]})
    account = xendit_account()
    if not account.secret_key:
        raise StateConflict(
            _("Online payment is not set up for this complex yet."), code="payments_not_set_up"
        )
    tenant = current_tenant()
    reference = f"klustera-va-{unit.pk}-{uuid.uuid4().hex[:12]}"
    client = xendit_client(account)
    try:
        request = client.create_fixed_va(
            reference_id=reference,
            bank=bank,
            display_name=f"{tenant.name if tenant else 'IPL'} {unit}",
            expires_at=timezone.now() + timedelta(days=3650),
        )
    except XenditError as exc:
        raise GatewayUnavailable(str(exc)) from exc
    finally:
        client.close()
    with tenant_atomic():
        opened = UnitVirtualAccount.objects.create(
            unit=unit,
            bank=bank,
            number=request.action("VIRTUAL_ACCOUNT_NUMBER"),
            reference_id=reference,
            payment_request_id=request.id,
        )
        record(actor=actor, action="payments.virtual_account_opened", target=opened, bank=bank)
    return opened

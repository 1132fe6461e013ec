"""The payment gateway's use cases, one module per family; the public verbs are re-exported.

``account`` (the complex's Xendit keys), ``checkout`` (an invoice paid online),
``callbacks`` (Xendit's news, stored and queued), ``settlement`` (booking what
Xendit collected, reconciliation), ``virtual_accounts`` and ``transfer_proofs``.
Money is booked only through billing's ledger (``billing.services.record_payment``).
"""

from klustera.payments.services.account import (
    GatewayUnavailable,
    update_xendit_account,
    xendit_account,
    xendit_client,
)
from klustera.payments.services.callbacks import process_callback, receive_callback
from klustera.payments.services.checkout import start_payment
from klustera.payments.services.settlement import (
    close_attempt,
    reconcile_pending,
    settle_attempt,
)
from klustera.payments.services.transfer_proofs import (
    daily_review_report,
    review_transfer_proof,
    submit_transfer_proof,
)
from klustera.payments.services.virtual_accounts import open_virtual_account

__all__ = [
    "GatewayUnavailable",
    "close_attempt",
    "daily_review_report",
    "open_virtual_account",
    "process_callback",
    "receive_callback",
    "reconcile_pending",
    "review_transfer_proof",
    "settle_attempt",
    "start_payment",
    "submit_transfer_proof",
    "update_xendit_account",
    "xendit_account",
    "xendit_client",
]

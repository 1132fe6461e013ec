"""Billing's use cases, one module per family; the public verbs are re-exported here.

``invoicing`` (a unit's invoice), ``runs`` (a month for every unit, the daily
work), ``late_fees``, ``tariffs`` (tariffs, one-off charges, settings),
``reminders`` and ``ledger`` (payments, settlement, reversals, refunds: the
only writer of what an invoice has been paid).
"""

from klustera.billing.services.invoicing import (
    PERIOD,
    Charge,
    announce_invoices,
    bill_unit,
    charges_for,
    issue_charge,
    issue_invoice,
    issue_invoices,
    parse_period,
    read_month,
    release_invoice,
    update_invoice,
    whole_rupiah,
)
from klustera.billing.services.late_fees import charge_late_fees, late_fees_owed
from klustera.billing.services.ledger import (
    MAX_PAYMENT,
    check_payment_amount,
    record_payment,
    refund_credit,
    reverse_payment,
    settle_unit,
    unit_credit,
    units_with_credit,
)
from klustera.billing.services.reminders import (
    remind_invoice,
    remind_overdue,
    send_reminders,
    tell_billing_contact,
)
from klustera.billing.services.runs import (
    generate_invoices,
    run_daily,
    scheduled_period,
    start_billing_run,
)
from klustera.billing.services.tariffs import (
    MAX_AMOUNT,
    SETTINGS_FIELDS,
    add_one_off_charges,
    change_tariff,
    check_amount,
    save_tariff,
    update_billing_settings,
)

__all__ = [
    "MAX_AMOUNT",
    "MAX_PAYMENT",
    "PERIOD",
    "SETTINGS_FIELDS",
    "Charge",
    "add_one_off_charges",
    "announce_invoices",
    "bill_unit",
    "change_tariff",
    "charge_late_fees",
    "charges_for",
    "check_amount",
    "check_payment_amount",
    "generate_invoices",
    "issue_charge",
    "issue_invoice",
    "issue_invoices",
    "late_fees_owed",
    "parse_period",
    "read_month",
    "record_payment",
    "refund_credit",
    "release_invoice",
    "remind_invoice",
    "remind_overdue",
    "reverse_payment",
    "run_daily",
    "save_tariff",
    "scheduled_period",
    "send_reminders",
    "settle_unit",
    "start_billing_run",
    "tell_billing_contact",
    "unit_credit",
    "units_with_credit",
    "update_billing_settings",
    "update_invoice",
    "whole_rupiah",
]

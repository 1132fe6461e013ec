"""What the ledger tells the apps above it, which it may not import (a booking's invoice
paid, say). Sent inside the ledger's transaction: a receiver's writes land with it or not
at all."""

from django.dispatch import Signal

# ``invoice_ids``: invoices a settlement has just paid in full.
invoices_paid = Signal()

# ``payment``: a payment just recorded, whatever it settled.
payment_recorded = Signal()

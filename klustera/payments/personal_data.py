"""The personal data of the gateway (see klustera.privacy.declaration)."""

from django.utils.translation import gettext_lazy as _

from klustera.privacy.declaration import Category, Erase, Personal, Processor, Retention

PERSONAL_DATA = [
    Personal(
        "payments.TransferProof",
        owner="submitted_by",
        fields={"image": Category.FINANCIAL},
        shows=("amount", "transferred_on", "bank", "status"),
        purpose=_("Checking bank transfers against invoices"),
        retention=Retention.FINANCIAL,
        erase=Erase.KEEP,
        processors=(Processor.XENDIT,),
    ),
]

NOT_PERSONAL = {
    "payments.XenditAccount.for_user_id": "the complex's Xendit sub-account, not a person",
}

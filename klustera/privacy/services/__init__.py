"""Privacy's use cases: the notice and consent, requests, export and anonymisation."""

from klustera.privacy.services.anonymise import anonymise, kept_notes, pseudonym
from klustera.privacy.services.breaches import (
    authority_pdf,
    delivery_of,
    mark_authority_notified,
    notify_breach,
    record_breach,
)
from klustera.privacy.services.consent import (
    accept_notice,
    latest_choices,
    needs_consent,
    objects_to,
    record_consent,
    set_opt_in,
)
from klustera.privacy.services.export import write_export
from klustera.privacy.services.notice import PLATFORM_REVISION, current_notice, publish_notice
from klustera.privacy.services.requests import (
    complete_request,
    expire_exports,
    is_restricted,
    lift_restriction,
    make_export,
    open_request,
    reject_request,
)
from klustera.privacy.services.retention import (
    apply_retention,
    privacy_settings,
    retention_due,
    update_retention,
)
from klustera.privacy.services.subjects import Subject, rows_of

__all__ = [
    "PLATFORM_REVISION",
    "Subject",
    "accept_notice",
    "anonymise",
    "apply_retention",
    "authority_pdf",
    "complete_request",
    "current_notice",
    "delivery_of",
    "expire_exports",
    "is_restricted",
    "kept_notes",
    "latest_choices",
    "lift_restriction",
    "make_export",
    "mark_authority_notified",
    "needs_consent",
    "notify_breach",
    "objects_to",
    "open_request",
    "privacy_settings",
    "pseudonym",
    "publish_notice",
    "record_breach",
    "record_consent",
    "reject_request",
    "retention_due",
    "rows_of",
    "set_opt_in",
    "update_retention",
    "write_export",
]

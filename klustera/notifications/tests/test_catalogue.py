"""Each domain declares its own messages; the catalogue holds them all and knows no domain."""

from __future__ import annotations

import pytest

from klustera.access.messages import MESSAGES as ACCESS
from klustera.billing.messages import MESSAGES as BILLING
from klustera.notifications.catalogue import TEMPLATES, MessageTemplate, register
from klustera.notifications.models import Category


def test_every_app_s_messages_are_in_the_catalogue_in_both_languages() -> None:
    for template in [*BILLING, *ACCESS]:
        assert TEMPLATES[template.key] is template
    for template in TEMPLATES.values():
        assert set(template.subject) == set(template.body) == {"id", "en"}, template.key
        for language in ("id", "en"):  # every parameter fills its place
            template.render({name: "x" for name in template.params}, language)


def test_a_key_is_declared_once() -> None:
    impostor = MessageTemplate(
        key="invoice_issued",
        category=Category.BILLING,
        params=(),
        subject={"id": "x", "en": "x"},
        body={"id": "x", "en": "x"},
    )
    with pytest.raises(ValueError, match="declared twice"):
        register(impostor)
    register(*BILLING)  # an app registering the same declarations again changes nothing
    assert TEMPLATES["invoice_issued"] is BILLING[0]

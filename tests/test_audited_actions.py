"""Every action that changes money, roles, the registry or a complex's settings writes an
entry in the audit trail. The services an actor calls in those areas are listed here: a new
one fails until it is run below (and audited) or set aside with the reason."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from collections.abc import Callable
from datetime import date, time, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from klustera.accounts import services as accounts
from klustera.accounts.services import create_user
from klustera.audit.models import AuditEntry
from klustera.billing import services as billing
from klustera.billing.models import Payment, Tariff
from klustera.billing.services.invoicing import Charge
from klustera.estate import services as estate
from klustera.estate.models import Occupancy, Resident, Unit, Vehicle
from klustera.facilities import services as facilities
from klustera.helpdesk import services as helpdesk
from klustera.notifications import services as notifications
from klustera.payments import services as payments
from klustera.payments.models import TransferProof
from klustera.privacy import services as privacy
from klustera.roles import Role

# Where money, roles, the registry and settings change.
AREAS = ("accounts", "billing", "payments", "estate")
SETTINGS = {  # settings services of the other apps
    "klustera.notifications.services.configuration.update_settings",
    "klustera.helpdesk.services.save_settings",
    "klustera.facilities.services.save_facility",
    "klustera.privacy.services.retention.update_retention",
    "klustera.privacy.services.notice.publish_notice",
}
NOT_AUDITED = {
    "klustera.billing.services.runs.generate_invoices": "the billing run's own work: the run "
    "is audited when started (start_billing_run), each invoice by its number",
    "klustera.estate.services.move_in_person": "registers the person (save_resident) and moves "
    "them in (move_in), each audited",
    "klustera.billing.services.tariffs.change_tariff": "ends the tariff and saves its "
    "successor through save_tariff, both audited",
    "klustera.payments.services.virtual_accounts.open_virtual_account": "asks Xendit for the "
    "number: its entry is checked against the Xendit simulator in payments' test_xendit_flow",
}


def _services_an_actor_calls() -> set[str]:
    found = set()
    for area in AREAS:
        package = importlib.import_module(f"klustera.{area}.services")
        modules = [package]
        if hasattr(package, "__path__"):
            modules += [
                importlib.import_module(f"{package.__name__}.{info.name}")
                for info in pkgutil.iter_modules(package.__path__)
            ]
        for module in modules:
            for name, function in vars(module).items():
                if (
                    inspect.isfunction(function)
                    and function.__module__ == module.__name__
                    and not name.startswith("_")
                    and "actor" in inspect.signature(function).parameters
                ):
                    found.add(f"{module.__name__}.{name}")
    return found | SETTINGS


@pytest.fixture
def world(in_tenant_a) -> dict[str, Any]:
    manager = create_user(
        phone="081300000001", name="Budi", password="x-pass-123", roles=[Role.PROPERTY_MANAGER]
    )
    staff = create_user(phone="081300000004", name="Agus", roles=[Role.SECURITY_STAFF])
    unit = Unit.objects.create(block="A", number="01")
    resident = Resident.objects.create(name="Siti", phone="+6281300000002")
    occupancy = Occupancy.objects.create(
        unit=unit,
        resident=resident,
        role="owner",
        start_on=date(2025, 1, 1),
        is_billing_contact=True,
    )
    tariff = Tariff.objects.create(
        charge="IPL", rate=Decimal("250000"), effective_from=date(2025, 1, 1)
    )
    period = timezone.localdate().replace(day=1)
    invoice = billing.bill_unit(unit=unit, period=period, actor=manager)
    payment = billing.record_payment(
        unit=unit, amount=Decimal("100000"), method=Payment.Method.CASH, actor=manager
    )
    return {
        "manager": manager,
        "staff": staff,
        "unit": unit,
        "resident": resident,
        "occupancy": occupancy,
        "tariff": tariff,
        "invoice": invoice,
        "payment": payment,
        "period": period,
    }


def _proof(w: dict[str, Any]) -> TransferProof:
    from klustera.payments.tests.test_manual import photo

    return TransferProof.objects.create(
        unit=w["unit"],
        amount=Decimal("50000"),
        transferred_on=timezone.localdate(),
        image=photo(),
        submitted_by=w["manager"],
    )


def _key(w: dict[str, Any]) -> Any:
    key, _secret = accounts.create_api_key(
        name="Akuntansi",
        scope="read_only",
        expires_at=timezone.now() + timedelta(days=30),
        actor=w["manager"],
    )
    return key


def _invitation(w: dict[str, Any]) -> Any:
    return estate.invite_resident(
        unit=w["unit"],
        name="Dodi",
        phone="081377700001",
        occupancy_role="renter",
        actor=w["manager"],
    )


def _refund(w: dict[str, Any]) -> Any:
    billing.record_payment(  # more than is owed: credit to pay back
        unit=w["unit"], amount=Decimal("400000"), method=Payment.Method.CASH, actor=w[M]
    )
    return billing.refund_credit(
        unit=w["unit"],
        amount=Decimal("1000"),
        method=Payment.Method.BANK_TRANSFER,
        reason="lebih bayar",
        actor=w[M],
    )


M = "manager"
CASES: dict[str, Callable[[dict[str, Any]], Any]] = {
    "klustera.accounts.services.create_staff": lambda w: accounts.create_staff(
        phone="081300000009", name="Rudi", role=Role.CLEANING_STAFF, password=None, actor=w[M]
    ),
    "klustera.accounts.services.set_staff_active": lambda w: accounts.set_staff_active(
        user=w["staff"], active=False, actor=w[M]
    ),
    "klustera.accounts.services.create_api_key": _key,
    "klustera.accounts.services.revoke_api_key": lambda w: accounts.revoke_api_key(
        key=_key(w), actor=w[M]
    ),
    "klustera.billing.services.invoicing.bill_unit": lambda w: billing.bill_unit(
        unit=w["unit"], period=w["period"] + timedelta(days=40), actor=w[M]
    ),
    "klustera.billing.services.invoicing.issue_charge": lambda w: billing.issue_charge(
        unit=w["unit"],
        charges=[Charge("Kunci", Decimal(1), Decimal("75000"), taxable=False)],
        actor=w[M],
        due_on=timezone.localdate() + timedelta(days=10),
    ),
    "klustera.billing.services.invoicing.update_invoice": lambda w: billing.update_invoice(
        invoice=w["invoice"], actor=w[M], due_on=timezone.localdate() + timedelta(days=20)
    ),
    "klustera.billing.services.invoicing.release_invoice": lambda w: billing.release_invoice(
        invoice=w["invoice"], reason="salah tagih", actor=w[M]
    ),
    "klustera.billing.services.ledger.record_payment": lambda w: billing.record_payment(
        unit=w["unit"], amount=Decimal("50000"), method=Payment.Method.CASH, actor=w[M]
    ),
    "klustera.billing.services.ledger.reverse_payment": lambda w: billing.reverse_payment(
        payment=w["payment"], reason="cek kosong", actor=w[M]
    ),
    "klustera.billing.services.ledger.refund_credit": _refund,
    "klustera.billing.services.reminders.remind_invoice": lambda w: billing.remind_invoice(
        invoice=w["invoice"], actor=w[M]
    ),
    "klustera.billing.services.reminders.remind_overdue": lambda w: billing.remind_overdue(
        actor=w[M]
    ),
    "klustera.billing.services.runs.start_billing_run": lambda w: billing.start_billing_run(
        period=w["period"], actor=w[M]
    ),
    "klustera.billing.services.tariffs.add_one_off_charges": lambda w: billing.add_one_off_charges(
        units=[w["unit"]],
        period=w["period"] + timedelta(days=40),
        description="Sampah",
        amount=Decimal("20000"),
        actor=w[M],
    ),
    "klustera.billing.services.tariffs.save_tariff": lambda w: billing.save_tariff(
        actor=w[M],
        charge="Keamanan",
        basis="flat",
        rate=Decimal("50000"),
        effective_from=date(2026, 1, 1),
    ),
    "klustera.billing.services.tariffs.update_billing_settings": lambda w: (
        billing.update_billing_settings(changes={"due_day": 15}, actor=w[M])
    ),
    "klustera.payments.services.account.update_xendit_account": lambda w: (
        payments.update_xendit_account(changes={"allow_partial": True}, actor=w[M])
    ),
    "klustera.payments.services.transfer_proofs.review_transfer_proof": lambda w: (
        payments.review_transfer_proof(proof=_proof(w), actor=w[M], approve=False, reason="buram")
    ),
    "klustera.estate.services.save_unit": lambda w: estate.save_unit(
        actor=w[M], block="B", number="07"
    ),
    "klustera.estate.services.save_resident": lambda w: estate.save_resident(
        actor=w[M], resident=w["resident"], name="Siti Rahayu", phone="081300000002"
    ),
    "klustera.estate.services.move_in": lambda w: estate.move_in(
        actor=w[M],
        unit=Unit.objects.create(block="C", number="1"),
        resident=w["resident"],
        role="renter",
        start_on=timezone.localdate(),
    ),
    "klustera.estate.services.move_out": lambda w: estate.move_out(
        actor=w[M], occupancy=w["occupancy"], end_on=timezone.localdate()
    ),
    "klustera.estate.services.set_billing_contact": lambda w: estate.set_billing_contact(
        actor=w[M], occupancy=w["occupancy"]
    ),
    "klustera.estate.services.add_vehicle": lambda w: estate.add_vehicle(
        actor=w[M], unit=w["unit"], plate="B1234XYZ", kind="car"
    ),
    "klustera.estate.services.remove_vehicle": lambda w: estate.remove_vehicle(
        actor=w[M], vehicle=Vehicle.objects.create(unit=w["unit"], plate="B9XY")
    ),
    "klustera.estate.services.invite_resident": _invitation,
    "klustera.estate.services.resend_invitation": lambda w: estate.resend_invitation(
        invitation=_invitation(w), actor=w[M]
    ),
    "klustera.estate.services.revoke_invitation": lambda w: estate.revoke_invitation(
        invitation=_invitation(w), actor=w[M]
    ),
    "klustera.notifications.services.configuration.update_settings": lambda w: (
        notifications.update_settings(changes={"quiet_start": time(22, 0)}, actor=w[M])
    ),
    "klustera.helpdesk.services.save_settings": lambda w: helpdesk.save_settings(
        actor=w[M],
        business_start=time(8, 0),
        business_end=time(17, 0),
        business_days=[1, 2, 3, 4, 5],
        reopen_days=7,
        auto_close_days=3,
    ),
    "klustera.facilities.services.save_facility": lambda w: facilities.save_facility(
        facility=None, actor=w[M], hours={1: (time(8, 0), time(20, 0))}, name="Kolam renang"
    ),
    "klustera.privacy.services.retention.update_retention": lambda w: privacy.update_retention(
        operational_days=400, financial_years=10, actor=w[M]
    ),
    "klustera.privacy.services.notice.publish_notice": lambda w: privacy.publish_notice(
        additions_id="CCTV", additions_en="CCTV", actor=w[M]
    ),
}


def test_every_service_an_actor_calls_here_is_run_below_or_set_aside() -> None:
    listed = set(CASES) | set(NOT_AUDITED)
    assert _services_an_actor_calls() - listed == set(), "add the new service to CASES"
    assert listed - _services_an_actor_calls() == set(), "a listed service is gone"


@pytest.mark.parametrize("service", sorted(CASES))
def test_the_action_writes_an_audit_entry(service: str, world: dict[str, Any]) -> None:
    before = AuditEntry.objects.count()
    CASES[service](world)
    written = AuditEntry.objects.filter(seq__gt=before).order_by("seq")
    assert written.exists(), f"{service} wrote no audit entry"
    assert all(entry.actor_id == world[M].pk for entry in written if entry.actor_id)

"""A guest code lives only as long as its host may invite to the unit."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from klustera.access.models import GuestInvitation
from klustera.access.services import register_guest, verify
from klustera.accounts.models import User
from klustera.accounts.services import create_user, set_staff_active
from klustera.estate.models import Occupancy
from klustera.estate.services import move_out
from klustera.roles import Role
from klustera.tenancy.context import tenant_context


def _invite(host: User, unit, *, days: int = 7) -> str:
    now = timezone.now()
    _invitation, code = register_guest(
        host=host,
        unit=unit,
        guest_name="Tamu",
        starts_at=now,
        ends_at=now + timedelta(days=days),
        multi_use=True,
    )
    return code


def test_moving_out_cancels_the_hosts_codes_for_that_unit(gate, tenant_a) -> None:
    with tenant_context(tenant_a):
        code = _invite(gate["host"], gate["units"][0])
        manager = User.objects.get(phone="+6281300000001")
        stay = Occupancy.objects.get(resident__user=gate["host"])
        move_out(actor=manager, occupancy=stay, end_on=date.today())
        invitation = GuestInvitation.objects.get()
        assert invitation.status == GuestInvitation.Status.CANCELLED
        decision = verify(payload=code, guard=gate["guard_user"], gate="Utama")
        assert decision.result == "cancelled"


def test_a_code_whose_host_left_by_any_path_no_longer_opens_the_gate(gate, tenant_a) -> None:
    with tenant_context(tenant_a):
        code = _invite(gate["host"], gate["units"][0])
        # A stay ended behind the services' back (an import, an old row): checked at the gate.
        Occupancy.objects.filter(resident__user=gate["host"]).update(end_on=date.today())
        assert GuestInvitation.objects.get().status == GuestInvitation.Status.ACTIVE
        assert verify(payload=code, guard=gate["guard_user"], gate="Utama").result == "cancelled"


def test_switching_a_staff_account_off_cancels_its_invitations(gate, tenant_a) -> None:
    with tenant_context(tenant_a):
        manager = User.objects.get(phone="+6281300000001")
        # A guard who also lives in A-02 invites a guest there, then is switched off.
        guard = gate["guard_user"]
        resident = gate["resident_record"].__class__.objects.create(
            name=guard.name, phone=guard.phone, user=guard
        )
        Occupancy.objects.create(
            unit=gate["units"][1], resident=resident, role="renter", start_on=date(2025, 1, 1)
        )
        code = _invite(guard, gate["units"][1])
        set_staff_active(user=guard, active=False, actor=manager)
        assert GuestInvitation.objects.get().status == GuestInvitation.Status.CANCELLED
        other_guard = create_user(
            phone="081300000077", name="Pak Jaga", roles=[Role.SECURITY_STAFF]
        )
        assert verify(payload=code, guard=other_guard, gate="Utama").result == "cancelled"


def test_staff_cannot_invite_to_a_unit_they_do_not_live_in(gate, tenant_a) -> None:
    with tenant_context(tenant_a):
        with pytest.raises(PermissionDenied):
            _invite(gate["guard_user"], gate["units"][0])
        assert not GuestInvitation.objects.exists()

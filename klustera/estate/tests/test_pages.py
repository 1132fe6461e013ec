"""The estate's portal pages: importing units, households, moving in and out, vehicles."""

from __future__ import annotations

from django.test import Client
from django.utils import timezone

from klustera.audit.models import AuditEntry
from klustera.estate.models import Occupancy, Resident, Unit, Vehicle
from klustera.privacy.services import needs_consent
from klustera.tenancy.context import tenant_context


def test_units_are_imported_after_a_preview_of_the_same_file(portal, tenant_a) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    manager = portal["clients"]["manager"]
    sheet = b"blok,nomor,luas_tanah\nZ,01,120\nZ,02,abc\n"
    broken = manager.post(
        "/c/alpha/manage/units/import", {"file": SimpleUploadedFile("u.csv", sheet)}
    ).content.decode()
    assert "Z-02" not in broken and 'role="alert"' in broken  # row 3 needs fixing
    good = sheet.replace(b"abc", b"90")
    preview = manager.post(
        "/c/alpha/manage/units/import", {"file": SimpleUploadedFile("u.csv", good)}
    ).content.decode()
    assert 'id="units-created">2<' in preview
    with tenant_context(tenant_a):
        assert not Unit.objects.filter(block="Z").exists()  # a preview writes nothing
    manager.post("/c/alpha/manage/units/import", {"confirm": "1"})
    with tenant_context(tenant_a):
        assert Unit.objects.filter(block="Z").count() == 2
    # Confirming again has nothing left to import.
    again = manager.post("/c/alpha/manage/units/import", {"confirm": "1"})
    assert again.status_code == 200 and 'id="import-report"' not in again.content.decode()


def test_a_resident_sees_the_household_of_their_unit_only(portal, tenant_a) -> None:
    from klustera.estate.models import Vehicle

    with tenant_context(tenant_a):
        Vehicle.objects.create(unit=portal["units"][0], plate="B1234XYZ")
        Vehicle.objects.create(unit=portal["units"][1], plate="D9999AA")
    page = portal["clients"]["resident"].get("/c/alpha/units/").content.decode()
    assert "A-01" in page and "Resident alpha" in page and "B1234XYZ" in page
    assert "A-02" not in page and "D9999AA" not in page


def test_a_manager_moves_people_in_and_out_and_registers_vehicles(portal, tenant_a) -> None:
    manager = portal["clients"]["manager"]
    unit = portal["units"][0]  # A-01, where "Resident alpha" lives and receives the bills
    page = f"/c/alpha/manage/units/{unit.pk}/"
    shown = manager.get(page).content.decode()
    assert "Resident alpha" in shown and 'x-data="confirm"' in shown
    assert f'name="start_on" value="{timezone.localdate():%Y-%m-%d}"' in shown  # a date input
    assert portal["clients"]["resident"].get(page).status_code == 403
    # A new person moves in; their phone was never registered, so they are created.
    move_in = {
        "name": "Bu Sari",
        "phone": "0812-7777-0001",
        "role": "renter",
        "start_on": "2026-11-01",
    }
    garbage = manager.post(f"{page}move-in", {**move_in, "phone": "12ab", "start_on": "soon"})
    assert garbage.content.decode().count('class="error" role="alert"') == 2  # phone, date
    assert manager.post(f"{page}move-in", move_in).status_code == 302
    # The unit already has a billing contact: refused with a form error, nobody created.
    clash = manager.post(
        f"{page}move-in",
        {**move_in, "name": "Pak Joko", "phone": "081277770002", "is_billing_contact": "on"},
    )
    assert clash.status_code == 200 and 'class="error" role="alert"' in clash.content.decode()
    with tenant_context(tenant_a):
        assert not Resident.objects.filter(name="Pak Joko").exists()
        sari = Occupancy.objects.get(unit=unit, resident__name="Bu Sari")
        assert sari.resident.phone == "+6281277770001" and not sari.is_billing_contact
    # The bills go to Bu Sari now, then she moves out.
    manager.post(f"/c/alpha/manage/stays/{sari.pk}", {"action": "billing-contact"})
    with tenant_context(tenant_a):
        contacts = Occupancy.objects.filter(unit=unit, is_billing_contact=True, end_on=None)
        assert [stay.resident.name for stay in contacts] == ["Bu Sari"]
    early = manager.post(
        f"/c/alpha/manage/stays/{sari.pk}", {"action": "move-out", "end_on": "2026-10-01"}
    )
    assert "notice error" in manager.get(early["Location"]).content.decode()
    manager.post(
        f"/c/alpha/manage/stays/{sari.pk}",
        {"action": "move-out", "end_on": "2026-11-20"},
        follow=True,
    )
    shown = manager.get(page).content.decode()
    assert shown.count("Bu Sari") == 1  # in the history only: no move-out button any more
    # Vehicles: a plate belongs to one unit; garbage is a form error.
    assert (
        manager.post(f"{page}vehicles", {"plate": "b 1234 xyz", "kind": "car"}).status_code == 302
    )
    again = manager.post(f"{page}vehicles", {"plate": "B1234XYZ", "kind": "car"})
    assert again.status_code == 200 and 'class="error" role="alert"' in again.content.decode()
    with tenant_context(tenant_a):
        vehicle = Vehicle.objects.get(plate="B1234XYZ")
        actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"resident.moved_in", "resident.billing_contact", "resident.moved_out"} <= actions
    assert manager.post(f"/c/alpha/manage/vehicles/{vehicle.pk}/remove").status_code == 302
    with tenant_context(tenant_a):
        assert not Vehicle.objects.exists()
    assert portal["clients"]["guard"].post(f"{page}vehicles", {"plate": "B 9 X"}).status_code == 403
    # alpha's session means nothing at beta (and is dropped there)
    elsewhere = manager.post(f"/c/beta/manage/units/{unit.pk}/vehicles", {"plate": "B 1 A"})
    assert elsewhere.status_code == 302 and "/c/beta/login" in elsewhere["Location"]


def test_a_manager_invites_a_resident_who_registers_and_the_setup_checklist_follows(
    portal, tenant_a
) -> None:
    import re

    from klustera.estate.models import Invitation
    from klustera.notifications.models import Consent, Message

    manager = portal["clients"]["manager"]
    assert "Undang warga" in manager.get("/c/alpha/manage/settings/").content.decode()
    form = {
        "unit": "A-02",
        "name": "Pak Dodi",
        "phone": "0812 7000 1234",
        "occupancy_role": "owner",
    }
    taken = manager.post("/c/alpha/manage/invitations/", {**form, "phone": "081300000002"})
    assert 'role="alert"' in taken.content.decode()  # already has an account
    assert manager.post("/c/alpha/manage/invitations/", form).status_code == 302
    with tenant_context(tenant_a):
        invitation = Invitation.objects.get()
        first = Message.objects.filter(template="invitation").get(channel="sms")
    action = f"/c/alpha/manage/invitations/{invitation.pk}/action"
    manager.post(action, {"action": "resend"})
    with tenant_context(tenant_a):
        codes = [m.context for m in Message.objects.filter(template="invitation", channel="sms")]
    assert len(codes) == 2 and first.pk
    # The code travels only encrypted: read it back as the message will send it.
    from klustera.notifications.services.delivery import _values_with_secrets

    with tenant_context(tenant_a):
        old, new = (
            _values_with_secrets(m)["code"]
            for m in Message.objects.filter(template="invitation", channel="sms").order_by("pk")
        )
    register = {
        "phone": "081270001234",
        "password": "rumah-baru-77",
        "whatsapp_opt_in": "on",
        "accept_privacy": "on",
        "notice_version": "1",
    }
    stale = Client().post("/c/alpha/register", {**register, "code": old})
    assert 'role="alert"' in stale.content.decode()  # the resent code replaced it
    visitor = Client()
    done = visitor.post("/c/alpha/register", {**register, "code": new}, follow=True)
    assert "Selamat datang, Pak Dodi" in done.content.decode()
    with tenant_context(tenant_a):
        invitation.refresh_from_db()
        assert invitation.state == "accepted"
        consent = Consent.objects.get(user=invitation.accepted_by, channel="whatsapp")
        assert consent.is_granted and consent.method == "registration"
        assert not needs_consent(invitation.accepted_by)  # agreed to the notice, proven
    listed = manager.get("/c/alpha/manage/invitations/").content.decode()
    assert "Terdaftar" in listed and not re.search(rf"{action}.*resend", listed)
    again = manager.post(action, {"action": "revoke"}, follow=True).content.decode()
    assert "notice error" in again  # accepted: nothing to withdraw

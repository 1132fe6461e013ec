"""The helpdesk's pages: a resident files with a photo, a manager assigns, staff work it."""

from __future__ import annotations

from klustera.accounts.tests.factories import UserFactory
from klustera.helpdesk.models import Category, Ticket
from klustera.payments.tests.test_manual import photo
from klustera.roles import Role
from klustera.tenancy.context import tenant_context
from tests.pages import PASSWORD


def test_a_complaint_from_filing_to_closing_in_the_portal(
    portal, tenant_a, client, settings, tmp_path
) -> None:
    settings.MEDIA_ROOT = tmp_path
    resident, manager = portal["clients"]["resident"], portal["clients"]["manager"]
    with tenant_context(tenant_a):
        fixer = UserFactory(phone="081300000061", roles=[Role.FACILITY_STAFF])
        category = Category.objects.get(name="Fasilitas umum").pk
    assert (
        client.post(
            "/c/alpha/login", {"username": "081300000061", "password": PASSWORD}
        ).status_code
        == 302
    )
    empty = resident.post("/c/alpha/complaints/", {"category": category, "title": "x"})
    assert 'role="alert"' in empty.content.decode()  # the description is missing
    form = {
        "category": category,
        "title": "Lampu taman mati",
        "description": "Sejak kemarin",
        "unit": portal["units"][0].pk,
        "photos": [photo("a.png")],
    }
    filed = resident.post("/c/alpha/complaints/", form, follow=True)
    page = filed.content.decode()
    assert "Keluhan #" in page and "Lampu taman mati" in page
    with tenant_context(tenant_a):
        ticket = Ticket.objects.get()
        image = ticket.photos.get()
    thumb = resident.get(f"/c/alpha/complaints/{ticket.pk}/photos/{image.pk}?size=thumb")
    assert thumb.status_code == 200 and thumb["Content-Type"] == "image/jpeg"
    assert (
        portal["clients"]["guard"]
        .get(f"/c/alpha/complaints/{ticket.pk}/photos/{image.pk}")
        .status_code
        == 404
    )
    queue = manager.get("/c/alpha/manage/helpdesk/").content.decode()
    assert "Lampu taman mati" in queue and "lagi" in queue  # time left, in Indonesian
    action = f"/c/alpha/complaints/{ticket.pk}/action"
    manager.post(action, {"action": "assign", "assignee": str(fixer.pk)})
    mine = client.get("/c/alpha/complaints/").content.decode()
    assert "Lampu taman mati" in mine  # on the staff member's list
    client.post(action, {"action": "move", "to": "in_progress", "note": "Otw"})
    client.post(action, {"action": "photos", "kind": "after", "photos": [photo("b.png")]})
    client.post(action, {"action": "comment", "body": "Cek kabel", "internal": "on"})
    client.post(action, {"action": "move", "to": "resolved", "note": "Sudah menyala"})
    seen = resident.get(f"/c/alpha/complaints/{ticket.pk}/").content.decode()
    assert "Cek kabel" not in seen  # an internal note
    assert 'value="closed"' in seen and 'value="reopened"' in seen
    wrong = resident.post(action, {"action": "move", "to": "in_progress"}, follow=True)
    assert "notice error" in wrong.content.decode() or wrong.status_code == 403
    assert 'id="rate"' in seen  # the reporter rates the work
    rated = resident.post(action, {"action": "rate", "stars": "4"}, follow=True)
    assert "Dinilai 4 dari 5" in rated.content.decode()
    resident.post(action, {"action": "move", "to": "closed"})
    with tenant_context(tenant_a):
        ticket.refresh_from_db()
        assert ticket.status == "closed" and ticket.photos.count() == 2
    assert manager.get(f"/c/alpha/complaints/{ticket.pk}/").status_code == 200
    assert resident.get("/c/alpha/manage/helpdesk/").status_code == 403

"""The gate's portal pages: guest codes, the resident pass and the access log."""

from __future__ import annotations

from datetime import timedelta

from django.db import connections
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from klustera.access.models import GuestInvitation
from klustera.payments.tests.test_manual import photo
from klustera.tenancy.context import current_alias, tenant_context


def test_a_resident_invites_a_guest_from_the_portal_and_cancels(portal, tenant_a) -> None:
    resident = portal["clients"]["resident"]
    unit = portal["units"][0]
    start = timezone.localtime() + timedelta(hours=1)
    form = {
        "unit": unit.pk,
        "guest_name": "Bu Ani",
        "people": 2,
        "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
        "ends_at": (start + timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M"),
    }
    bad = resident.post("/c/alpha/guests/", {**form, "ends_at": form["starts_at"]})
    assert bad.status_code == 200 and 'class="error"' in bad.content.decode()  # a form error
    other_unit = resident.post("/c/alpha/guests/", {**form, "unit": portal["units"][1].pk})
    assert 'class="error"' in other_unit.content.decode()  # not the resident's unit
    done = resident.post("/c/alpha/guests/", form, follow=True).content.decode()
    with tenant_context(tenant_a):
        invitation = GuestInvitation.objects.get()
        from klustera.access.services import code_of

        code = code_of(invitation)
    assert code in done and "Bu Ani" in done
    # The share page: the code, its QR and a WhatsApp message ready to send.
    assert "https://wa.me/?text=Halo+Bu+Ani" in done and "data:image/svg+xml" in done
    assert code.replace(" ", "+") in done or code in done
    resident.post(f"/c/alpha/guests/{invitation.pk}/cancel")
    with tenant_context(tenant_a):
        assert GuestInvitation.objects.get().status == "cancelled"
    # Someone else's invitation cannot be cancelled from the portal.
    assert (
        portal["clients"]["manager"].post(f"/c/alpha/guests/{invitation.pk}/cancel").status_code
        == 404
    )


def test_the_pass_page_shows_a_fresh_qr(portal) -> None:
    page = portal["clients"]["resident"].get("/c/alpha/pass/").content.decode()
    assert 'src="data:image/svg+xml' in page and 'hx-trigger="every ' in page
    again = portal["clients"]["resident"].get("/c/alpha/pass/qr").content.decode()
    assert again.split('src="')[1][:200] != page.split('src="')[1][:200]  # a new nonce


def test_the_access_log_costs_the_same_queries_for_10_and_1000_entries(portal, tenant_a) -> None:
    from klustera.access.models import AccessLog
    from klustera.estate.models import Resident

    manager = portal["clients"]["manager"]
    with tenant_context(tenant_a):
        alias = current_alias()
        resident = Resident.objects.get()

    def log(n: int) -> None:
        with tenant_context(tenant_a):
            AccessLog.objects.bulk_create(
                AccessLog(
                    kind="resident_entry",
                    method="qr_code",
                    result="valid",
                    gate="Utama",
                    unit=portal["units"][0],
                    resident=resident,
                    at=timezone.now(),
                )
                for _ in range(n)
            )

    def queries() -> int:
        with CaptureQueriesContext(connections[alias]) as captured:
            assert manager.get("/c/alpha/manage/access-log/").status_code == 200
        return len(captured)

    log(10)
    queries()  # the first view also caches the gate settings
    few = queries()
    log(990)
    assert queries() == few


def test_the_guest_form_speaks_the_users_language(portal) -> None:
    resident = portal["clients"]["resident"]
    assert "Nama tamu" in resident.get("/c/alpha/guests/").content.decode()
    resident.post("/c/alpha/language", {"language": "en", "next": "/c/alpha/guests/"})
    page = resident.get("/c/alpha/guests/").content.decode()
    assert "Guest&#x27;s name" in page or "Guest's name" in page
    assert "Nama tamu" not in page


def test_a_guard_registers_a_walk_in_and_the_resident_lets_them_in(
    portal, tenant_a, settings, tmp_path
) -> None:
    from klustera.access.models import AccessLog, WalkIn

    settings.MEDIA_ROOT = tmp_path
    guard, resident = portal["clients"]["guard"], portal["clients"]["resident"]
    form = {"unit": "a-01", "visitor_name": "Pak Joko", "purpose": "Servis AC"}
    unknown = guard.post("/c/alpha/gate/walk-in", {**form, "unit": "Z-9"})
    assert "Tidak ada unit" in unknown.content.decode()
    assert resident.get("/c/alpha/gate/walk-in").status_code == 403
    asked = guard.post("/c/alpha/gate/walk-in", {**form, "photo": photo("joko.png")}, follow=True)
    assert "Pak Joko menunggu" in asked.content.decode()
    with tenant_context(tenant_a):
        walk_in = WalkIn.objects.get()
        assert walk_in.photo.name.endswith(".png") and walk_in.status == "waiting"
    page = resident.get("/c/alpha/guests/").content.decode()
    assert 'id="walk-ins"' in page and "Pak Joko" in page
    answer = f"/c/alpha/guests/walk-ins/{walk_in.pk}/answer"
    let_in = resident.post(answer, {"allow": "1"}, follow=True).content.decode()
    assert "Pak Joko boleh masuk" in let_in
    again = resident.post(answer, {"allow": "0"}, follow=True).content.decode()
    assert "notice error" in again  # already answered: the first answer stands
    with tenant_context(tenant_a):
        entry = AccessLog.objects.get(walk_in__pk=walk_in.pk)
        assert WalkIn.objects.get().status == "allowed"
    inside = guard.get("/c/alpha/gate/inside/").content.decode()
    assert "Pak Joko" in inside and f"/c/alpha/gate/inside/{entry.pk}/exit" in inside
    left = guard.post(f"/c/alpha/gate/inside/{entry.pk}/exit", follow=True).content.decode()
    assert "Keluar dicatat untuk Pak Joko" in left and "Tidak ada yang di dalam" in left
    twice = guard.post(f"/c/alpha/gate/inside/{entry.pk}/exit", follow=True).content.decode()
    assert "notice error" in twice


def test_a_guard_logs_a_parcel_the_resident_sees_it_and_it_is_handed_over(
    portal, tenant_a, settings, tmp_path
) -> None:
    from klustera.access.models import Parcel

    settings.MEDIA_ROOT = tmp_path
    guard, resident = portal["clients"]["guard"], portal["clients"]["resident"]
    form = {"unit": "A-01", "recipient_name": "Bu Siti", "courier": "JNE", "photo": photo("p.png")}
    logged = guard.post("/c/alpha/gate/parcels/", form, follow=True).content.decode()
    assert "Paket untuk Bu Siti dicatat" in logged
    assert "Bu Siti" in resident.get("/c/alpha/guests/").content.decode()
    with tenant_context(tenant_a):
        parcel = Parcel.objects.get()
    hand_over = f"/c/alpha/gate/parcels/{parcel.pk}/hand-over"
    nobody = guard.post(hand_over, {"collected_by": " "}, follow=True).content.decode()
    assert "notice error" in nobody
    guard.post(hand_over, {"collected_by": "Pak RT"})
    with tenant_context(tenant_a):
        parcel.refresh_from_db()
        assert (parcel.status, parcel.picked_up_by) == ("picked_up", "Pak RT")
    assert 'id="parcels"' not in resident.get("/c/alpha/guests/").content.decode()

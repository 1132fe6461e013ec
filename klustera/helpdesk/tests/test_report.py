"""The manager's helpdesk tools: the report's figures (page, API, files), the categories and
rules page, bulk assignment and the queue's filters and sorting."""

from __future__ import annotations

import io
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.db import connections
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openpyxl import load_workbook

from klustera.accounts.services import issue_token
from klustera.accounts.tests.factories import UserFactory
from klustera.audit.models import AuditEntry
from klustera.helpdesk.models import Category, HelpdeskSettings, ServiceTarget, Ticket
from klustera.helpdesk.reports import helpdesk_report
from klustera.helpdesk.services import file_ticket, move_ticket, rate_ticket
from klustera.roles import Role
from klustera.tenancy.context import current_alias, tenant_context
from tests.pages import PASSWORD
from tests.seed import seed_complex

S = Ticket.Status
BASE = "/c/alpha/api/v1"


@pytest.fixture
def history(tenant_a) -> dict[str, Any]:
    """Five tickets of the last ten days with known clocks (normal priority: 24 h to answer,
    72 h to resolve): one met its target, one missed it, one is open and late, one is open
    and not due yet, one was cancelled."""
    data = seed_complex(tenant_a, marker="alpha")
    now = timezone.now()
    with tenant_context(tenant_a):
        manager, resident = data.manager, data.resident_user
        fixer = UserFactory(phone="081300000071", name="Pak Teknisi", roles=[Role.FACILITY_STAFF])
        cleaner = UserFactory(phone="081300000072", name="Bu Bersih", roles=[Role.CLEANING_STAFF])
        repairs = Category.objects.get(name="Fasilitas umum")
        cleaning = Category.objects.get(name="Kebersihan")

        def ticket(category: Category, days_ago: float, title: str) -> Ticket:
            return file_ticket(
                actor=resident,
                category=category,
                title=title,
                description="-",
                now=now - timedelta(days=days_ago),
            )

        def work(item: Ticket, who: Any, answer_h: float, resolve_h: float, stars: int) -> None:
            start = item.created_at
            move_ticket(
                ticket=item,
                to=S.ASSIGNED,
                actor=manager,
                assignee=who,
                now=start + timedelta(hours=answer_h),
            )
            move_ticket(
                ticket=item, to=S.IN_PROGRESS, actor=who, now=start + timedelta(hours=answer_h)
            )
            move_ticket(
                ticket=item, to=S.RESOLVED, actor=who, now=start + timedelta(hours=resolve_h)
            )
            rate_ticket(ticket=item, actor=resident, stars=stars)

        work(ticket(repairs, 10, "Pompa air"), fixer, 2, 30, 5)  # met
        work(ticket(cleaning, 8, "Sampah menumpuk"), cleaner, 10, 100, 2)  # missed
        ticket(repairs, 5, "Lampu jalan")  # open, past its 72 h
        ticket(repairs, 1, "Pagar rusak")  # open, not due yet
        cancelled = ticket(cleaning, 3, "Salah kirim")
        move_ticket(ticket=cancelled, to=S.CANCELLED, actor=resident)
    return {**data.as_dict(), "fixer": fixer, "cleaner": cleaner, "now": now}


def test_the_report_counts_targets_times_and_ratings(history, tenant_a) -> None:
    with tenant_context(tenant_a):
        report = helpdesk_report(now=history["now"])
    total = report.total
    assert (total.open_now, total.filed, total.due, total.met) == (2, 4, 3, 1)
    assert total.compliance == 33
    assert total.median_response == Decimal("6.0")  # of 2 h and 10 h
    assert total.median_resolution == Decimal("65.0")  # of 30 h and 100 h
    assert total.satisfaction == Decimal("3.5")
    by_category = {line.name: line for line in report.categories}
    assert by_category["Fasilitas umum"].compliance == 50  # met one, the late open one not
    assert by_category["Kebersihan"].compliance == 0
    assert {line.name: line.compliance for line in report.staff} == {
        "Bu Bersih": 0,
        "Pak Teknisi": 100,
    }
    assert sum(week["filed"] for week in report.weeks) == 4
    assert sum(week["resolved"] for week in report.weeks) == 2
    assert len(report.weeks) in (12, 13)  # twelve weeks back, by Monday


def test_the_report_page_api_and_files_agree(history) -> None:
    manager = Client()
    assert manager.post(
        "/c/alpha/login", {"username": history["manager"].phone, "password": PASSWORD}
    ).status_code in (200, 302)
    api = Client(HTTP_AUTHORIZATION=f"Bearer {history['manager_token']}")
    data = api.get(f"{BASE}/admin/helpdesk/report").json()["data"]
    assert data["total"]["compliance_percent"] == 33
    assert data["total"]["median_resolution_hours"] == "65.0"
    assert data["total"]["rating_average"] == "3.5"
    assert [line["name"] for line in data["staff"]] == ["Bu Bersih", "Pak Teknisi"]

    csv = api.get(f"{BASE}/admin/helpdesk/report", {"format": "csv"})
    assert csv["Content-Type"].startswith("text/csv")
    lines = csv.content.decode("utf-8-sig").splitlines()
    assert lines[-1].startswith("Total,Semua,2,4,3,1,33,6.0,65.0,3.5")
    xlsx = api.get(f"{BASE}/admin/helpdesk/report", {"format": "xlsx"})
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert sheet is not None and sheet.max_row == len(lines)

    backwards = api.get(
        f"{BASE}/admin/helpdesk/report", {"start": "2026-12-01", "end": "2026-11-01"}
    )
    assert backwards.status_code == 422 and "end" in backwards.json()["error"]["details"]
    too_long = api.get(
        f"{BASE}/admin/helpdesk/report", {"start": "2024-01-01", "end": "2026-01-01"}
    )
    assert too_long.status_code == 422

    page = manager.get("/c/alpha/manage/helpdesk/report/")
    html = page.content.decode()
    assert page.status_code == 200 and "33%" in html and "Pak Teknisi" in html
    assert 'id="report-data"' in html
    assert manager.get("/c/alpha/manage/helpdesk/report/?start=x").status_code == 400


def test_staff_and_residents_have_no_report(history, tenant_a) -> None:
    with tenant_context(tenant_a):
        token = issue_token(user=history["fixer"])[0]
    fixer = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    assert fixer.get(f"{BASE}/admin/helpdesk/report").status_code == 403


@pytest.fixture
def manager(tenant_a) -> dict[str, Any]:
    data = seed_complex(tenant_a, marker="alpha")
    client = Client()
    client.post("/c/alpha/login", {"username": data.manager.phone, "password": PASSWORD})
    return {**data.as_dict(), "client": client}


def test_a_manager_edits_a_category_adds_one_and_sets_office_hours(manager, tenant_a) -> None:
    client = manager["client"]
    page = client.get("/c/alpha/manage/helpdesk/settings/")
    assert page.status_code == 200 and "Fasilitas umum" in page.content.decode()
    with tenant_context(tenant_a):
        category = Category.objects.get(name="Fasilitas umum")
    hours = {"urgent": (1, 8), "high": (4, 24), "normal": (12, 48), "low": (48, 168)}

    def form(prefix: str, name: str, **changes: Any) -> dict[str, Any]:
        data = {"form": prefix if prefix == "new" else str(category.pk), f"{prefix}-name": name}
        data[f"{prefix}-is_active"] = "on"
        for priority, (response, resolution) in {**hours, **changes}.items():
            data[f"{prefix}-{priority}_response"] = response
            data[f"{prefix}-{priority}_resolution"] = resolution
        return data

    prefix = f"c{category.pk}"
    wrong = client.post(
        "/c/alpha/manage/helpdesk/settings/", form(prefix, "Fasum", normal=(50, 10))
    )
    assert wrong.status_code == 200 and 'role="alert"' in wrong.content.decode()
    saved = client.post("/c/alpha/manage/helpdesk/settings/", form(prefix, "Fasum"))
    assert saved.status_code == 302
    clash = client.post("/c/alpha/manage/helpdesk/settings/", form("new", "fasum"))
    assert "Sudah ada kategori" in clash.content.decode()  # the name is taken, told in Indonesian
    added = client.post("/c/alpha/manage/helpdesk/settings/", form("new", "Taman"))
    assert added.status_code == 302
    rules = {
        "form": "rules",
        "business_start": "07:00",
        "business_end": "16:00",
        "business_days": ["1", "2", "3", "4", "5", "6"],
        "reopen_days": "14",
        "auto_close_days": "5",
    }
    late = client.post("/c/alpha/manage/helpdesk/settings/", {**rules, "business_end": "06:00"})
    assert 'role="alert"' in late.content.decode()
    assert client.post("/c/alpha/manage/helpdesk/settings/", rules).status_code == 302
    assert client.post("/c/alpha/manage/helpdesk/settings/", {"form": "99"}).status_code == 400
    with tenant_context(tenant_a):
        target = ServiceTarget.objects.get(category__name="Fasum", priority="normal")
        assert (target.response_hours, target.resolution_hours) == (12, 48)
        assert Category.objects.filter(name="Taman", targets__priority="urgent").exists()
        config = HelpdeskSettings.current()
        assert config.business_days == [1, 2, 3, 4, 5, 6] and config.reopen_days == 14
        assert AuditEntry.objects.filter(action="helpdesk.settings_saved").count() == 1
        assert AuditEntry.objects.filter(action="helpdesk.category_saved").count() == 2
    resident = Client()
    resident.post(
        "/c/alpha/login", {"username": manager["resident_user"].phone, "password": PASSWORD}
    )
    assert resident.get("/c/alpha/manage/helpdesk/settings/").status_code == 403


def test_bulk_assignment_assigns_what_it_may_and_says_what_it_could_not(manager, tenant_a) -> None:
    with tenant_context(tenant_a):
        fixer = UserFactory(phone="081300000073", name="Pak Teknisi", roles=[Role.FACILITY_STAFF])
        category = Category.objects.get(name="Fasilitas umum")
        tickets = [
            file_ticket(actor=manager["resident_user"], category=category, title=t, description="-")
            for t in ("Satu", "Dua", "Tiga")
        ]
        move_ticket(ticket=tickets[2], to=S.CANCELLED, actor=manager["resident_user"])
    client = manager["client"]
    reply = client.post(
        "/c/alpha/manage/helpdesk/?status=",
        {"ticket": [str(t.pk) for t in tickets], "assignee": str(fixer.pk)},
        follow=True,
    )
    page = reply.content.decode()
    assert "2 keluhan diberikan kepada Pak Teknisi" in page
    assert f"#{tickets[2].pk} tidak ditugaskan" in page
    with tenant_context(tenant_a):
        statuses = sorted(Ticket.objects.values_list("status", flat=True))
        assert statuses == ["assigned", "assigned", "cancelled"]
    queued = client.post(
        "/c/alpha/manage/helpdesk/",
        {"ticket": [str(tickets[0].pk)], "assignee": "queue:cleaning_staff"},
        follow=True,
    )
    assert "tidak ditugaskan" in queued.content.decode()  # assigned already: not waiting
    nothing = client.post("/c/alpha/manage/helpdesk/", {"assignee": str(fixer.pk)}, follow=True)
    assert 'class="notice error"' in nothing.content.decode()


def test_the_queue_filters_by_person_and_block_and_sorts_by_priority(manager, tenant_a) -> None:
    with tenant_context(tenant_a):
        fixer = UserFactory(phone="081300000074", name="Pak Teknisi", roles=[Role.FACILITY_STAFF])
        category = Category.objects.get(name="Fasilitas umum")
        unit = manager["units"][0]
        low = file_ticket(
            actor=manager["manager"],
            category=category,
            title="Cat pudar",
            description="-",
            priority="low",
            unit=unit,
        )
        urgent = file_ticket(
            actor=manager["manager"],
            category=category,
            title="Kabel putus",
            description="-",
            priority="urgent",
        )
        move_ticket(ticket=low, to=S.ASSIGNED, actor=manager["manager"], assignee=fixer)
    api = Client(HTTP_AUTHORIZATION=f"Bearer {manager['manager_token']}")

    def titles(**params: Any) -> list[str]:
        reply = api.get(f"{BASE}/complaints", params)
        assert reply.status_code == 200, reply.content
        return [row["title"] for row in reply.json()["data"]]

    assert titles(sort="priority") == ["Kabel putus", "Cat pudar"]
    assert titles(sort="-priority") == ["Cat pudar", "Kabel putus"]
    assert titles(assignee=fixer.pk) == ["Cat pudar"]
    assert titles(block=unit.block) == ["Cat pudar"]
    assert api.get(f"{BASE}/complaints", {"sort": "title"}).status_code == 422
    page = manager["client"].get("/c/alpha/manage/helpdesk/", {"sort": "priority"}).content.decode()
    assert page.index("Kabel putus") < page.index("Cat pudar")
    assert f'value="{fixer.pk}"' in page  # the person filter and the bulk form list staff
    assert urgent.pk


def test_the_queue_and_the_list_cost_the_same_queries_for_3_and_40_tickets(
    manager, tenant_a
) -> None:
    api = Client(HTTP_AUTHORIZATION=f"Bearer {manager['manager_token']}")

    def queries() -> tuple[int, int]:
        with tenant_context(tenant_a):
            alias = current_alias()
        counts = []
        for client, path in (
            (manager["client"], "/c/alpha/manage/helpdesk/"),
            (api, f"{BASE}/complaints"),
        ):
            client.get(path)  # once before: a token's last use is written down now and then
            with CaptureQueriesContext(connections[alias]) as captured:
                assert client.get(path).status_code == 200
            counts.append(len(captured))
        return counts[0], counts[1]

    def add(count: int) -> None:
        with tenant_context(tenant_a):
            fixer = UserFactory(roles=[Role.FACILITY_STAFF], phone=f"08130000009{count % 10}")
            category = Category.objects.get(name="Fasilitas umum")
            for n in range(count):
                ticket = file_ticket(
                    actor=manager["manager"],
                    category=category,
                    title=f"Keluhan {n}",
                    description="-",
                    unit=manager["units"][n % 2],
                )
                move_ticket(ticket=ticket, to=S.ASSIGNED, actor=manager["manager"], assignee=fixer)

    add(3)
    few = queries()
    add(37)
    assert queries() == few

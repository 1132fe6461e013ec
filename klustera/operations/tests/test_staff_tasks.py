"""The staff's day in the API and the portal: a cleaner's tasks and the cleaners' queue,
completed with a photo (once, however often sent); a guard sees none of the cleaners'."""

from __future__ import annotations

import uuid
from datetime import date, time, timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from klustera.accounts.models import User
from klustera.accounts.services import create_user, issue_token
from klustera.notifications.models import Message
from klustera.operations.models import Task, TaskTemplate
from klustera.operations.services import generate_tasks
from klustera.operations.services.tasks import add_task
from klustera.payments.tests.test_manual import photo
from klustera.roles import Role
from klustera.tenancy.context import tenant_context
from tests.pages import PASSWORD

API = "/c/alpha/api/v1/staff/tasks"


@pytest.fixture
def day(portal, tenant_a, settings, tmp_path) -> dict[str, Any]:
    settings.MEDIA_ROOT = tmp_path
    with tenant_context(tenant_a):
        cleaner = create_user(
            phone="081300000061", name="Rina", password=PASSWORD, roles=[Role.CLEANING_STAFF]
        )
        token, _ = issue_token(user=cleaner, device_name="phone")
        for title, rules in (
            ("Sapu Blok A", {"assignee": cleaner, "photo_required": True}),
            ("Kuras kolam", {"queue": Role.CLEANING_STAFF}),
            ("Ganti lampu", {"queue": Role.FACILITY_STAFF}),
        ):
            TaskTemplate.objects.create(
                title=title,
                checklist=["Mulai", "Selesai"],
                at=time(7),
                starts_on=date(2026, 1, 1),
                **rules,
            )
        generate_tasks(day=timezone.localdate())
    page = Client()
    page.post("/c/alpha/login", {"username": "081300000061", "password": PASSWORD})
    return {"api": Client(HTTP_AUTHORIZATION=f"Bearer {token}"), "page": page, **portal}


def test_a_cleaner_completes_a_task_through_the_api_once(day, tenant_a) -> None:
    listed = day["api"].get(API).json()["data"]
    assert sorted(t["title"] for t in listed) == ["Kuras kolam", "Sapu Blok A"]
    sweep = next(t for t in listed if t["title"] == "Sapu Blok A")
    url = f"{API}/{sweep['id']}/complete"
    form = {
        "done": "true",
        "client_id": str(uuid.uuid4()),
        "device_time": timezone.now().isoformat(),
        "checked": ["0", "1"],
    }
    bare = day["api"].patch(url, _multipart(form), content_type=_BOUNDARY_TYPE)
    assert bare.status_code == 422
    assert bare.json()["error"]["details"]["codes"] == {"photos": ["photo_required"]}
    sent = {**form, "photos": photo("kerja.png")}
    first = day["api"].patch(url, _multipart(sent), content_type=_BOUNDARY_TYPE)
    assert first.status_code == 200, first.content
    assert first.json()["data"]["status"] == "done"
    assert len(first.json()["data"]["photos"]) == 1
    again = day["api"].patch(
        url, _multipart({**sent, "photos": photo("x.png")}), content_type=_BOUNDARY_TYPE
    )
    assert again.status_code == 200 and len(again.json()["data"]["photos"]) == 1
    guard = day["clients"]["guard"]
    assert guard.get("/c/alpha/tasks/").status_code == 200
    assert "Kuras kolam" not in guard.get("/c/alpha/tasks/").content.decode()


def test_a_completion_queued_offline_is_judged_by_when_the_phone_sent_it(day) -> None:
    """Done at 07:00 with no network, sent at 09:00: the phone's clock is right, not skewed;
    a phone two hours off on both is flagged."""
    listed = day["api"].get(API).json()["data"]
    queue = next(t for t in listed if t["title"] == "Kuras kolam")
    sweep = next(t for t in listed if t["title"] == "Sapu Blok A")
    now = timezone.now()
    queued = {
        "done": "true",
        "client_id": str(uuid.uuid4()),
        "device_time": (now - timedelta(hours=2)).isoformat(),
        "sent_at": now.isoformat(),
    }
    on_time = day["api"].patch(
        f"{API}/{queue['id']}/complete", _multipart(queued), content_type=_BOUNDARY_TYPE
    )
    assert on_time.status_code == 200, on_time.content
    assert on_time.json()["data"]["clock_skewed"] is False
    off = {
        **queued,
        "client_id": str(uuid.uuid4()),
        "sent_at": (now - timedelta(hours=2)).isoformat(),
        "photos": photo("kerja.png"),
    }
    skewed = day["api"].patch(
        f"{API}/{sweep['id']}/complete", _multipart(off), content_type=_BOUNDARY_TYPE
    )
    assert skewed.json()["data"]["clock_skewed"] is True


def test_a_task_given_to_a_person_tells_them_with_a_link_to_it(day, tenant_a) -> None:
    with tenant_context(tenant_a):
        cleaner = User.objects.get(phone="+6281300000061")
        task = add_task(
            actor=day["manager"],
            title="Tumpahan oli",
            assignee=cleaner,
            starts_at=timezone.now(),
            due_at=timezone.now() + timedelta(hours=1),
        )
        told = Message.objects.filter(template="task_assigned", recipient=cleaner)
        assert told.exists()
        assert all(m.context["link"].endswith(f"/tasks/#task-{task.pk}") for m in told)


def test_a_cleaner_ticks_off_the_day_in_the_portal(day, tenant_a) -> None:
    page = day["page"].get("/c/alpha/tasks/").content.decode()
    assert "Kuras kolam" in page and "Ganti lampu" not in page
    with tenant_context(tenant_a):
        pool = Task.objects.get(title="Kuras kolam")
    form_id = str(uuid.uuid4())
    url = f"/c/alpha/tasks/{pool.pk}/complete"
    day["page"].post(url, {"form": form_id, "outcome": "not_done"})  # no reason: refused
    with tenant_context(tenant_a):
        assert Task.objects.get(pk=pool.pk).status == "open"
    sent = {"form": form_id, "outcome": "not_done", "reason": "Pompa rusak"}
    day["page"].post(url, sent)
    day["page"].post(url, sent)  # the same form sent twice
    with tenant_context(tenant_a):
        pool.refresh_from_db()
        assert (pool.status, pool.reason) == ("not_done", "Pompa rusak")
    seen = day["page"].get("/c/alpha/tasks/").content.decode()
    assert "Pompa rusak" in seen
    assert day["clients"]["resident"].get("/c/alpha/tasks/").status_code == 403


_BOUNDARY_TYPE = "multipart/form-data; boundary=BoUnDaRy"


def _multipart(fields: dict[str, Any]) -> bytes:
    from django.test.client import encode_multipart

    return encode_multipart("BoUnDaRy", fields)


def test_a_manager_keeps_templates_and_gives_out_a_task_now(day, tenant_a) -> None:
    manager = day["clients"]["manager"]
    api = Client(HTTP_AUTHORIZATION=f"Bearer {day['manager_token']}")
    base = "/c/alpha/api/v1/admin"
    body = {
        "title": "Ronda kebersihan malam",
        "queue": "cleaning_staff",
        "frequency": "hourly",
        "at": "22:00",
        "every_hours": 2,
        "starts_on": f"{timezone.localdate()}",
    }
    half = api.post(f"{base}/task-templates", body, content_type="application/json")
    assert half.json()["error"]["details"]["codes"] == {"every_hours": ["schedule_incomplete"]}
    made = api.post(
        f"{base}/task-templates", {**body, "until": "04:00"}, content_type="application/json"
    )
    assert made.status_code == 201, made.content
    template = made.json()["data"]
    changed = api.put(
        f"{base}/task-templates/{template['id']}",
        {**body, "until": "04:00", "is_active": False},
        content_type="application/json",
    )
    assert changed.status_code == 200 and changed.json()["data"]["is_active"] is False
    nobody = api.post(
        f"{base}/tasks",
        {
            "title": "Tumpahan oli",
            "starts_at": "2026-12-02T10:00:00+07:00",
            "due_at": "2026-12-02T11:00:00+07:00",
        },
        content_type="application/json",
    )
    assert nobody.json()["error"]["details"]["codes"] == {"queue": ["no_assignee"]}
    page = manager.get("/c/alpha/manage/tasks/").content.decode()
    assert "Ronda kebersihan malam" in page
    start = timezone.localtime().replace(minute=0, second=0, microsecond=0)
    given = manager.post(
        "/c/alpha/manage/tasks/",
        {
            "title": "Tumpahan oli di Blok C",
            "queue": "cleaning_staff",
            "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
            "due_at": (start + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
        },
    )
    assert given.status_code == 302
    assert "Tumpahan oli di Blok C" in day["page"].get("/c/alpha/tasks/").content.decode()
    form = manager.post(
        "/c/alpha/manage/tasks/templates/new/",
        {
            "title": "Cuci tong",
            "frequency": "weekdays",
            "at": "07:00",
            "starts_on": f"{timezone.localdate()}",
            "queue": "cleaning_staff",
            "estimated_minutes": "30",
            "is_active": "on",
        },
    ).content.decode()
    assert 'role="alert"' in form  # no weekdays chosen


def test_the_manager_sees_the_work_of_a_day_and_of_the_week(day, tenant_a) -> None:
    with tenant_context(tenant_a):
        sweep = Task.objects.get(title="Sapu Blok A")
        # Today's work started at the day's first moment, whatever the hour the suite runs
        # (the templates say 07:00, which is still to come just after midnight).
        midnight = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
        Task.objects.update(starts_at=midnight, due_at=timezone.now() + timedelta(hours=1))
        lamp = Task.objects.filter(title="Ganti lampu")
        lamp.update(due_at=max(midnight, timezone.now() - timedelta(minutes=1)))
    listed = day["api"].get(API).json()["data"]
    assert next(t for t in listed if t["title"] == "Kuras kolam")["overdue"] is False
    form = {
        "done": "true",
        "client_id": str(uuid.uuid4()),
        "device_time": timezone.now().isoformat(),
        "photos": photo("kerja.png"),
    }
    day["api"].patch(f"{API}/{sweep.pk}/complete", _multipart(form), content_type=_BOUNDARY_TYPE)
    api = Client(HTTP_AUTHORIZATION=f"Bearer {day['manager_token']}")
    late = api.get("/c/alpha/api/v1/admin/tasks?status=late").json()
    assert [t["title"] for t in late["data"]] == ["Ganti lampu"]
    assert late["data"][0]["overdue"] is True
    done = api.get("/c/alpha/api/v1/admin/tasks?status=done").json()["data"]
    assert [t["title"] for t in done] == ["Sapu Blok A"] and len(done[0]["photos"]) == 1
    assert api.get("/c/alpha/api/v1/admin/tasks?day=2026-02-30").status_code == 422
    week = api.get("/c/alpha/api/v1/admin/tasks/week").json()["data"]
    today = next(d for d in week["days"] if d["label"] == f"{timezone.localdate()}")
    assert (today["done"], today["open"], today["late"], today["done_percent"]) == (1, 2, 1, 33)
    assert {t["label"]: t["done"] for t in week["staff"]}["Rina"] == 1
    manager = day["clients"]["manager"]
    page = manager.get("/c/alpha/manage/tasks/done/?status=done").content.decode()
    assert "Sapu Blok A" in page and "Kuras kolam" not in page and "?size=thumb" in page
    sheet = manager.get("/c/alpha/manage/tasks/week/?format=csv")
    assert sheet["Content-Type"].startswith("text/csv")
    assert "Rina,1,0,0,0,100" in sheet.content.decode("utf-8-sig")
    xlsx = manager.get("/c/alpha/manage/tasks/week/?format=xlsx")
    assert xlsx.content.startswith(b"PK")
    assert day["page"].get("/c/alpha/manage/tasks/week/").status_code == 403

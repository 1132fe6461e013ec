"""The simulated people of ``bench/load.py`` (a locustfile): residents, guards and managers of
the complexes listed in ``$LOAD_PEOPLE`` (JSON lines from ``load_seed.py``), each staying in
one complex as one of its people, with 5–15 s between actions.

* residents (7 in 10): the portal's home and invoice pages, their invoices through the API,
  an invoice's PDF, and now and then paying an open invoice through the Xendit simulator
  (the checkout page's "Pay"; the simulator's callback then reaches the app through nginx);
* guards (2 in 10): a visitor's code checked at the gate;
* managers (1 in 10): the dashboard (the portal's home) and the financial reports.

Requests are named by what they are, so each has its own line of figures.
"""

from __future__ import annotations

import itertools
import json
import os
import random
from pathlib import Path
from typing import Any

from locust import FastHttpUser, between, task

COMPLEXES = [json.loads(line) for line in Path(os.environ["LOAD_PEOPLE"]).read_text().splitlines()]
_turns = itertools.count()
OPEN = ("pending", "partially_paid", "overdue")


class Person(FastHttpUser):
    abstract = True
    wait_time = between(5, 15)
    role = ""

    def on_start(self) -> None:
        turn = next(_turns)
        complex_ = COMPLEXES[turn % len(COMPLEXES)]
        self.slug = complex_["slug"]
        self.complex = complex_
        people = complex_[self.role]
        self.me: dict[str, Any] = people[(turn // len(COMPLEXES)) % len(people)]
        self.api = {"Authorization": f"Bearer {self.me['token']}"}
        self.page = {"Cookie": f"sessionid_{self.slug}={self.me['session']}"}

    def get_page(self, path: str, name: str) -> None:
        with self.client.get(
            f"/c/{self.slug}{path}", headers=self.page, name=name, catch_response=True,
            allow_redirects=False,
        ) as answer:  # fmt: skip
            if answer.status_code != 200:  # a redirect here is a sign-in page: a failure
                answer.failure(f"{answer.status_code}")

    def get_api(self, path: str, name: str) -> Any:
        with self.client.get(
            f"/c/{self.slug}/api/v1/{path}", headers=self.api, name=name, catch_response=True
        ) as answer:
            if answer.status_code != 200:
                answer.failure(f"{answer.status_code}")
                return None
            return answer.json() if "json" in answer.headers.get("content-type", "") else None


class Resident(Person):
    weight = 7
    role = "residents"

    @task(3)
    def home(self) -> None:
        self.get_page("/", "page: home (resident)")

    @task(2)
    def invoices(self) -> None:
        self.get_page("/invoices/", "page: invoices")

    @task(2)
    def invoices_api(self) -> None:
        self.get_api("invoices", "api: invoices")

    @task(1)
    def invoice_pdf(self) -> None:
        invoice = random.choice(self.me["invoices"])
        self.get_page(f"/invoices/{invoice}/pdf", "page: invoice PDF")

    @task(1)
    def pay(self) -> None:
        """An open invoice paid at the simulator's checkout, as a person would."""
        listed = self.get_api("invoices", "api: invoices")
        open_ = [item for item in (listed or {}).get("data", []) if item["status"] in OPEN]
        if not open_:
            return
        with self.client.post(
            f"/c/{self.slug}/api/v1/invoices/{open_[0]['id']}/pay", json={"kind": "checkout"},
            headers=self.api, name="api: pay an invoice", catch_response=True,
        ) as answer:  # fmt: skip
            if answer.status_code == 422 and "invoice_already_paid" in answer.text:
                answer.success()  # paid meanwhile (its callback came after the list): told so
                return
            if answer.status_code not in (200, 201):
                answer.failure(f"{answer.status_code}: {answer.text[:200]}")
                return
            checkout = answer.json()["data"]["checkout_url"]
        self.client.post(
            checkout, data={"action": "pay", "channel": "QRIS"}, name="xendit-sim: checkout",
            allow_redirects=False,
        )  # fmt: skip


class Guard(Person):
    weight = 2
    role = "guards"

    @task
    def verify(self) -> None:
        code = random.choice(self.complex["codes"])
        with self.client.post(
            f"/c/{self.slug}/api/v1/access/verify", json={"payload": code, "gate": "Utama"},
            headers=self.api, name="api: gate verify", catch_response=True,
        ) as answer:  # fmt: skip
            if answer.status_code != 200 or answer.json()["data"]["result"] != "valid":
                answer.failure(f"{answer.status_code}: {answer.text[:200]}")


class Manager(Person):
    weight = 1
    role = "managers"

    @task(3)
    def dashboard(self) -> None:
        self.get_page("/", "page: dashboard (manager)")

    @task(1)
    def aging(self) -> None:
        self.get_page("/manage/reports/aging", "page: report (aging)")

    @task(1)
    def collection(self) -> None:
        self.get_api("admin/reports/collection", "api: report (collection)")

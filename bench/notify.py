"""Notification benchmark: an announcement to 5,000 residents, through the real queue.

Creates one complex with N residents who opted in to WhatsApp, points it at
the local WhatsApp Cloud API simulator, queues the announcement for all of
them (one outbox row each, enqueued on commit into the SQLite task queue),
then drains the ``notifications`` queue with a Huey consumer. Prints the
enqueue rate, messages/s through the queue and the time until the last
message is delivered.

    python bench/notify.py [--residents 5000] [--threads 4]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--residents", type=int, default=5000)
    parser.add_argument("--threads", type=int, default=4)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="klustera-bench-notify-") as var_dir:
        os.environ.update(
            {
                "DJANGO_SETTINGS_MODULE": "klustera.settings",
                "KLUSTERA_VAR_DIR": var_dir,
                "DATABASE_URL": f"sqlite:///{var_dir}/platform.sqlite3",
                "REDIS_URL": "",
                "TASKS_IMMEDIATE": "",
            }
        )
        import django

        django.setup()
        run(args.residents, args.threads)


def run(residents: int, threads: int) -> None:
    from datetime import time as clock_time

    from django.conf import settings
    from django.core.management import call_command
    from django.utils import timezone
    from huey.consumer import Consumer

    from klustera.accounts.models import User
    from klustera.notifications.models import Channel, Consent, Message
    from klustera.notifications.services import notify, update_settings
    from klustera.notifications.simulator import ProviderSimulator, serve
    from klustera.tasks import queue
    from klustera.tenancy.context import tenant_atomic, tenant_context
    from klustera.tenancy.services import NewManager, provision_tenant

    call_command("migrate", database="default", verbosity=0)
    tenant = provision_tenant(
        name="Bench Residence",
        slug="bench",
        max_units=residents,
        manager=NewManager(phone="081100000001", name="Manager", password="x-pass-123"),
    )
    simulator = ProviderSimulator()
    with serve(simulator) as base, tenant_context(tenant):
        settings.WHATSAPP_GRAPH_URL = f"{base}/v21.0"
        update_settings(
            changes={
                "whatsapp_provider": "meta_cloud",
                "whatsapp_phone_number_id": simulator.phone_number_id,
                "whatsapp_access_token": simulator.whatsapp_token,
                "quiet_start": clock_time(0, 0),
                "quiet_end": clock_time(0, 0),
            }
        )
        now = timezone.now()
        users = User.objects.bulk_create(
            User(phone=f"+62813{i:08d}", name=f"Warga {i}", password="!") for i in range(residents)
        )
        Consent.objects.bulk_create(
            Consent(user=u, channel=Channel.WHATSAPP, method="registration", granted_at=now)
            for u in users
        )
        context = {
            "complex": tenant.name,
            "title": "Kerja bakti Minggu",
            "body": "Kerja bakti membersihkan saluran air, Minggu pukul 07.00.",
        }

        started = time.perf_counter()
        with tenant_atomic():
            for user in users:
                notify(
                    recipient=user,
                    template="announcement",
                    context=context,
                    channels=[Channel.WHATSAPP],
                )
        queued_s = time.perf_counter() - started
        huey = queue("notifications")
        print(f"Announcement to {residents} residents, {threads} worker threads, SQLite")
        print(
            f"  queued {residents} outbox rows + tasks in {queued_s:.1f} s "
            f"({residents / queued_s:,.0f}/s); pending in queue: {huey.pending_count()}"
        )

        consumer = Consumer(
            huey,
            workers=threads,
            worker_type="thread",
            periodic=False,
            initial_delay=0.01,
            max_delay=0.1,
        )
        started = time.perf_counter()
        consumer.start()
        sent = 0
        while sent < residents and time.perf_counter() - started < 900:
            time.sleep(0.25)
            sent = Message.objects.filter(status=Message.Status.SENT).count()
        drained_s = time.perf_counter() - started
        consumer.stop(graceful=True)
        failed = Message.objects.exclude(status=Message.Status.SENT).count()
        print(
            f"  delivered {sent} to the simulator in {drained_s:.1f} s: "
            f"{sent / drained_s:,.0f} messages/s through the queue"
        )
        print(
            f"  time until the last message was delivered: {drained_s:.1f} s "
            f"(from the start of draining); not sent: {failed}"
        )
        print(
            f"  simulator received {len(simulator.sent('whatsapp'))} requests "
            f"(duplicates: {len(simulator.sent('whatsapp')) - sent})"
        )


if __name__ == "__main__":
    main()

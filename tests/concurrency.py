"""Jobs run at the same moment, as two phones or two workers would: for the tests that prove
the database decides (on a complex provisioned by the test, whose writes really commit)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from django.db import connections

from klustera.tenancy.context import tenant_context


def at_once(tenant: Any, jobs: list[Callable[[], Any]]) -> list[Any]:
    """Run the jobs in threads released together, each with its own connection to the
    complex; their results in order. A job's error, or one still running after two
    minutes, fails the test."""
    start = threading.Barrier(len(jobs))
    results: list[Any] = [None] * len(jobs)
    errors: list[BaseException] = []

    def work(index: int) -> None:
        try:
            with tenant_context(tenant):
                start.wait(timeout=30)
                results[index] = jobs[index]()
        except BaseException as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work, args=(i,)) for i in range(len(jobs))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a job did not finish"
    assert not errors, errors
    return results

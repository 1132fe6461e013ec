"""Gunicorn's hooks for metrics in multiprocess mode.

Loaded with ``--config python:klustera.observability.gunicorn``. A worker that exits
(``--max-requests``, a crash, a reload) leaves its counters' files, so no count is lost, and
gives up its live gauges, so they stop being added in.
"""

from __future__ import annotations

from typing import Any

from prometheus_client import multiprocess


def child_exit(server: Any, worker: Any) -> None:
    multiprocess.mark_process_dead(worker.pid)

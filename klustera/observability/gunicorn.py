"""Gunicorn's settings and hooks, loaded with ``--config python:klustera.observability.gunicorn``.

A worker that exits (``--max-requests``, a crash, a reload) leaves its metrics' counter
files, so no count is lost, and gives up its live gauges, so they stop being added in. The
master never loads the settings otherwise; it reads their metrics directory then (without it,
``PROMETHEUS_MULTIPROC_DIR`` unset, the first worker to exit took the master down with it).

Gunicorn 25.1+ opens a control socket at one path per user (``$XDG_RUNTIME_DIR/gunicorn.ctl``
or ``~/.gunicorn/gunicorn.ctl``): two instances on one machine would take it from each
other, and the first to stop would remove the other's. It is off unless
``GUNICORN_CONTROL_SOCKET`` gives this instance a path of its own.
"""

from __future__ import annotations

import os
from typing import Any

from django.conf import settings
from prometheus_client import multiprocess

if os.environ.get("GUNICORN_CONTROL_SOCKET"):
    control_socket = os.environ["GUNICORN_CONTROL_SOCKET"]
else:
    control_socket_disable = True


def child_exit(server: Any, worker: Any) -> None:
    multiprocess.mark_process_dead(worker.pid, str(settings.METRICS_DIR))

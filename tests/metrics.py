"""Reading this test process's own Prometheus figures (multiprocess mode).

Every process writes its own files into ``METRICS_DIR``; a test reads only those of its own
process, so another pytest-xdist worker's requests never count, and compares before and after.
"""

from __future__ import annotations

import os
from pathlib import Path

from django.conf import settings
from prometheus_client.multiprocess import MultiProcessCollector


def sample(name: str, **labels: str) -> float:
    """The sum of this process's samples called ``name`` whose labels include ``labels``."""
    files = [str(f) for f in Path(settings.METRICS_DIR).glob(f"*_{os.getpid()}.db")]
    total = 0.0
    for metric in MultiProcessCollector.merge(files, accumulate=True):
        for s in metric.samples:
            if s.name == name and all(s.labels.get(k) == v for k, v in labels.items()):
                total += s.value
    return total

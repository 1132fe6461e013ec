"""Staff operations' use cases, one module per family; the public verbs are re-exported here.

``tasks`` (templates, the day's tasks, completion), ``patrols`` (checkpoints, routes,
scans, rounds and their misses) and ``shifts`` (check in and out).
"""

from klustera.operations.services.patrols import (
    CHECKPOINT_FIELDS,
    ROUTE_FIELDS,
    check_rounds,
    checkpoint_token,
    first_scans,
    guards_on_duty,
    make_rounds,
    save_checkpoint,
    save_route,
    scan_checkpoint,
)
from klustera.operations.services.shifts import check_in, check_out, on_duty
from klustera.operations.services.tasks import (
    TEMPLATE_FIELDS,
    add_task,
    complete_task,
    generate_tasks,
    save_template,
)

__all__ = [
    "CHECKPOINT_FIELDS",
    "ROUTE_FIELDS",
    "TEMPLATE_FIELDS",
    "add_task",
    "check_in",
    "check_out",
    "check_rounds",
    "checkpoint_token",
    "complete_task",
    "first_scans",
    "generate_tasks",
    "guards_on_duty",
    "make_rounds",
    "on_duty",
    "save_checkpoint",
    "save_route",
    "save_template",
    "scan_checkpoint",
]

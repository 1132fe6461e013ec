"""Staff operations' use cases, one module per family; the public verbs are re-exported here.

``tasks`` (templates, the day's tasks, completion), ``patrols`` (checkpoints, routes,
scans, rounds and their misses), ``shifts`` (check in and out) and ``incidents``
(reported, followed up, summed up).
"""

from klustera.operations.services.incidents import (
    MOVES,
    follow_up_incident,
    incident_counts,
    report_incident,
    send_incident_summary,
)
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
    "MOVES",
    "ROUTE_FIELDS",
    "TEMPLATE_FIELDS",
    "add_task",
    "check_in",
    "check_out",
    "check_rounds",
    "checkpoint_token",
    "complete_task",
    "first_scans",
    "follow_up_incident",
    "generate_tasks",
    "guards_on_duty",
    "incident_counts",
    "make_rounds",
    "on_duty",
    "report_incident",
    "save_checkpoint",
    "save_route",
    "save_template",
    "scan_checkpoint",
    "send_incident_summary",
]

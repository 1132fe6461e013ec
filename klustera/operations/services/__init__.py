"""Staff operations' use cases, one module per family; the public verbs are re-exported here.

``tasks`` (templates, the day's tasks, completion), ``patrols`` (checkpoints, routes,
scans, rounds and their misses) and ``shifts`` (check in and out).
"""

from klustera.operations.services.tasks import (
    TEMPLATE_FIELDS,
    add_task,
    complete_task,
    generate_tasks,
    save_template,
)

__all__ = [
    "TEMPLATE_FIELDS",
    "add_task",
    "complete_task",
    "generate_tasks",
    "save_template",
]

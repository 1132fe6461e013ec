"""The personal data of staff work (see klustera.privacy.declaration)."""

from django.utils.translation import gettext_lazy as _

from klustera.privacy.declaration import Category, Erase, Personal, Retention

PERSONAL_DATA = [
    Personal(
        "operations.Shift",
        owner="user",
        fields={
            "start_latitude": Category.LOCATION,
            "start_longitude": Category.LOCATION,
            "end_latitude": Category.LOCATION,
            "end_longitude": Category.LOCATION,
        },
        shows=("started_at", "ended_at"),
        purpose=_("Staff attendance: where a shift started and ended"),
        retention=Retention.OPERATIONAL,
        dated_by="started_at",
    ),
    Personal(
        "operations.PatrolScan",
        owner="guard",
        fields={"latitude": Category.LOCATION, "longitude": Category.LOCATION},
        shows=("checkpoint_id", "scanned_at"),
        purpose=_("Proving a patrol passed its checkpoints"),
        retention=Retention.OPERATIONAL,
        dated_by="scanned_at",
    ),
    Personal(
        "operations.TaskPhoto",
        owner="task__completed_by",
        fields={"image": Category.IMAGE, "thumbnail": Category.IMAGE},
        purpose=_("Proving a task was done"),
        retention=Retention.OPERATIONAL,
        erase=Erase.KEEP,  # a photo of the work, kept for its year
    ),
    Personal(
        "operations.Incident",
        owner="reported_by",
        fields={
            "description": Category.IDENTITY,
            "people": Category.IDENTITY,
            "location": Category.LOCATION,
            "latitude": Category.LOCATION,
            "longitude": Category.LOCATION,
        },
        purpose=_("The estate's security and safety record"),
        erase=Erase.KEEP,  # a record of the estate's, under the reporter's pseudonym
    ),
    Personal(
        "operations.IncidentPhoto",
        owner="incident__reported_by",
        fields={"image": Category.IMAGE, "thumbnail": Category.IMAGE},
        purpose=_("The estate's security and safety record"),
        erase=Erase.KEEP,
    ),
    Personal(
        "operations.IncidentEvent",
        owner="actor",
        fields={"actor_label": Category.IDENTITY},
        purpose=_("The history of an incident"),
    ),
]

NOT_PERSONAL = {
    "operations.Checkpoint.name": "a place on a patrol route",
    "operations.Checkpoint.latitude": "a place on a patrol route",
    "operations.Checkpoint.longitude": "a place on a patrol route",
    "operations.PatrolRoute.name": "a patrol route",
    "operations.TaskTemplate.photo_required": "whether a task needs a photo",
    "operations.Task.photo_required": "whether a task needs a photo",
}

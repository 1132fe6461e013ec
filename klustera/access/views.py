"""Guard mode: the full-screen gate page for a tablet or phone (camera scan, typed codes).

The page posts each check to ``gate_verify`` and shows the answer in large
type; the recent entries and the walk-ins waiting are refreshed by htmx
polling ``gate_activity``. The service does the deciding and the logging, as
it does for the API.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from klustera.access.models import AccessLog, Parcel, WalkIn
from klustera.access.services import LockedOut, guard_decides, verify
from klustera.accounts.policies import guards_the_gate

DEFAULT_GATE = "Gerbang Utama"
RECENT = 12


def _guard(request: HttpRequest) -> None:
    if not guards_the_gate(request.user):
        raise PermissionDenied


def _gate_name(request: HttpRequest) -> str:
    return str(request.session.get("gate_name") or DEFAULT_GATE)


@login_required
@require_GET
def gate_mode(request: HttpRequest) -> HttpResponse:
    _guard(request)
    return render(
        request,
        "access/gate_mode.html",
        {"gate_name": _gate_name(request), **_activity()},
    )


@login_required
@require_POST
def gate_verify(request: HttpRequest) -> HttpResponse:
    """A scanned or typed code: the answer in large type (and in the log)."""
    _guard(request)
    payload = request.POST.get("payload", "").strip()[:600]
    gate = request.POST.get("gate", "").strip()[:40] or DEFAULT_GATE
    request.session["gate_name"] = gate
    context: dict[str, object] = {"payload_given": bool(payload)}
    if payload:
        try:
            decision = verify(
                payload=payload,
                guard=request.user,  # type: ignore[arg-type]
                gate=gate,
                device=request.POST.get("device", "")[:64],
                plate=request.POST.get("plate", "")[:15],
            )
        except LockedOut:
            context["locked"] = True
        else:
            context["decision"] = decision
            context["reason"] = AccessLog.Result(decision.result).label
    response = render(request, "access/_gate_result.html", context)
    response["HX-Trigger"] = "gate-checked"  # the recent checks refresh at once
    return response


@login_required
@require_GET
def gate_activity(request: HttpRequest) -> HttpResponse:
    _guard(request)
    return render(request, "access/_gate_activity.html", _activity())


@login_required
@require_POST
def gate_walk_in_decide(request: HttpRequest, pk: int) -> HttpResponse:
    """The unit did not answer in time: the guard lets the visitor in or not."""
    _guard(request)
    walk_in = get_object_or_404(WalkIn, pk=pk)
    error = ""
    try:
        guard_decides(
            walk_in=walk_in,
            guard=request.user,  # type: ignore[arg-type]
            allow=request.POST.get("allow") == "1",
        )
    except ValidationError as exc:
        error = " ".join(exc.messages)
    return render(request, "access/_gate_activity.html", {**_activity(), "error": error})


def _activity() -> dict[str, object]:
    return {
        "recent": list(
            AccessLog.objects.select_related("unit", "resident", "invitation").order_by("-at")[
                :RECENT
            ]
        ),
        "walk_ins": list(
            WalkIn.objects.select_related("unit")
            .filter(status=WalkIn.Status.WAITING)
            .order_by("created_at")
        ),
        "parcels_waiting": Parcel.objects.filter(status=Parcel.Status.WAITING).count(),
        "now": timezone.now(),
    }

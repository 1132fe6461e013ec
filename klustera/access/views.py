"""Guard mode: the full-screen gate page for a tablet or phone (camera scan, typed codes).

The page posts each check to ``gate_verify`` and shows the answer in large
type; the recent entries and the walk-ins waiting are refreshed by htmx
polling ``gate_activity``. The service does the deciding and the logging, as
it does for the API.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import segno
from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import trigger_client_event

from klustera.access import shifts
from klustera.access.filters import LogFilters
from klustera.access.models import AccessLog, GuestInvitation, Parcel, WalkIn
from klustera.access.selectors import filter_logs
from klustera.access.services import (
    LockedOut,
    answer_walk_in,
    cancel_guest,
    code_of,
    current_pass,
    guard_decides,
    hand_over_parcel,
    inside,
    log_parcel,
    record_exit,
    register_guest,
    register_walk_in,
    verify,
)
from klustera.api import user_of
from klustera.estate.forms import UnitField
from klustera.estate.models import Resident, Unit
from klustera.estate.selectors import current_households, units_visible_to
from klustera.paging import filters_of, paginate
from klustera.permissions import manager_required
from klustera.roles import guards_the_gate, is_manager
from klustera.uploads import check_photo

DEFAULT_GATE = "Gerbang Utama"
RECENT = 12


def _guard(request: HttpRequest) -> None:
    if not guards_the_gate(request.user):
        raise PermissionDenied


def _locked(request: HttpRequest) -> str:
    """Why this device may not work the gate now ("" when it may): the shift lock."""
    try:
        shifts.require_open_gate(guard=user_of(request), holder=shifts.holder_of(request))
    except shifts.GateLocked as exc:
        return " ".join(exc.messages)
    return ""


def _back_to_the_lock(request: HttpRequest, reason: str) -> HttpResponse:
    messages.error(request, reason)
    return redirect("gate-mode")


def _gate_name(request: HttpRequest) -> str:
    return str(request.session.get("gate_name") or DEFAULT_GATE)


@login_required
@require_GET
def gate_mode(request: HttpRequest) -> HttpResponse:
    _guard(request)
    state = shifts.shift_state(guard=user_of(request), holder=shifts.holder_of(request))
    return render(
        request,
        "access/gate_mode.html",
        {
            "gate_name": _gate_name(request),
            "shift_state": state,
            "idle": shifts.IDLE_MINUTES,
            **_activity(),
        },
    )


@login_required
@require_POST
def gate_verify(request: HttpRequest) -> HttpResponse:
    """A scanned or typed code: the answer in large type (and in the log)."""
    _guard(request)
    payload = request.POST.get("payload", "").strip()[:600]
    gate = request.POST.get("gate", "").strip()[:40] or DEFAULT_GATE
    request.session["gate_name"] = gate
    context: dict[str, object] = {"payload_given": bool(payload), "gate_locked": _locked(request)}
    if payload and not context["gate_locked"]:
        try:
            decision = verify(
                payload=payload,
                guard=user_of(request),
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
    trigger_client_event(response, "gate-checked")  # the recent checks refresh at once
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
    error = _locked(request)
    if error:
        return render(request, "access/_gate_activity.html", {**_activity(), "error": error})
    try:
        guard_decides(
            walk_in=walk_in,
            guard=user_of(request),
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
            .prefetch_related(current_households("unit"))
            .filter(status=WalkIn.Status.WAITING)
            .order_by("created_at")
        ),
        "parcels_waiting": Parcel.objects.filter(status=Parcel.Status.WAITING).count(),
        "now": timezone.now(),
    }


# --- The guard's other pages: a walk-in, parcels, who is inside -----------------------


class WalkInForm(forms.Form):
    unit = UnitField()
    visitor_name = forms.CharField(max_length=100, label=gettext_lazy("Visitor's name"))
    visitor_phone = forms.CharField(
        max_length=20, required=False, label=gettext_lazy("Visitor's phone (optional)")
    )
    purpose = forms.CharField(max_length=120, label=gettext_lazy("Purpose of the visit"))
    photo = forms.ImageField(
        required=False,
        label=gettext_lazy("Photo of the visitor"),
        widget=forms.ClearableFileInput(attrs={"accept": "image/*", "capture": "environment"}),
    )

    def clean_photo(self) -> object:
        photo = self.cleaned_data.get("photo")
        return check_photo(photo) if photo else None


@login_required
def gate_walk_in(request: HttpRequest) -> HttpResponse:
    """A visitor nobody announced: registered with a photo; the unit is asked at once."""
    _guard(request)
    form = WalkInForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and (reason := _locked(request)):
        return _back_to_the_lock(request, reason)
    if request.method == "POST" and form.is_valid():
        try:
            walk_in = register_walk_in(
                guard=user_of(request), gate=_gate_name(request), **form.cleaned_data
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(
                request,
                _("%(name)s is waiting; %(unit)s has been asked to allow or refuse.")
                % {"name": walk_in.visitor_name, "unit": walk_in.unit},
            )
            return redirect("gate-mode")
    return render(request, "access/gate_walk_in.html", {"form": form, "units": Unit.objects.all()})


class ParcelForm(forms.Form):
    unit = UnitField()
    recipient_name = forms.CharField(max_length=100, label=gettext_lazy("For"))
    courier = forms.CharField(max_length=60, label=gettext_lazy("Courier"))
    tracking_number = forms.CharField(
        max_length=60, required=False, label=gettext_lazy("Tracking number (optional)")
    )
    note = forms.CharField(max_length=200, required=False, label=gettext_lazy("Note (optional)"))
    photo = forms.ImageField(
        required=False,
        label=gettext_lazy("Photo of the parcel"),
        widget=forms.ClearableFileInput(attrs={"accept": "image/*", "capture": "environment"}),
    )
    clean_photo = WalkInForm.clean_photo


@login_required
def gate_parcels(request: HttpRequest) -> HttpResponse:
    """Parcels at the gate: log one (the unit is told), hand one over."""
    _guard(request)
    form = ParcelForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and (reason := _locked(request)):
        return _back_to_the_lock(request, reason)
    if request.method == "POST" and form.is_valid():
        parcel = log_parcel(guard=user_of(request), gate=_gate_name(request), **form.cleaned_data)
        messages.success(
            request,
            _("Parcel for %(name)s logged; %(unit)s has been told.")
            % {"name": parcel.recipient_name, "unit": parcel.unit},
        )
        return redirect("gate-parcels")
    waiting = Parcel.objects.select_related("unit").filter(status=Parcel.Status.WAITING)
    return render(
        request,
        "access/gate_parcels.html",
        {"form": form, "waiting": waiting.order_by("received_at"), "units": Unit.objects.all()},
    )


@login_required
@require_POST
def gate_parcel_hand_over(request: HttpRequest, pk: int) -> HttpResponse:
    _guard(request)
    if reason := _locked(request):
        return _back_to_the_lock(request, reason)
    parcel = get_object_or_404(Parcel, pk=pk)
    collected_by = request.POST.get("collected_by", "").strip()[:100]
    try:
        if not collected_by:
            raise ValidationError(_("Write who collects the parcel."))
        hand_over_parcel(parcel=parcel, guard=user_of(request), collected_by=collected_by)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            _("Parcel for %(name)s handed over to %(by)s.")
            % {"name": parcel.recipient_name, "by": collected_by},
        )
    return redirect("gate-parcels")


@login_required
@require_GET
def gate_inside(request: HttpRequest) -> HttpResponse:
    """Guests and walk-ins let in today who have not left; log their exit."""
    _guard(request)
    return render(request, "access/gate_inside.html", {"inside": inside().order_by("at")})


@login_required
@require_POST
def gate_exit(request: HttpRequest, pk: int) -> HttpResponse:
    _guard(request)
    if reason := _locked(request):
        return _back_to_the_lock(request, reason)
    entry = get_object_or_404(AccessLog, pk=pk)
    try:
        record_exit(entry=entry, guard=user_of(request), gate=_gate_name(request))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Exit logged for %(who)s.") % {"who": entry.who or entry.unit})
    return redirect("gate-inside")


# --- The resident's pass and guests; the access log for managers and guards ----------


def _resident_of(request: HttpRequest) -> Resident:
    resident = Resident.objects.filter(user=user_of(request), status=Resident.Status.ACTIVE).first()
    if resident is None:
        raise PermissionDenied
    return resident


@never_cache  # a screenshot of the page is as good as the pass while it lasts
@login_required
@require_GET
def my_pass(request: HttpRequest) -> HttpResponse:
    """The resident's QR pass, refreshed on screen before it expires."""
    return render(request, "access/my_pass.html", _pass_context(_resident_of(request)))


@never_cache
@login_required
@require_GET
def my_pass_qr(request: HttpRequest) -> HttpResponse:
    return render(request, "access/_pass_qr.html", _pass_context(_resident_of(request)))


def _pass_context(resident: Resident) -> dict[str, object]:
    issued = current_pass(resident)
    qr = segno.make_qr(issued["token"], error="m").svg_data_uri(scale=6, border=2)
    return {"resident": resident, "qr": qr, **issued}


LOCAL_TIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class GuestForm(forms.Form):
    unit = forms.ModelChoiceField(queryset=Unit.objects.none(), label=gettext_lazy("Unit"))
    guest_name = forms.CharField(max_length=100, label=gettext_lazy("Guest's name"))
    guest_phone = forms.CharField(
        max_length=20, required=False, label=gettext_lazy("Guest's phone")
    )
    people = forms.IntegerField(min_value=1, max_value=50, initial=1, label=gettext_lazy("People"))
    plate = forms.CharField(max_length=15, required=False, label=gettext_lazy("Vehicle plate"))
    starts_at = forms.DateTimeField(label=gettext_lazy("Arrives from"), widget=LOCAL_TIME)
    ends_at = forms.DateTimeField(label=gettext_lazy("Valid until"), widget=LOCAL_TIME)
    multi_use = forms.BooleanField(
        required=False, label=gettext_lazy("Several visits in this window")
    )
    note = forms.CharField(max_length=200, required=False, label=gettext_lazy("Note for the guard"))

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        units = units_visible_to(user)
        self.fields["unit"].queryset = units  # type: ignore[attr-defined]
        if len(units[:2]) == 1:  # a resident of one unit: nothing to choose
            self.fields["unit"].initial = units[0]


@login_required
def my_guests(request: HttpRequest) -> HttpResponse:
    """Invite a guest (the code is shown at once, to share) and see the invitations."""
    user = user_of(request)
    now = timezone.localtime().replace(second=0, microsecond=0)
    form = GuestForm(
        request.POST or None,
        user=user,
        initial={"starts_at": now, "ends_at": now + timedelta(hours=4)},
    )
    if request.method == "POST" and form.is_valid():
        try:
            invitation, code = register_guest(host=user, **form.cleaned_data)
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(
                request,
                _("Guest invited. Share the code %(code)s with %(name)s.")
                % {"code": code, "name": invitation.guest_name},
            )
            return redirect("my-guest-share", pk=invitation.pk)
    invitations = GuestInvitation.objects.select_related("unit").filter(host=user)
    listed = paginate(request, invitations)
    for invitation in listed["page"].object_list:
        invitation.code = code_of(invitation) if invitation.status == "active" else ""
    mine = units_visible_to(user)
    return render(
        request,
        "access/my_guests.html",
        {
            "form": form,
            **listed,
            "now": timezone.now(),
            "walk_ins": WalkIn.objects.select_related("unit")
            .filter(unit__in=mine, status=WalkIn.Status.WAITING)
            .order_by("created_at"),
            "parcels": Parcel.objects.select_related("unit")
            .filter(unit__in=mine, status=Parcel.Status.WAITING)
            .order_by("received_at"),
        },
    )


@login_required
@require_POST
def my_walk_in_answer(request: HttpRequest, pk: int) -> HttpResponse:
    """A resident allows or refuses a visitor waiting at the gate for their unit."""
    walk_in = get_object_or_404(WalkIn, pk=pk, unit__in=units_visible_to(user_of(request)))
    allow = request.POST.get("allow") == "1"
    try:
        answer_walk_in(walk_in=walk_in, user=user_of(request), allow=allow)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        said = _("%(name)s may come in.") if allow else _("%(name)s is refused at the gate.")
        messages.success(request, said % {"name": walk_in.visitor_name})
    return redirect("my-guests")


@login_required
@require_GET
def my_guest_share(request: HttpRequest, pk: int) -> HttpResponse:
    """A guest's code, big, as a QR, and with a WhatsApp message ready to send."""
    invitation = get_object_or_404(
        GuestInvitation.objects.select_related("unit"), pk=pk, host=user_of(request)
    )
    if invitation.status != GuestInvitation.Status.ACTIVE:
        messages.error(request, _("This invitation can no longer be used."))
        return redirect("my-guests")
    code = code_of(invitation)
    text = _(
        "Hello %(name)s, your visitor code for %(complex)s (unit %(unit)s) is %(code)s, "
        "valid until %(until)s. Show it or this QR at the gate."
    ) % {
        "name": invitation.guest_name,
        "complex": request.tenant.name,  # type: ignore[attr-defined]
        "unit": invitation.unit,
        "code": code,
        "until": date_format(timezone.localtime(invitation.ends_at), "j M H:i"),
    }
    phone = invitation.guest_phone.removeprefix("+")
    return render(
        request,
        "access/my_guest_share.html",
        {
            "invitation": invitation,
            "code": code,
            "qr": segno.make_qr(code, error="m").svg_data_uri(scale=8, border=2),
            "whatsapp": f"https://wa.me/{phone}?{urlencode({'text': text})}",
        },
    )


@login_required
@require_POST
def my_guest_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    invitation = get_object_or_404(GuestInvitation, pk=pk, host=user_of(request))
    try:
        cancel_guest(invitation=invitation, actor=user_of(request))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Invitation cancelled; the code no longer opens the gate."))
    return redirect("my-guests")


@login_required
@require_GET
def access_log(request: HttpRequest) -> HttpResponse:
    """The access log with filters, for managers and the gate."""
    _guard(request)
    logs = filter_logs(filters_of(request, LogFilters))
    return render(
        request,
        "access/access_log.html",
        {
            **paginate(request, logs, 50),
            "filters": {
                name: request.GET.get(name, "") for name in ("kind", "result", "date", "flag")
            },
            "kinds": AccessLog.Kind.choices,
            "results": AccessLog.Result.choices,
            "flags": AccessLog.Flag.choices,
            "can_export": is_manager(request.user),
            "gate_settings": shifts.gate_settings() if is_manager(request.user) else None,
        },
    )


@manager_required
@require_POST
def gate_settings(request: HttpRequest) -> HttpResponse:
    """The manager turns the gate devices' passkey-and-PIN lock on or off."""
    on = request.POST.get("tablet_lock") == "on"
    shifts.set_tablet_lock(on=on, actor=user_of(request))
    messages.success(
        request,
        _("Gate devices now need the guard's passkey and a shift PIN.")
        if on
        else _("Gate devices no longer need a passkey and PIN."),
    )
    return redirect("access-log")

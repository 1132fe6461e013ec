"""Portal pages of the estate registry: the units, who lives in them, their vehicles, and
importing units from a spreadsheet.

The file is checked first (a preview: the whole import is run and rolled
back) and kept in the complex's private storage until the manager confirms
or uploads another; confirming imports that same file.
"""

from __future__ import annotations

import uuid
from pathlib import PurePath

from django import forms
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from klustera.api import user_of
from klustera.errors import StateConflict
from klustera.estate.forms import UnitField
from klustera.estate.importing import MAX_BYTES, ImportFileError, import_estate
from klustera.estate.models import Invitation, Occupancy, Unit, Vehicle
from klustera.estate.selectors import units_visible_to
from klustera.estate.services import (
    add_vehicle,
    invite_resident,
    move_in_person,
    move_out,
    register_resident,
    remove_vehicle,
    resend_invitation,
    revoke_invitation,
    save_unit,
    set_billing_contact,
)
from klustera.paging import paginate
from klustera.permissions import manager_required
from klustera.phones import normalize_phone
from klustera.privacy.notice_text import NOTICE
from klustera.privacy.services import current_notice
from klustera.roles import is_manager
from klustera.tenancy.context import current_tenant

SESSION_KEY = "estate-import"


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("Spreadsheet (CSV or XLSX)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx"}),
    )


def _stored_path(filename: str) -> str:
    tenant = current_tenant()
    suffix = PurePath(filename).suffix.lower()
    return f"{tenant.slug if tenant else 'platform'}/imports/{uuid.uuid4().hex}{suffix}"


@manager_required
def import_units(request: HttpRequest) -> HttpResponse:
    form = ImportForm(request.POST or None, request.FILES or None)
    pending = request.session.get(SESSION_KEY)
    report = None
    if request.method == "POST" and "confirm" in request.POST and pending:
        with default_storage.open(pending["path"], "rb") as stored:
            content = stored.read()
        try:
            report = import_estate(
                content=content, filename=pending["name"], actor=user_of(request), commit=True
            )
        except StateConflict as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect("units-import-page")
        if report.committed:
            default_storage.delete(pending["path"])
            del request.session[SESSION_KEY]
            messages.success(
                request,
                _("Imported: %(units)s new units, %(updated)s updated, %(residents)s residents.")
                % {
                    "units": report.units_created,
                    "updated": report.units_updated,
                    "residents": report.residents_created,
                },
            )
            return redirect("units-import-page")
    elif request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        if upload.size > MAX_BYTES:
            form.add_error("file", _("The file is larger than 5 MB."))
        else:
            content = upload.read()
            try:
                report = import_estate(
                    content=content, filename=upload.name, actor=user_of(request)
                )
            except ImportFileError as exc:
                form.add_error("file", str(exc))
            except StateConflict as exc:
                form.add_error("file", exc)
            else:
                if pending:
                    default_storage.delete(pending["path"])
                path = default_storage.save(_stored_path(upload.name), ContentFile(content))
                request.session[SESSION_KEY] = {"path": path, "name": upload.name[:100]}
                pending = request.session[SESSION_KEY]
    return render(
        request,
        "estate/import.html",
        {"form": form, "report": report, "pending": pending},
    )


class UnitForm(forms.Form):
    block = forms.CharField(label=_("Block / building"), max_length=20, required=False)
    number = forms.CharField(label=_("Number"), max_length=20)
    floor = forms.IntegerField(label=_("Floor"), required=False, min_value=-10, max_value=300)
    unit_type = forms.ChoiceField(label=_("Type"), choices=Unit.Type.choices)
    land_area = forms.DecimalField(label=_("Land area (m²)"), required=False, min_value=0)
    building_area = forms.DecimalField(label=_("Building area (m²)"), required=False, min_value=0)
    vote_weight = forms.DecimalField(
        label=_("Voting weight"),
        required=False,
        min_value=0,
        max_digits=9,
        decimal_places=2,
        help_text=_("For polls weighted by the registry; empty: no weight."),
    )


@manager_required
def unit_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """Add a unit, or change one (audited)."""
    unit = get_object_or_404(Unit, pk=pk) if pk else None
    initial = {name: getattr(unit, name) for name in UnitForm.base_fields} if unit else {}
    form = UnitForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            save_unit(actor=user_of(request), unit=unit, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Unit saved."))
            return redirect("units-page")
    return render(request, "estate/unit_form.html", {"form": form, "unit": unit})


class MoveInForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=150)
    phone = forms.CharField(
        label=_("Phone"),
        max_length=30,
        help_text=_("Someone already registered with this number is moved in as they are."),
    )
    email = forms.EmailField(label=_("Email (optional)"), required=False)
    role = forms.ChoiceField(label=_("Lives here as"), choices=Occupancy.Role.choices)
    start_on = forms.DateField(
        label=_("Since"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    is_billing_contact = forms.BooleanField(label=_("Receives the bills"), required=False)

    def clean_phone(self) -> str:
        return normalize_phone(self.cleaned_data["phone"])


class VehicleForm(forms.Form):
    plate = forms.CharField(label=_("Number plate"), max_length=20)
    kind = forms.ChoiceField(label=_("Kind"), choices=Vehicle.Kind.choices)


def _unit_page(
    request: HttpRequest,
    unit: Unit,
    move_in_form: MoveInForm | None = None,
    vehicle_form: VehicleForm | None = None,
) -> HttpResponse:
    stays = list(unit.occupancies.select_related("resident").order_by("-start_on", "-pk"))
    today = timezone.localdate()
    return render(
        request,
        "estate/unit_page.html",
        {
            "unit": unit,
            "living": [stay for stay in stays if stay.end_on is None],
            "lived": [stay for stay in stays if stay.end_on is not None],
            "vehicles": unit.vehicles.all(),
            "move_in_form": move_in_form or MoveInForm(initial={"start_on": today}),
            "vehicle_form": vehicle_form or VehicleForm(),
            "today": today,
        },
    )


@manager_required
def unit_page(request: HttpRequest, pk: int) -> HttpResponse:
    """A unit: who lives there, who receives the bills, its vehicles, who lived there before."""
    return _unit_page(request, get_object_or_404(Unit, pk=pk))


@manager_required
@require_POST
def unit_move_in(request: HttpRequest, pk: int) -> HttpResponse:
    unit = get_object_or_404(Unit, pk=pk)
    form = MoveInForm(request.POST)
    if form.is_valid():
        try:
            move_in_person(actor=user_of(request), unit=unit, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("%(name)s moved in.") % {"name": form.cleaned_data["name"]})
            return redirect("unit-page", pk=unit.pk)
    return _unit_page(request, unit, move_in_form=form)


@manager_required
@require_POST
def stay_action(request: HttpRequest, pk: int) -> HttpResponse:
    """``action=move-out`` (with ``end_on``) or ``action=billing-contact`` on a current stay."""
    stay = get_object_or_404(Occupancy.objects.select_related("unit", "resident"), pk=pk)
    action = request.POST.get("action")
    try:
        if action == "move-out":
            end_on = forms.DateField().clean(request.POST.get("end_on"))
            move_out(actor=user_of(request), occupancy=stay, end_on=end_on)
            messages.success(request, _("%(name)s moved out.") % {"name": stay.resident.name})
        elif action == "billing-contact":
            set_billing_contact(actor=user_of(request), occupancy=stay)
            messages.success(
                request, _("%(name)s now receives the bills.") % {"name": stay.resident.name}
            )
        else:
            messages.error(request, _("Unknown action."))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("unit-page", pk=stay.unit_id)


@manager_required
@require_POST
def unit_add_vehicle(request: HttpRequest, pk: int) -> HttpResponse:
    unit = get_object_or_404(Unit, pk=pk)
    form = VehicleForm(request.POST)
    if form.is_valid():
        try:
            vehicle = add_vehicle(actor=user_of(request), unit=unit, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("%(plate)s registered.") % {"plate": vehicle.plate})
            return redirect("unit-page", pk=unit.pk)
    return _unit_page(request, unit, vehicle_form=form)


@manager_required
@require_POST
def vehicle_remove(request: HttpRequest, pk: int) -> HttpResponse:
    vehicle = get_object_or_404(Vehicle.objects.select_related("unit"), pk=pk)
    remove_vehicle(actor=user_of(request), vehicle=vehicle)
    messages.success(request, _("%(plate)s removed.") % {"plate": vehicle.plate})
    return redirect("unit-page", pk=vehicle.unit_id)


@login_required
def my_units(request: HttpRequest) -> HttpResponse:
    """The units the signed-in resident lives in, with who else lives there and their vehicles."""
    current = Occupancy.objects.filter(end_on__isnull=True).select_related("resident")
    units = units_visible_to(user_of(request)).prefetch_related(
        Prefetch("occupancies", queryset=current, to_attr="current"), "vehicles"
    )
    if is_manager(request.user):
        units = units.none()  # managers have the units page
    return render(request, "estate/my_units.html", {"units": units.order_by("block", "number")})


# --- Inviting residents, and their registration ----------------------------------------


class InvitationForm(forms.Form):
    unit = UnitField()
    name = forms.CharField(max_length=150, label=_("Name"))
    phone = forms.CharField(
        max_length=32,
        label=_("Phone number"),
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
    )
    email = forms.EmailField(required=False, label=_("Email (optional)"))
    occupancy_role = forms.ChoiceField(choices=Occupancy.Role.choices, label=_("Lives there as"))
    whatsapp_opt_in = forms.BooleanField(
        required=False,
        label=_("They agreed to receive WhatsApp messages (signed form)"),
        help_text=_("Without it, the code goes by SMS and email."),
    )


@manager_required
def invitations_page(request: HttpRequest) -> HttpResponse:
    """Invite residents to register (the code goes by message), resend or withdraw one."""
    form = InvitationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            invitation = invite_resident(actor=user_of(request), **form.cleaned_data)
        except ValidationError as exc:
            form.add_error("phone" if getattr(exc, "code", "") else None, exc)
        else:
            messages.success(
                request,
                _("%(name)s is invited to %(unit)s; the code is on its way (see the outbox).")
                % {"name": invitation.name, "unit": invitation.unit},
            )
            return redirect("invitations-page")
    listed = paginate(request, Invitation.objects.select_related("unit"), 20)
    return render(
        request,
        "estate/invitations.html",
        {"form": form, **listed, "units": Unit.objects.all()},
    )


@manager_required
@require_POST
def invitation_action(request: HttpRequest, pk: int) -> HttpResponse:
    invitation = get_object_or_404(Invitation, pk=pk)
    resend = request.POST.get("action") == "resend"
    try:
        if resend:
            resend_invitation(invitation=invitation, actor=user_of(request))
        else:
            revoke_invitation(invitation=invitation, actor=user_of(request))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        said = (
            _("A new code is on its way to %(name)s; the old one no longer works.")
            if resend
            else _("The invitation for %(name)s is withdrawn.")
        )
        messages.success(request, said % {"name": invitation.name})
    return redirect("invitations-page")


class RegisterForm(forms.Form):
    code = forms.CharField(
        max_length=20,
        label=_("Invitation code"),
        widget=forms.TextInput(attrs={"autocapitalize": "characters", "autocomplete": "off"}),
    )
    phone = forms.CharField(
        max_length=32,
        label=_("Your phone number (the invited one)"),
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )
    password = forms.CharField(
        label=_("Choose a password"),
        min_length=8,
        max_length=128,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    whatsapp_opt_in = forms.BooleanField(
        required=False,
        label=_("Send me bills, receipts, gate alerts and announcements on WhatsApp"),
        help_text=_("You can change this later on your Notifications page."),
    )
    accept_privacy = forms.BooleanField(
        label=_("I have read the privacy notice above and agree"),
        error_messages={"required": _("Registering needs your agreement to the privacy notice.")},
    )
    community = forms.BooleanField(
        required=False,
        label=_("Community messages: announcements of events, polls and their reminders"),
    )
    marketing = forms.BooleanField(
        required=False, label=_("Offers the complex passes on from its partners")
    )
    notice_version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


def register_page(request: HttpRequest) -> HttpResponse:
    """An invited person registers with the code from their message, and is signed in."""
    notice = current_notice()
    form = RegisterForm(
        request.POST or None,
        initial={"code": request.GET.get("code", ""), "notice_version": notice.version},
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        data.pop("accept_privacy")
        data["opt_ins"] = {"community": data.pop("community"), "marketing": data.pop("marketing")}
        try:
            user = register_resident(**data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            auth_login(request, user)
            messages.success(request, _("Welcome, %(name)s.") % {"name": user.name})
            return redirect("home")
    language = "en" if request.LANGUAGE_CODE == "en" else "id"
    return render(
        request,
        "estate/register.html",
        {
            "form": form,
            "notice": notice,
            "paragraphs": NOTICE[language],
            "additions": notice.additions_en if language == "en" else notice.additions_id,
        },
    )

"""Portal pages of the estate registry: the units, and importing them from a spreadsheet.

The file is checked first (a preview: the whole import is run and rolled
back) and kept in the complex's private storage until the manager confirms
or uploads another; confirming imports that same file.
"""

from __future__ import annotations

import uuid
from pathlib import PurePath

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db.models import F, OuterRef, Prefetch, Q, Subquery, Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext_lazy as _

from klustera.accounts.policies import is_manager
from klustera.accounts.views import manager_required
from klustera.api import user_of
from klustera.billing.models import OPEN_STATUSES, Invoice
from klustera.estate.importing import MAX_BYTES, ImportFileError, import_estate
from klustera.estate.models import Occupancy, Unit
from klustera.estate.selectors import units_visible_to
from klustera.estate.services import save_unit
from klustera.portal.paging import paginate
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
        report = import_estate(
            content=content, filename=pending["name"], actor=user_of(request), commit=True
        )
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


@manager_required
def unit_list(request: HttpRequest) -> HttpResponse:
    """The units with their current residents and what they owe; ``?q=`` searches."""
    query = request.GET.get("q", "").strip()[:60]
    current = Occupancy.objects.filter(end_on__isnull=True).select_related("resident")
    owed = (
        Invoice.objects.filter(unit=OuterRef("pk"), status__in=OPEN_STATUSES)
        .values("unit")
        .annotate(owed=Sum(F("total") - F("amount_paid")))
        .values("owed")
    )
    units = (
        Unit.objects.annotate(owed=Subquery(owed))
        .prefetch_related(Prefetch("occupancies", queryset=current, to_attr="current"))
        .order_by("block", "number")
    )
    if query:
        block, _sep, number = query.upper().rpartition("-")
        living = current.filter(resident__name__icontains=query).values("unit_id")
        units = units.filter(
            Q(number__icontains=query)
            | Q(block__iexact=query)
            | Q(block__iexact=block, number__iexact=number)
            | Q(pk__in=living)
        )
    return render(request, "estate/unit_list.html", {**paginate(request, units, 25), "q": query})


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

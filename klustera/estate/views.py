"""Portal pages of the estate registry: importing units and residents from a spreadsheet.

The file is checked first (a preview: the whole import is run and rolled
back) and kept in the complex's private storage until the manager confirms
or uploads another; confirming imports that same file.
"""

from __future__ import annotations

import uuid
from pathlib import PurePath

from django import forms
from django.contrib import messages
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _

from klustera.accounts.views import manager_required
from klustera.api import user_of
from klustera.estate.importing import MAX_BYTES, ImportFileError, import_estate
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

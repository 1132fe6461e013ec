"""Pages that combine domains: the resident's home, the manager's dashboard and units list."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch, Q
from django.http import HttpRequest, HttpResponse, HttpResponsePermanentRedirect
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import get_language, gettext_lazy, pgettext
from django.utils.translation import gettext as _

from klustera.api import user_of
from klustera.audit.services import record
from klustera.billing.selectors import amount_owed, invoices_visible_to
from klustera.cached import read_through
from klustera.community.selectors import announcements_for, open_polls_for
from klustera.estate.models import Occupancy, Unit
from klustera.paging import paginate
from klustera.permissions import manager_required
from klustera.portal import selectors
from klustera.roles import Role, is_manager, roles_of
from klustera.tenancy.context import current_tenant, tenant_atomic
from klustera.tenancy.models import Tenant
from klustera.tenancy.replicas import replica_reads
from klustera.tenancy.services import set_time_zone


def home(request: HttpRequest) -> HttpResponse:
    tenant = current_tenant()
    if tenant is None:
        if request.user.is_authenticated and request.user.is_superuser:
            return redirect("platform-console")
        return render(request, "platform_home.html")
    if not request.user.is_authenticated:
        return render(request, "tenant_home.html", {"tenant": tenant})
    roles = roles_of(request.user)
    if Role.PROPERTY_MANAGER in roles:
        steps = selectors.setup_steps()
        setup = [] if all(step.done for step in steps) else steps  # shown until all are done
        return render(request, "portal/dashboard.html", {**_dashboard(), "setup": setup})
    if Role.SECURITY_STAFF in roles:
        return redirect("gate-mode")
    invoices = invoices_visible_to(request.user)
    open_invoices = list(selectors.open_invoices(invoices)[:5])
    return render(
        request,
        "portal/resident_home.html",
        {
            "open_invoices": open_invoices,
            "balance_due": sum((invoice.balance_due for invoice in open_invoices), start=0),
            "latest": invoices.order_by("-period").first(),
            "announcements": list(announcements_for(request.user)[:3]),
            "polls": open_polls_for(request.user),
        },
    )


@login_required
def dashboard_live(request: HttpRequest) -> HttpResponse:
    """The dashboard's figures, polled by the page every 30 seconds."""
    if not is_manager(request.user):
        raise PermissionDenied
    return render(request, "portal/_dashboard_live.html", _dashboard())


@replica_reads
def _dashboard() -> dict[str, object]:
    """The manager's figures: cached per complex under the stamp of the tables they are read
    from (one query), so any write there is seen on the next view — once the read replica, if
    one serves the dashboard, has it; today's gate, live."""
    key = f"dashboard:{timezone.localdate()}:{get_language()}:{selectors.figures_stamp()}"
    figures = read_through(key, _figures, seconds=DASHBOARD_CACHE_SECONDS)
    return {**figures, "gate": selectors.gate_today()}


# A bound for the one race the stamp cannot see (``timestamps.changes_stamp``).
DASHBOARD_CACHE_SECONDS = 300


def _figures() -> dict[str, object]:
    months = selectors.collection()
    return {
        "months": months,
        "trend": {  # for the chart (dashboard.js)
            "labels": [date_format(month.period, "M Y") for month in months],
            "billed": [month.billed for month in months],
            "paid": [month.paid for month in months],
            "rate": [month.rate if month.billed else None for month in months],  # a gap
            "names": {
                "billed": _("Billed"),
                "paid": pgettext("amount", "Paid"),
                "rate": _("Collected"),
            },
        },
        "this_month": months[-1],
        "overdue": selectors.overdue_units(),
        "payments": list(selectors.recent_payments()),
        "reach": selectors.reachability(),
    }


class TimeZoneForm(forms.Form):
    time_zone = forms.ChoiceField(label=gettext_lazy("Time zone"), choices=Tenant.TimeZone.choices)


@manager_required
def settings_page(request: HttpRequest) -> HttpResponse:
    """Where each of the complex's settings is changed, with the first steps still to do;
    the complex's time zone is set here (audited)."""
    tenant = current_tenant()
    assert tenant is not None  # a manager is always inside a complex
    form = TimeZoneForm(request.POST or None, initial={"time_zone": tenant.time_zone})
    if request.method == "POST" and form.is_valid():
        chosen = form.cleaned_data["time_zone"]
        with tenant_atomic():  # the audit entry is kept only if the change is saved
            record(
                actor=user_of(request),
                action="complex.time_zone_changed",
                changes={"time_zone": [tenant.time_zone, chosen]},
            )
            set_time_zone(tenant=tenant, time_zone=chosen)
        messages.success(request, _("Time zone saved."))
        return redirect("settings-page")
    return render(request, "portal/settings.html", {"steps": selectors.setup_steps(), "form": form})


@manager_required
def unit_list(request: HttpRequest) -> HttpResponse:
    """The units with their current residents and what they owe; ``?q=`` searches.

    A portal page, not the estate's: it joins the registry with billing.
    """
    query = request.GET.get("q", "").replace("\x00", "").strip()[:60]  # PostgreSQL refuses NUL
    current = Occupancy.objects.filter(end_on__isnull=True).select_related("resident")
    units = (
        Unit.objects.annotate(owed=amount_owed())
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
    listed = paginate(request, units, 25, sorts={"unit": ("block", "number"), "owed": ("owed",)})
    return render(request, "portal/unit_list.html", {**listed, "q": query})


def favicon(request: HttpRequest) -> HttpResponse:
    return HttpResponsePermanentRedirect(static("klustera/favicon.svg"))

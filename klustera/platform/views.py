"""The platform console on the platform's own host, for its super admins: complexes and usage."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from functools import wraps
from typing import Any, cast

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from klustera.audit.models import SecurityEvent
from klustera.backups.services import backup_states
from klustera.observability.failures import retry_failed_task
from klustera.observability.metrics import BUSINESS_FIGURES_KEY
from klustera.observability.models import FailedTask
from klustera.observability.operations import last_hour, queue_states
from klustera.paging import paginate
from klustera.platform.selectors import metrics, recorded_usages, usages_of
from klustera.platform.services import record_usages
from klustera.platform.tasks import refresh_business_figures
from klustera.privacy.declaration import Category
from klustera.privacy.models import Breach
from klustera.privacy.services import (
    authority_pdf,
    delivery_of,
    mark_authority_notified,
    notify_breach,
    record_breach,
)
from klustera.tenancy.context import current_tenant
from klustera.tenancy.errors import ProvisioningError
from klustera.tenancy.models import Tenant
from klustera.tenancy.services import (
    NewManager,
    cancel_tenant,
    provision_tenant,
    resume_tenant,
    suspend_tenant,
)


def platform_admin_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @login_required
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if current_tenant() is not None or not request.user.is_superuser:
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped


class NewTenantForm(forms.Form):
    name = forms.CharField(label=_("Complex name"), max_length=200)
    slug = forms.SlugField(label=_("Address (slug)"), max_length=63)
    plan = forms.ChoiceField(label=_("Plan"), choices=Tenant.Plan.choices)
    max_units = forms.IntegerField(label=_("Unit limit"), min_value=1, max_value=100_000)
    time_zone = forms.ChoiceField(label=_("Time zone"), choices=Tenant.TimeZone.choices)
    manager_name = forms.CharField(label=_("First manager's name"), max_length=150)
    manager_phone = forms.CharField(label=_("First manager's phone"), max_length=20)
    manager_password = forms.CharField(
        label=_("First manager's password"), min_length=8, widget=forms.PasswordInput
    )


class PlanForm(forms.Form):
    plan = forms.ChoiceField(label=_("Plan"), choices=Tenant.Plan.choices)
    max_units = forms.IntegerField(label=_("Unit limit"), min_value=1, max_value=100_000)


@platform_admin_required
def platform_console(request: HttpRequest) -> HttpResponse:
    tenants = list(Tenant.objects.exclude(status=Tenant.Status.CANCELLED).order_by("name"))
    usages = recorded_usages(tenants)  # counted every 5 minutes: no complex's database opened
    uncounted = any(usage.counted_at is None for usage in usages if usage.tenant.is_active)
    if uncounted and cache.add("platform:count-asked", True, timeout=300):
        refresh_business_figures()  # on the queue now, not at the next five minutes
    form = NewTenantForm(
        request.POST or None,
        initial={"plan": Tenant.Plan.STANDARD, "max_units": 200, "time_zone": "Asia/Jakarta"},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            tenant = provision_tenant(
                name=data["name"],
                slug=data["slug"],
                plan=data["plan"],
                max_units=data["max_units"],
                time_zone=data["time_zone"],
                manager=NewManager(
                    phone=data["manager_phone"],
                    name=data["manager_name"],
                    password=data["manager_password"],
                ),
            )
        except ProvisioningError as exc:
            form.add_error(None, str(exc))
        else:
            record_usages(usages_of([tenant]))  # counted at once, not in 5 minutes
            messages.success(request, _("%(name)s is ready.") % {"name": tenant.name})
            return redirect("platform-console")
    return render(
        request,
        "platform/console.html",
        {
            "usages": usages,
            "counted_at": min((u.counted_at for u in usages if u.counted_at), default=None),
            "metrics": metrics(usages),
            "overdue": [usage for usage in usages if usage.overdue_requests],
            "ended": Tenant.objects.filter(status=Tenant.Status.CANCELLED).order_by(
                "-cancelled_at"
            )[:20],
            "form": form,
            "plans": Tenant.Plan.choices,
        },
    )


@platform_admin_required
@require_POST
def platform_tenant_action(request: HttpRequest, slug: str) -> HttpResponse:
    """Suspend, resume or cancel a complex, or change its plan and unit limit."""
    tenant = get_object_or_404(Tenant, slug=slug)
    action = request.POST.get("action")
    try:
        if action == "suspend":
            suspend_tenant(tenant=tenant)
        elif action == "resume":
            resume_tenant(tenant=tenant)
        elif action == "cancel":
            if request.POST.get("confirm_slug", "").strip() != tenant.slug:
                raise ProvisioningError(
                    _("Not cancelled: type the complex's address (%(slug)s) to confirm.")
                    % {"slug": tenant.slug}
                )
            cancel_tenant(tenant=tenant)
        elif action == "plan":
            form = PlanForm(request.POST)
            if not form.is_valid():
                problems = [str(m) for errors in form.errors.values() for m in errors]
                raise ProvisioningError(" ".join(problems))
            tenant.plan, tenant.max_units = (
                form.cleaned_data["plan"],
                form.cleaned_data["max_units"],
            )
            tenant.save(update_fields=["plan", "max_units", "updated_at"])
    except ProvisioningError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("%(name)s updated.") % {"name": tenant.name})
    return redirect("platform-console")


@platform_admin_required
def operations(request: HttpRequest) -> HttpResponse:
    """The queues now, the last hour of the app's own metrics, failing databases, each
    complex's last backup and restore drill, failed tasks."""
    figures = cache.get(BUSINESS_FIGURES_KEY) or {}
    now = time.time()
    queues = [
        (state, datetime.fromtimestamp(now - state.oldest_seconds, UTC))
        if state.oldest_seconds is not None
        else (state, None)
        for state in queue_states(now)
    ]
    hour = last_hour()
    return render(
        request,
        "platform/operations.html",
        {
            "queues": queues,
            "hour": hour,
            "routes": [(r, round(r.p95_seconds * 1000)) for r in hour.routes[:15]],
            "since": datetime.fromtimestamp(hour.since, UTC) if hour.since else None,
            "metrics_enabled": settings.METRICS_ENABLED,
            "checked_at": datetime.fromtimestamp(figures["at"], UTC) if figures else None,
            "unreachable": sorted(figures.get("unreachable", {}).items()),
            "backups": backup_states(
                list(
                    Tenant.objects.exclude(status=Tenant.Status.CANCELLED).values_list(
                        "slug", flat=True
                    )
                )
            ),
            "day_ago": timezone.now() - timedelta(hours=26),
            **paginate(request, FailedTask.objects.all(), 20),
        },
    )


@platform_admin_required
@require_POST
def retry_task(request: HttpRequest, pk: int) -> HttpResponse:
    failed = get_object_or_404(FailedTask, pk=pk)
    try:
        retry_failed_task(failed=failed, operator_id=int(request.user.pk or 0))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("%(task)s is queued again.") % {"task": failed.task})
    return redirect("platform-operations")


DAY = forms.DateInput({"type": "date"})


class SecurityFilter(forms.Form):
    kind = forms.ChoiceField(
        label=_("What"), choices=[("", _("Anything")), *SecurityEvent.Kind.choices], required=False
    )
    complex = forms.SlugField(label=_("Complex"), max_length=63, required=False)
    since = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput({"type": "date"})
    )
    until = forms.DateField(
        label=_("Up to"), required=False, widget=forms.DateInput({"type": "date"})
    )


@platform_admin_required
def security_events(request: HttpRequest) -> HttpResponse:
    """The platform's log of attempts across complexes and against their doors, filtered."""
    form = SecurityFilter(request.GET or None)
    events = SecurityEvent.objects.all()
    if form.is_valid():
        chosen = form.cleaned_data
        lookups = {
            "kind": "kind",
            "complex": "complex",
            "since": "created_at__date__gte",
            "until": "created_at__date__lte",
        }
        events = events.filter(**{lookups[k]: v for k, v in chosen.items() if v})
    return render(
        request, "platform/security.html", {"form": form, **paginate(request, events, 50)}
    )


LOCAL_TIME = forms.DateTimeInput({"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class BreachForm(forms.Form):
    what = forms.CharField(
        label=_("What happened"), max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
    )
    happened_at = forms.DateTimeField(
        label=_("When it happened (if known)"), required=False, widget=LOCAL_TIME
    )
    discovered_at = forms.DateTimeField(label=_("When it was discovered"), widget=LOCAL_TIME)
    complexes = forms.MultipleChoiceField(
        label=_("Complexes affected"), widget=forms.CheckboxSelectMultiple
    )
    categories = forms.MultipleChoiceField(
        label=_("Data affected"), choices=Category.choices, widget=forms.CheckboxSelectMultiple
    )
    phones = forms.CharField(
        label=_("People affected (phone numbers, one per line; empty: everyone there)"),
        required=False,
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    remedy = forms.CharField(
        label=_("What was done about it"), max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        live = Tenant.objects.exclude(status=Tenant.Status.CANCELLED).order_by("name")
        complexes = cast(forms.MultipleChoiceField, self.fields["complexes"])
        complexes.choices = [(t.slug, t.name) for t in live]


@platform_admin_required
def breaches(request: HttpRequest) -> HttpResponse:
    """Record a breach; the list shows each one's 72 hours."""
    form = BreachForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        data["phones"] = [line.strip() for line in data["phones"].splitlines() if line.strip()]
        try:
            breach = record_breach(recorded_by=request.user, **data)
        except ValidationError as exc:
            named = hasattr(exc, "error_dict") and set(exc.error_dict) <= set(form.fields)
            form.add_error(None, exc if named else exc.messages)
        else:
            messages.success(request, _("Recorded: the notices are due within 72 hours."))
            return redirect("platform-breach", pk=breach.pk)
    return render(
        request,
        "platform/breaches.html",
        {"form": form, "breaches": Breach.objects.all()[:50], "now": timezone.now()},
    )


@platform_admin_required
def breach_page(request: HttpRequest, pk: int) -> HttpResponse:
    breach = get_object_or_404(Breach, pk=pk)
    if request.method == "POST":
        try:
            if request.POST.get("action") == "notify":
                breach = notify_breach(breach=breach)
                messages.success(request, _("The notices are queued in each complex's outbox."))
            elif request.POST.get("action") == "authority":
                breach = mark_authority_notified(breach=breach)
                messages.success(request, _("Recorded: the authority was told."))
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        return redirect("platform-breach", pk=pk)
    return render(
        request,
        "platform/breach.html",
        {
            "breach": breach,
            "delivery": delivery_of(breach) if breach.notified_at else {},
            "categories": [Category(c).label for c in breach.categories],
            "now": timezone.now(),
        },
    )


@platform_admin_required
def breach_authority_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    breach = get_object_or_404(Breach, pk=pk)
    response = HttpResponse(authority_pdf(breach), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="breach-{breach.pk}-authority.pdf"'
    return response

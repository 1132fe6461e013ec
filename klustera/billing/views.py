"""Portal pages of billing: the invoice list and an invoice (the target of the PDF's QR)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.http import content_disposition_header
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST
from django_htmx.middleware import HtmxDetails

from klustera.api import user_of
from klustera.billing import reports
from klustera.billing.documents import invoice_pdf, render_report
from klustera.billing.filters import InvoiceFilters, ReportFilters
from klustera.billing.models import (
    OPEN_STATUSES,
    BillingRun,
    BillingSettings,
    Invoice,
    OneOffCharge,
    Payment,
    Tariff,
)
from klustera.billing.reports import Report
from klustera.billing.selectors import (
    access_invoice,
    filter_invoices,
    invoices_visible_to,
    next_unbilled_month,
    overdue_invoices,
    preview_run,
)
from klustera.billing.services import (
    SETTINGS_FIELDS,
    add_one_off_charges,
    change_tariff,
    parse_period,
    remind_invoice,
    remind_overdue,
    save_tariff,
    start_billing_run,
    update_billing_settings,
    update_invoice,
)
from klustera.estate.forms import UnitsField
from klustera.estate.models import Unit
from klustera.formatting import rupiah, short_date
from klustera.money import RupiahField
from klustera.notifications.services import describe_reach
from klustera.paging import filters_of, paginate
from klustera.permissions import manager_required
from klustera.roles import is_manager
from klustera.tables import XLSX, download, to_csv, to_xlsx
from klustera.tenancy.replicas import replica_reads
from klustera.uploads import check_photo


def pdf_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = (
        content_disposition_header(
            as_attachment=False, filename=f"{filename.replace('/', '-')}.pdf"
        )
        or "inline"
    )
    return response


@login_required
def invoice_list(request: HttpRequest) -> HttpResponse:
    """Invoices the user may see, newest first; ``?status=&period=YYYY-MM&block=``."""
    filters = filters_of(request, InvoiceFilters)
    invoices = filter_invoices(invoices_visible_to(request.user), filters).order_by(
        "-period", "unit__block", "unit__number"
    )
    return render(
        request,
        "billing/invoice_list.html",
        {
            **paginate(
                request,
                invoices,
                sorts={
                    "period": ("period", "unit__block", "unit__number"),
                    "unit": ("unit__block", "unit__number", "period"),
                    "due": ("due_on",),
                    "total": ("total",),
                },
            ),
            "statuses": Invoice.Status.choices,
            "manages": is_manager(request.user),
            "filters": {name: request.GET.get(name, "") for name in ("status", "period", "block")},
        },
    )


@login_required
def invoice_page(request: HttpRequest, pk: int) -> HttpResponse:
    invoice = access_invoice(request.user, pk)
    # Back from the checkout: the page follows the payment until it is booked or closed.
    awaiting = request.GET.get("paid") in ("0", "1") and bool(invoice.balance_due)
    payments = Payment.objects.filter(
        allocations__invoice=invoice, allocations__reversed_at__isnull=True
    ).distinct()
    return render(
        request,
        "billing/invoice_page.html",
        {
            "invoice": invoice,
            "awaiting": awaiting,
            "payments": payments.order_by("paid_at"),
            "manages": is_manager(request.user),
            "open": invoice.status in OPEN_STATUSES,
        },
    )


@manager_required
@require_POST
def invoice_action(request: HttpRequest, pk: int) -> HttpResponse:
    """A manager's action on an invoice: ``remind`` its billing contact, or ``cancel`` it."""
    invoice = get_object_or_404(Invoice, pk=pk)
    actor = user_of(request)
    try:
        if request.POST.get("action") == "remind":
            reach = remind_invoice(invoice=invoice, actor=actor)
            tell = messages.success if reach.reached else messages.error
            tell(request, describe_reach(reach))
        elif request.POST.get("action") == "due_on":
            due_on = forms.DateField().clean(request.POST.get("due_on", ""))
            update_invoice(invoice=invoice, actor=actor, due_on=due_on)
            messages.success(
                request,
                _("The invoice is now due on %(day)s.")
                % {"day": short_date(due_on, get_language())},
            )
        elif request.POST.get("action") == "cancel":
            reason = request.POST.get("reason", "").strip()[:300]
            if not reason:
                raise ValidationError(_("Say why the invoice is cancelled."))
            update_invoice(invoice=invoice, actor=actor, cancel_reason=reason)
            messages.success(request, _("Invoice cancelled."))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("invoice-page", pk=invoice.pk)


@login_required
def invoice_pdf_page(request: HttpRequest, pk: int) -> HttpResponse:
    invoice: Invoice = access_invoice(request.user, pk)
    return pdf_response(invoice_pdf(invoice), invoice.number)


class RunForm(forms.Form):
    period = forms.CharField(
        label=_("Month to bill"), max_length=7, widget=forms.TextInput(attrs={"type": "month"})
    )


@manager_required
def billing_runs(request: HttpRequest) -> HttpResponse:
    """Start a billing run (it runs on the queue) and see the latest runs.

    The run starts only once its summary (units to bill, tariffs) has been confirmed.
    """
    first = next_unbilled_month(timezone.localdate())
    form = RunForm(request.POST or None, initial={"period": f"{first:%Y-%m}"})
    preview = None
    if request.method == "POST" and form.is_valid():
        try:
            period = parse_period(form.cleaned_data["period"])
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            if request.POST.get("confirmed") == "1":
                run = start_billing_run(period=period, actor=user_of(request))
                return redirect("billing-run-page", pk=run.pk)
            preview = preview_run(period)
    runs = BillingRun.objects.select_related("started_by")[:12]
    return render(request, "billing/runs.html", {"form": form, "runs": runs, "preview": preview})


class HtmxHttpRequest(HttpRequest):
    htmx: HtmxDetails  # set by django-htmx's middleware


@manager_required
def billing_run_page(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """A run's progress (polled by htmx until it finishes) and its report."""
    run = get_object_or_404(BillingRun, pk=pk)
    done = run.created + run.skipped + run.failed
    percent = int(done * 100 / run.units) if run.units else (100 if run.finished_at else 0)
    context = {"run": run, "done": done, "percent": percent}
    response = render(
        request,
        "billing/_run_progress.html" if request.htmx else "billing/run.html",
        context,
    )
    patch_vary_headers(response, ["HX-Request"])  # a browser never shows the part as the page
    return response


class TariffForm(forms.Form):
    charge = forms.CharField(label=_("Charge"), max_length=60, help_text=_("e.g. IPL, Sampah"))
    basis = forms.ChoiceField(label=_("Basis"), choices=Tariff.Basis.choices)
    rate = RupiahField(label=_("Rate (Rp, or Rp per m²)"), min_value=0, decimal_places=2)
    unit_type = forms.ChoiceField(
        label=_("Unit type"), choices=[("", _("All types")), *Unit.Type.choices], required=False
    )
    is_taxable = forms.BooleanField(label=_("PPN applies"), required=False, initial=True)
    effective_from = forms.CharField(
        label=_("From month"), max_length=7, widget=forms.TextInput(attrs={"type": "month"})
    )
    effective_to = forms.CharField(
        label=_("Until month (optional)"),
        max_length=7,
        required=False,
        widget=forms.TextInput(attrs={"type": "month"}),
    )


def _month(value: str) -> date:
    try:
        year, month = (int(part) for part in value.split("-"))
        return date(year, month, 1)
    except ValueError:
        raise ValidationError(_("Write the month as YYYY-MM, e.g. 2026-12.")) from None


@manager_required
def tariffs_page(request: HttpRequest) -> HttpResponse:
    """The tariffs by charge; add one (never overlapping another of the same charge)."""
    form = TariffForm(
        request.POST or None, initial={"effective_from": f"{timezone.localdate():%Y-%m}"}
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            data["effective_from"] = _month(data["effective_from"])
            data["effective_to"] = _month(data["effective_to"]) if data["effective_to"] else None
            save_tariff(actor=user_of(request), **data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Tariff saved; it applies from the next billing run."))
            return redirect("tariffs-page")
    tariffs = Tariff.objects.order_by("charge", "unit_type", "-effective_from")
    return render(
        request,
        "billing/tariffs.html",
        {
            "form": form,
            "tariffs": tariffs,
            "this_month": timezone.localdate().replace(day=1),
            "next_month": _next_month(),
        },
    )


def _next_month() -> str:
    today = timezone.localdate()
    return f"{today.year + today.month // 12}-{today.month % 12 + 1:02d}"


class TariffChangeForm(forms.Form):
    from_month = forms.CharField(max_length=7)
    rate = RupiahField(min_value=0, decimal_places=2, required=False)


@manager_required
@require_POST
def change_tariff_page(request: HttpRequest, pk: int) -> HttpResponse:
    """End a tariff from a month on, or go on from then at a new rate."""
    tariff = get_object_or_404(Tariff, pk=pk)
    form = TariffChangeForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError([e for errors in form.errors.values() for e in errors])
        rate = form.cleaned_data["rate"]
        change_tariff(
            tariff=tariff,
            from_month=_month(form.cleaned_data["from_month"]),
            rate=rate,
            actor=user_of(request),
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        month = form.cleaned_data["from_month"]
        if rate is None:
            messages.success(
                request,
                _("%(charge)s ends before %(month)s.") % {"charge": tariff.charge, "month": month},
            )
        else:
            messages.success(
                request,
                _("%(charge)s is %(rate)s from %(month)s.")
                % {"charge": tariff.charge, "rate": rupiah(rate), "month": month},
            )
    return redirect("tariffs-page")


class BillingSettingsForm(forms.ModelForm):
    class Meta:
        model = BillingSettings
        fields = list(SETTINGS_FIELDS)
        labels = {
            "address": _("The complex's address (printed on invoices and receipts)"),
            "logo": _("Logo (printed on invoices and receipts)"),
            "invoice_prefix": _("Invoice number prefix"),
            "tax_enabled": _("Charge PPN"),
            "tax_label": _("Tax name"),
            "tax_rate": _("Tax rate (%)"),
            "tax_base_percent": _("Taxable base (% of the price)"),
            "late_fee": _("Late fee"),
            "payment_instructions": _("Payment instructions (printed on every invoice)"),
        }
        help_texts = {
            "tax_base_percent": _("PMK 131/2024: 12% on 11/12 of the price, that is 91.667%."),
        }
        widgets = {
            "address": forms.Textarea(attrs={"rows": 2}),
            "payment_instructions": forms.Textarea(attrs={"rows": 3}),
            "logo": forms.ClearableFileInput(attrs={"accept": "image/png,image/jpeg"}),
        }

    # Declared again for their bounds (the model's are wider); Meta's labels skip these.
    due_day = forms.IntegerField(
        label=_("Due day of the month"), help_text=_("1 to 28."), min_value=1, max_value=28
    )
    run_day = forms.IntegerField(
        label=_("Bill the next month by itself on day (empty: by hand)"),
        min_value=1,
        max_value=28,
        required=False,
    )
    grace_days = forms.IntegerField(
        label=_("Days of grace after the due date"), min_value=0, max_value=90
    )
    remind_days_before = forms.IntegerField(
        label=_("Remind this many days before the due date (0: not)"), min_value=0, max_value=27
    )
    remind_days_after = forms.IntegerField(
        label=_("Remind this many days after it (0: not)"), min_value=0, max_value=60
    )
    late_fee_value = RupiahField(
        label=_("Late fee: amount (Rp) or percentage"),
        min_value=0,
        max_value=100_000_000,
        decimal_places=2,
    )
    late_fee_cap = RupiahField(
        label=_("Late fees at most (Rp, empty: no cap)"),
        min_value=0,
        max_value=100_000_000,
        decimal_places=0,
        required=False,
    )

    def clean_logo(self) -> object:
        logo = self.cleaned_data.get("logo")
        return check_photo(logo) if logo and logo != self.instance.logo else logo


@manager_required
def billing_settings_page(request: HttpRequest) -> HttpResponse:
    """How the complex bills: due day, PPN, late fees, reminders, what invoices print."""
    config = BillingSettings.current()
    form = BillingSettingsForm(request.POST or None, request.FILES or None, instance=config)
    if request.method == "POST" and form.is_valid():
        changes = {name: form.cleaned_data[name] for name in form.changed_data}
        if "logo" in changes and changes["logo"] is False:  # "clear" ticked
            changes["logo"] = ""
        try:
            update_billing_settings(changes=changes, actor=user_of(request))
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Billing settings saved."))
            return redirect("billing-settings-page")
    return render(request, "billing/settings.html", {"form": form})


class ChargeForm(forms.Form):
    units = UnitsField()
    period = forms.CharField(
        label=_("On the invoice of"), max_length=7, widget=forms.TextInput(attrs={"type": "month"})
    )
    description = forms.CharField(label=_("Description"), max_length=200)
    amount = RupiahField(label=_("Amount per unit (Rp)"), min_value=1, decimal_places=0)
    is_taxable = forms.BooleanField(label=_("PPN applies"), required=False)


@manager_required
def charges_page(request: HttpRequest) -> HttpResponse:
    """One-off charges (a new access card, a repair): billed with a month's invoice."""
    form = ChargeForm(request.POST or None, initial={"period": _next_month()})
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            data["period"] = _month(data["period"])
            charges = add_one_off_charges(actor=user_of(request), **data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(
                request,
                ngettext(
                    "%(description)s charged to %(count)s unit.",
                    "%(description)s charged to %(count)s units.",
                    len(charges),
                )
                % {"description": data["description"], "count": len(charges)},
            )
            return redirect("charges-page")
    listed = OneOffCharge.objects.select_related("unit", "invoice").order_by("-created_at")
    return render(
        request,
        "billing/charges.html",
        {"form": form, **paginate(request, listed, 25), "units": Unit.objects.all()},
    )


@manager_required
def remind_overdue_page(request: HttpRequest) -> HttpResponse:
    """Remind every unit with an overdue invoice at once: a summary first, then the truth."""
    overdue = overdue_invoices()
    if request.method == "POST" and request.POST.get("confirmed") == "1":
        reach = remind_overdue(actor=user_of(request))
        tell = messages.success if reach.reached else messages.error
        tell(request, describe_reach(reach))
        return redirect("invoices-page")
    return render(
        request,
        "billing/remind_overdue.html",
        {
            "invoices": overdue,
            "units": len({invoice.unit_id for invoice in overdue}),
            "owed": sum((invoice.balance_due for invoice in overdue), Decimal(0)),
        },
    )


# --- Financial reports ----------------------------------------------------------------


def report_file(report: Report, kind: str) -> HttpResponse:
    """A report as a CSV, XLSX or (the aging) PDF download."""
    stem = f"{report.name}-{timezone.localdate():%Y-%m-%d}"
    if kind == "pdf":
        return pdf_response(render_report(report), stem)
    if kind == "xlsx":
        return download(to_xlsx(report.table(), report.name), f"{stem}.xlsx", XLSX)
    return download(to_csv(report.table()), f"{stem}.csv", "text/csv; charset=utf-8")


@manager_required
@replica_reads
def reports_page(request: HttpRequest, name: str = "aging") -> HttpResponse:
    """The financial reports, each on screen with its chart and as files."""
    if name not in reports.TITLES:
        raise Http404
    filters = filters_of(request, ReportFilters)
    if filters.get("format") == "pdf" and name != "aging":
        raise Http404  # only the aging is laid out for paper
    report = reports.build(name, filters)
    if filters.get("format"):
        return report_file(report, filters["format"])
    query = request.GET.copy()
    query.pop("format", None)
    return render(
        request,
        "billing/reports.html",
        {
            "report": report,
            "names": reports.TITLES,
            "chart": report.chart,
            "query": query.urlencode(),
            "filters": {name: request.GET.get(name, "") for name in ("period", "start", "end")},
        },
    )

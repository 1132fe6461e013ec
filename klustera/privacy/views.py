"""Privacy pages: everyone's own (the notice, their choices, their requests and their copy),
the consent asked at sign-in, and the managers' queue of requests."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from klustera.api import user_of
from klustera.paging import paginate
from klustera.permissions import manager_required
from klustera.privacy import selectors, services
from klustera.privacy.api import download
from klustera.privacy.models import (
    FINANCIAL_YEARS,
    OPERATIONAL_DAYS,
    ConsentRecord,
    DataRequest,
    Purpose,
    RetentionRun,
)
from klustera.privacy.notice_text import NOTICE
from klustera.privacy.processing import activities, processing_pdf


class OptInsForm(forms.Form):
    community = forms.BooleanField(
        label=Purpose.COMMUNITY.label,
        required=False,
        help_text=gettext_lazy("Announcements of events, polls and their reminders."),
    )
    marketing = forms.BooleanField(
        label=Purpose.MARKETING.label,
        required=False,
        help_text=gettext_lazy("Offers the complex passes on. Nothing else changes if you say no."),
    )


class RequestForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("I would like"), choices=DataRequest.Kind.choices)
    details = forms.CharField(
        label=gettext_lazy("Details"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("For a correction: what is wrong and what it should say."),
    )


def _form_error(form: forms.Form, exc: ValidationError) -> None:
    named = hasattr(exc, "error_dict") and set(exc.error_dict) <= set(form.fields)
    form.add_error(None, exc if named else exc.messages)


def _notice_context(request: HttpRequest) -> dict[str, Any]:
    notice = services.current_notice()
    language = "en" if request.LANGUAGE_CODE == "en" else "id"
    additions = notice.additions_en if language == "en" else notice.additions_id
    return {"notice": notice, "paragraphs": NOTICE[language], "additions": additions}


def _stored_choices(user: Any) -> dict[str, bool]:
    latest = services.latest_choices(user)
    return {
        purpose: latest[purpose].granted
        for purpose in ("community", "marketing")
        if purpose in latest
    }


@login_required
def consent_page(request: HttpRequest) -> HttpResponse:
    """The notice in force, asked after registration or a new version: accept, choosing each
    opt-in on its own."""
    user = user_of(request)
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        next_url = ""
    form = OptInsForm(request.POST or None, initial=_stored_choices(user))
    if request.method == "POST" and form.is_valid():
        try:
            services.accept_notice(
                user=user,
                opt_ins=form.cleaned_data,
                method=ConsentRecord.Method.SIGN_IN,
                version=int(request.POST.get("version") or 0) or None,
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect(f"{request.path}?next={next_url}")
        messages.success(request, _("Thank you: your choices are recorded."))
        return redirect(next_url or "home")
    return render(
        request,
        "privacy/consent.html",
        {**_notice_context(request), "form": form, "next": next_url},
    )


@login_required
def privacy_page(request: HttpRequest) -> HttpResponse:
    user = user_of(request)
    choices = OptInsForm(
        request.POST if "choices" in request.POST else None, initial=_stored_choices(user)
    )
    ask = RequestForm(request.POST if "ask" in request.POST else None)
    if request.method == "POST":
        if "choices" in request.POST and choices.is_valid():
            for purpose, granted in choices.cleaned_data.items():
                if _stored_choices(user).get(purpose) != granted:
                    services.set_opt_in(
                        user=user,
                        purpose=purpose,
                        granted=granted,
                        method=ConsentRecord.Method.APP_SETTING,
                    )
            messages.success(request, _("Your choices are saved."))
            return redirect("privacy-page")
        if "ask" in request.POST and ask.is_valid():
            try:
                services.open_request(user=user, **ask.cleaned_data)
            except ValidationError as exc:
                _form_error(ask, exc)
            else:
                messages.success(request, _("Request received. We answer within 3 × 24 hours."))
                return redirect("privacy-page")
        if "lift" in request.POST:
            services.lift_restriction(user=user)
            messages.success(request, _("The restriction is lifted."))
            return redirect("privacy-page")
    return render(
        request,
        "privacy/mine.html",
        {
            **_notice_context(request),
            "choices": choices,
            "ask": ask,
            "records": ConsentRecord.objects.filter(user=user)[:20],
            "restricted": services.is_restricted(user.pk),
            "now": timezone.now(),
            **paginate(request, selectors.my_requests(user), 10),
        },
    )


@login_required
def download_page(request: HttpRequest, pk: int) -> Any:
    return download(user_of(request), pk)


class QueueFilter(forms.Form):
    status = forms.ChoiceField(
        choices=[("open", gettext_lazy("Open")), ("all", gettext_lazy("All"))], required=False
    )


@manager_required
def queue_page(request: HttpRequest) -> HttpResponse:
    form = QueueFilter(request.GET or None)
    everything = form.is_valid() and form.cleaned_data["status"] == "all"
    rows = selectors.request_queue(open_only=not everything)
    return render(
        request,
        "privacy/queue.html",
        {"form": form, "now": timezone.now(), **paginate(request, rows, 25)},
    )


class OutcomeForm(forms.Form):
    outcome = forms.CharField(
        label=gettext_lazy("What was done"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class RejectForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Why it is refused"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


@manager_required
def request_page(request: HttpRequest, pk: int) -> HttpResponse:
    subject = selectors.access_data_request(user_of(request), pk)
    complete = OutcomeForm(request.POST if "complete" in request.POST else None)
    reject = RejectForm(request.POST if "reject" in request.POST else None)
    if request.method == "POST":
        form, service, field = (
            (complete, services.complete_request, "outcome")
            if "complete" in request.POST
            else (reject, services.reject_request, "reason")
        )
        if form.is_valid():
            try:
                service(
                    request=subject, actor=user_of(request), **{field: form.cleaned_data[field]}
                )
            except ValidationError as exc:
                _form_error(form, exc)
            else:
                messages.success(request, _("The request is answered."))
                return redirect("privacy-request", pk=pk)
    return render(
        request,
        "privacy/request.html",
        {
            "subject": subject,
            "complete": complete,
            "reject": reject,
            "kept": services.kept_notes(subject.user)
            if subject.kind == DataRequest.Kind.DELETION and subject.is_open
            else [],
            "now": timezone.now(),
        },
    )


class NoticeForm(forms.Form):
    additions_id = forms.CharField(
        label=gettext_lazy("The complex's additions, in Indonesian"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    additions_en = forms.CharField(
        label=gettext_lazy("The complex's additions, in English"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 5}),
    )


@manager_required
def notice_page(request: HttpRequest) -> HttpResponse:
    current = services.current_notice()
    form = NoticeForm(
        request.POST or None,
        initial={"additions_id": current.additions_id, "additions_en": current.additions_en},
    )
    if request.method == "POST" and form.is_valid():
        notice = services.publish_notice(actor=user_of(request), **form.cleaned_data)
        messages.success(
            request,
            _("Version %(version)d is published: everyone is asked to agree at their next sign-in.")
            % {"version": notice.version},
        )
        return redirect("privacy-notice")
    return render(request, "privacy/notice.html", {**_notice_context(request), "form": form})


class RetentionForm(forms.Form):
    operational_days = forms.IntegerField(
        label=gettext_lazy(
            "Operational records (gate log, visitor and parcel photos, sent messages), days"
        ),
        min_value=OPERATIONAL_DAYS[0],
        max_value=OPERATIONAL_DAYS[1],
    )
    financial_years = forms.IntegerField(
        label=gettext_lazy("Financial records (invoices, receipts, transfer slips), years"),
        min_value=FINANCIAL_YEARS[0],
        max_value=FINANCIAL_YEARS[1],
        help_text=gettext_lazy("Never under 10: UU KUP art. 28(11)."),
    )


@manager_required
def retention_page(request: HttpRequest) -> HttpResponse:
    """The periods, what the next nightly run would remove, and what the last runs removed."""
    current = services.privacy_settings()
    form = RetentionForm(
        request.POST if "periods" in request.POST else None,
        initial={
            "operational_days": current.operational_days,
            "financial_years": current.financial_years,
        },
    )
    if request.method == "POST":
        if "periods" in request.POST and form.is_valid():
            services.update_retention(actor=user_of(request), **form.cleaned_data)
            messages.success(request, _("The periods are saved."))
            return redirect("privacy-retention")
        if "apply" in request.POST:
            run = services.apply_retention(actor=user_of(request))
            messages.success(
                request,
                _("Retention applied: %(n)d records cleared or deleted.") % {"n": run.total},
            )
            return redirect("privacy-retention")
    return render(
        request,
        "privacy/retention.html",
        {
            "form": form,
            "due": services.retention_due(),
            "runs": RetentionRun.objects.all()[:10],
        },
    )


@manager_required
def processing_page(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "privacy/processing.html",
        {"activities": activities(services.privacy_settings())},
    )


@manager_required
def processing_pdf_page(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(
        processing_pdf(services.privacy_settings()), content_type="application/pdf"
    )
    response["Content-Disposition"] = 'attachment; filename="record-of-processing.pdf"'
    return response

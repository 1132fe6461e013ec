"""The facilities' pages: what there is to book and a week of it, booking, one's bookings
with their payment, the manager's calendar and approvals, and the guards' day ahead."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import BadRequest, PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from klustera.api import user_of
from klustera.facilities.calendar import feed_owner, feed_token, to_ics
from klustera.facilities.forms import (
    BookingForm,
    ClosureForm,
    DecisionForm,
    FacilityForm,
    HolidayForm,
    week_start,
)
from klustera.facilities.models import HOLDING, Booking, Facility, FacilityPhoto, Holiday
from klustera.facilities.reports import ReportPeriod, Utilisation, report_table, utilisation
from klustera.facilities.selectors import (
    access_facility,
    availability,
    bookings_visible_to,
    facilities_visible_to,
)
from klustera.facilities.services import (
    add_facility_photos,
    add_holiday,
    book_facility,
    cancel_booking,
    close_booking,
    close_facility,
    decide_booking,
    remove_facility_photo,
    remove_holiday,
    save_facility,
)
from klustera.forms import PhotosField
from klustera.paging import filters_of, paginate
from klustera.permissions import manager_required
from klustera.roles import is_manager, is_staff_member
from klustera.tables import XLSX, download, to_csv, to_xlsx
from klustera.tenancy.context import current_tenant
from klustera.tenancy.replicas import replica_reads

B = Booking.Status
FEED_DAYS = 60  # how far back a calendar feed reaches


def _zone() -> ZoneInfo:
    tenant = current_tenant()
    return ZoneInfo(tenant.time_zone if tenant else "Asia/Jakarta")


@login_required
def facilities_page(request: HttpRequest) -> HttpResponse:
    """The facilities to book, and one's bookings still to come."""
    user = user_of(request)
    upcoming = (
        bookings_visible_to(user)
        .filter(end__gte=timezone.now(), status__in=HOLDING)
        .order_by("start")
    )
    return render(
        request,
        "facilities/facilities.html",
        {
            "facilities": facilities_visible_to(user),
            "upcoming": upcoming[:20],
            "waiting": Booking.objects.filter(status=B.PENDING_APPROVAL).count()
            if is_manager(user)
            else 0,
        },
    )


@login_required
def facility_page(request: HttpRequest, pk: int) -> HttpResponse:
    """A week of one facility (free, full or closed, never who) and the booking form; a free
    slot's link fills the form in."""
    user = user_of(request)
    facility = access_facility(user, pk)
    zone = _zone()
    today = timezone.localdate()
    first = max(week_start(request.GET.get("from", ""), today), today)
    initial = {key: request.GET[key] for key in ("day", "start", "end") if request.GET.get(key)}
    form = BookingForm(
        request.POST or None, initial=initial, user=user, facility=facility, zone=zone
    )
    if request.method == "POST" and form.is_valid():
        try:
            booking = book_facility(facility=facility, actor=user, **form.booking())
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _booked_message(booking))
            return redirect("booking-page", pk=booking.pk)
    days = availability(facility, first, first + timedelta(days=6), timezone.now())
    return render(
        request,
        "facilities/facility.html",
        {
            "facility": facility,
            "hours": facility.hours.all(),
            "days": days,
            "form": form,
            "previous": first - timedelta(days=7) if first > today else None,
            "next": first + timedelta(days=7),
            "now": timezone.now(),
        },
    )


def _booked_message(booking: Booking) -> str:
    if booking.status == B.PENDING_PAYMENT:
        return _("Booked and held for 30 minutes: pay now to keep it.")
    if booking.status == B.PENDING_APPROVAL:
        return _("Booked: the management decides on it, and you hear which way.")
    return _("Booked and confirmed.")


@login_required
def booking_page(request: HttpRequest, pk: int) -> HttpResponse:
    """One booking: its time, state, invoice and what one may do with it."""
    user = user_of(request)
    booking = get_object_or_404(bookings_visible_to(user).select_related("invoice"), pk=pk)
    now = timezone.now()
    free_until = booking.start - timedelta(hours=booking.facility.free_cancel_hours)
    return render(
        request,
        "facilities/booking.html",
        {
            "booking": booking,
            "manager": is_manager(user),
            "now": now,
            "free_until": free_until,
            "late": now > free_until and booking.status != B.PENDING_PAYMENT,
            "can_pay": booking.status == B.PENDING_PAYMENT
            and booking.invoice is not None
            and booking.invoice.balance_due > 0
            and booking.hold_until is not None
            and booking.hold_until > now,
            "form": DecisionForm(),
            # Back from the checkout: the page follows until the payment is booked.
            "checking": request.GET.get("paid") == "1" and booking.status == B.PENDING_PAYMENT,
        },
    )


ACTIONS = ("cancel", "approve", "decline", "close", "no_show", "keep_deposit")


@require_POST
@login_required
def booking_action(request: HttpRequest, pk: int) -> HttpResponse:
    """Cancel (the resident or a manager); approve, decline, close or mark a no-show (a
    manager)."""
    user = user_of(request)
    booking = get_object_or_404(bookings_visible_to(user), pk=pk)
    action = request.POST.get("action", "")
    if action not in ACTIONS:
        raise BadRequest("unknown action")
    if action != "cancel" and not is_manager(user):
        raise PermissionDenied
    reason = DecisionForm(request.POST).reason_text()
    try:
        if action == "cancel":
            cancel_booking(booking=booking, actor=user, reason=reason)
            messages.success(request, _("Booking cancelled."))
        elif action in ("approve", "decline"):
            decide_booking(booking=booking, actor=user, approve=action == "approve", reason=reason)
            messages.success(
                request, _("Booking approved.") if action == "approve" else _("Booking declined.")
            )
        else:
            close_booking(
                booking=booking,
                actor=user,
                no_show=action == "no_show",
                keep_deposit=action == "keep_deposit",
                reason=reason,
            )
            messages.success(request, _("Booking closed."))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("booking-page", pk=booking.pk)


@manager_required
def calendar_page(request: HttpRequest) -> HttpResponse:
    """Every facility's bookings, a week at a time by day, with the approvals waiting first."""
    zone = _zone()
    today = timezone.localdate()
    first = week_start(request.GET.get("from", ""), today)
    since = datetime.combine(first, datetime.min.time(), zone)
    chosen = request.GET.get("facility", "")
    week = Booking.objects.select_related("facility", "unit").filter(
        start__lt=since + timedelta(days=7),
        end__gt=since,
        status__in=(*HOLDING, B.CLOSED, B.NO_SHOW),
    )
    if chosen.isdigit():
        week = week.filter(facility_id=chosen)
    days: dict[date, list[Booking]] = {first + timedelta(days=n): [] for n in range(7)}
    for booking in week.order_by("start"):
        day = booking.start.astimezone(zone).date()
        days.setdefault(day, []).append(booking)
    waiting = Booking.objects.select_related("facility", "unit").filter(status=B.PENDING_APPROVAL)
    return render(
        request,
        "facilities/calendar.html",
        {
            "days": sorted((day, rows) for day, rows in days.items() if day >= first),
            "waiting": waiting.order_by("start"),
            "facilities": facilities_visible_to(request.user),
            "chosen": chosen,
            "first": first,
            "previous": first - timedelta(days=7),
            "next": first + timedelta(days=7),
        },
    )


@login_required
def day_ahead_page(request: HttpRequest) -> HttpResponse:
    """Staff and guards: who is expected at which facility today and tomorrow, and how many."""
    user = user_of(request)
    if not (is_staff_member(user) or is_manager(user)):
        raise PermissionDenied
    zone = _zone()
    today = timezone.localdate()
    since = datetime.combine(today, datetime.min.time(), zone)
    bookings = (
        Booking.objects.select_related("facility", "unit")
        .filter(status=B.CONFIRMED, start__lt=since + timedelta(days=2), end__gt=since)
        .order_by("start")
    )
    days: dict[date, list[Booking]] = {today: [], today + timedelta(days=1): []}
    for booking in bookings:
        days.setdefault(booking.start.astimezone(zone).date(), []).append(booking)
    return render(request, "facilities/day_ahead.html", {"days": list(days.items())[:2]})


@login_required
def my_bookings_page(request: HttpRequest) -> HttpResponse:
    """All of one's bookings, the latest first."""
    user = user_of(request)
    bookings = bookings_visible_to(user).order_by("-start", "-pk")
    feed = request.build_absolute_uri(
        reverse("bookings-feed", kwargs={"pk": user.pk, "token": feed_token(user)})
    )
    return render(
        request, "facilities/bookings.html", {**paginate(request, bookings, 20), "feed": feed}
    )


@manager_required
def manage_facilities_page(request: HttpRequest) -> HttpResponse:
    """Every facility, retired ones too, to change; and a new one."""
    return render(
        request,
        "facilities/manage.html",
        {
            "facilities": Facility.objects.prefetch_related("hours"),
            "holidays": Holiday.objects.filter(day__gte=timezone.localdate()),
            "holiday_form": HolidayForm(),
        },
    )


@require_POST
@manager_required
def holidays_page(request: HttpRequest) -> HttpResponse:
    """Add a holiday (its day charged at the weekend fee), or remove one (``remove``)."""
    actor = user_of(request)
    remove = request.POST.get("remove", "")
    if remove:
        holiday = get_object_or_404(Holiday, pk=remove if remove.isdigit() else 0)
        remove_holiday(holiday=holiday, actor=actor)
        messages.success(request, _("Holiday removed."))
        return redirect("facilities-manage")
    form = HolidayForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(form.errors)
        add_holiday(actor=actor, **form.cleaned_data)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Holiday added."))
    return redirect("facilities-manage")


@manager_required
def facility_edit_page(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """A facility's rules and hours, and its coming closures with the form to block time."""
    facility = get_object_or_404(Facility, pk=pk) if pk else None
    form = FacilityForm(request.POST or None, instance=facility)
    if request.method == "POST" and form.is_valid():
        try:
            saved = save_facility(
                facility=facility, actor=user_of(request), hours=form.hours(), **form.rules()
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Facility saved."))
            return redirect("facility-edit-page", pk=saved.pk)
    closures = facility.closures.filter(end__gte=timezone.now()) if facility else []
    return render(
        request,
        "facilities/edit.html",
        {
            "facility": facility,
            "form": form,
            "closures": closures,
            "closure_form": ClosureForm(),
        },
    )


@require_POST
@manager_required
def facility_closure_page(request: HttpRequest, pk: int) -> HttpResponse:
    """Block a time: the bookings it covers are cancelled and their residents told."""
    facility = get_object_or_404(Facility, pk=pk)
    form = ClosureForm(request.POST)
    if form.is_valid():
        try:
            _closure, cancelled = close_facility(
                facility=facility, actor=user_of(request), **form.cleaned_data
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(
                request,
                ngettext(
                    "Closed. %(n)s booking was cancelled; its resident is told and refunded.",
                    "Closed. %(n)s bookings were cancelled; their residents are told and refunded.",
                    cancelled,
                )
                % {"n": cancelled},
            )
    else:
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
    return redirect("facility-edit-page", pk=facility.pk)


@manager_required
@require_GET
@replica_reads
def report_page(request: HttpRequest) -> HttpResponse:
    """How much each facility is used: occupancy, bookings, no-shows, fees; units that book."""
    period = filters_of(request, ReportPeriod)
    report = utilisation(period["start"], period["end"])
    if period.get("format"):
        return report_file(report, period["format"])
    return render(
        request,
        "facilities/report.html",
        {
            "report": report,
            "units": report.units[:20],
            "query": f"start={report.first:%Y-%m-%d}&end={report.last:%Y-%m-%d}",
        },
    )


def report_file(report: Utilisation, kind: str) -> HttpResponse:
    stem = f"facilities-{report.first:%Y-%m-%d}-{report.last:%Y-%m-%d}"
    if kind == "xlsx":
        return download(to_xlsx(report_table(report), "facilities"), f"{stem}.xlsx", XLSX)
    return download(to_csv(report_table(report)), f"{stem}.csv", "text/csv; charset=utf-8")


@login_required
def booking_ics(request: HttpRequest, pk: int) -> HttpResponse:
    """One booking as an ``.ics`` file for one's calendar."""
    booking = get_object_or_404(bookings_visible_to(user_of(request)), pk=pk)
    response = HttpResponse(
        to_ics([booking], booking.facility.name), content_type="text/calendar; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="booking-{booking.pk}.ics"'
    return response


@require_GET
def bookings_feed(request: HttpRequest, pk: int, token: str) -> HttpResponse:
    """A resident's bookings (their units'), the last 60 days and all ahead, for a calendar
    app to subscribe to; the link is the key (no sign-in), and a new password changes it."""
    owner = feed_owner(pk, token)
    if owner is None:
        raise Http404
    since = timezone.now() - timedelta(days=FEED_DAYS)
    bookings = bookings_visible_to(owner).filter(end__gte=since).order_by("start")
    tenant = current_tenant()
    name = f"{_('Bookings')} · {tenant.name}" if tenant else _("Bookings")
    return HttpResponse(to_ics(bookings, name), content_type="text/calendar; charset=utf-8")


@login_required
def facility_photo(request: HttpRequest, pk: int) -> FileResponse:
    """A facility's photo (``?size=thumb`` for the small one), to whoever may see it."""
    user = user_of(request)
    photo = get_object_or_404(
        FacilityPhoto.objects.filter(facility__in=facilities_visible_to(user)), pk=pk
    )
    stored = photo.thumbnail if request.GET.get("size") == "thumb" else photo.image
    response = FileResponse(stored.open("rb"), content_type="image/jpeg")
    response["Cache-Control"] = "private, max-age=3600"
    return response


@require_POST
@manager_required
def facility_photos_page(request: HttpRequest, pk: int) -> HttpResponse:
    """Add photos to a facility."""
    facility = get_object_or_404(Facility, pk=pk)
    try:
        images = PhotosField(required=True).clean(request.FILES.getlist("photos"))
        add_facility_photos(facility=facility, images=images, actor=user_of(request))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Photos added."))
    return redirect("facility-edit-page", pk=facility.pk)


@require_POST
@manager_required
def facility_photo_remove_page(request: HttpRequest, pk: int) -> HttpResponse:
    """Take a photo off its facility."""
    photo = get_object_or_404(FacilityPhoto, pk=pk)
    remove_facility_photo(photo=photo, actor=user_of(request))
    messages.success(request, _("Photo removed."))
    return redirect("facility-edit-page", pk=photo.facility_id)

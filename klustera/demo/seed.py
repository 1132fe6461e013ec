"""The demo complex ``graha-indah`` that ``make run`` creates once.

Its logins are fixed and documented in the README. Each area adds its own
demo data here.
"""

from __future__ import annotations

import json
import random
import secrets
import uuid
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from klustera.access.services import log_parcel, register_guest, register_walk_in, verify
from klustera.accounts.models import User
from klustera.accounts.services import create_user
from klustera.billing.models import BillingSettings, Invoice, Payment, Tariff
from klustera.billing.services import (
    charge_late_fees,
    generate_invoices,
    record_payment,
    save_tariff,
    update_billing_settings,
)
from klustera.community.models import Poll
from klustera.community.services import cast_vote, close_poll, create_poll, post_announcement
from klustera.estate.models import Occupancy, Resident, Unit
from klustera.facilities.models import Booking, Closure, Facility, Holiday, OpeningHours
from klustera.facilities.services import book_facility, decide_booking
from klustera.helpdesk.models import Category, Ticket
from klustera.helpdesk.services import file_ticket, move_ticket, rate_ticket, route_ticket
from klustera.notifications.models import Channel, Consent
from klustera.notifications.services import set_consent
from klustera.operations.models import (
    Checkpoint,
    PatrolRoute,
    PatrolScan,
    RouteStop,
    Shift,
    TaskTemplate,
)
from klustera.operations.services import (
    check_rounds,
    follow_up_incident,
    generate_tasks,
    make_rounds,
    report_incident,
)
from klustera.payments.services import update_xendit_account
from klustera.pdf import html_to_pdf
from klustera.phones import normalize_phone
from klustera.privacy.models import ConsentRecord, DataRequest
from klustera.privacy.services import accept_notice, open_request
from klustera.roles import Role
from klustera.tenancy.context import platform_context, tenant_atomic, tenant_context
from klustera.tenancy.links import tenant_url
from klustera.tenancy.models import Tenant
from klustera.tenancy.services import NewManager, provision_tenant

SLUG = "graha-indah"
PASSWORD = "klustera-demo"  # noqa: S105  (the documented demo login)


@dataclass(frozen=True)
class DemoLogin:
    role: str
    phone: str
    name: str


LOGINS = (
    DemoLogin(Role.PROPERTY_MANAGER, "081100000001", "Budi Santoso"),
    DemoLogin(Role.RESIDENT, "081100000002", "Siti Rahmawati"),
    DemoLogin(Role.SECURITY_STAFF, "081100000003", "Agus Prasetyo"),
    DemoLogin(Role.RESIDENT, "081100000007", "Hendra Wijaya"),  # a neighbour, unit B-01
)
STAFF = (
    (Role.SECURITY_STAFF, "081100000004", "Joko Widodo Saputra"),
    (Role.CLEANING_STAFF, "081100000005", "Rina Marlina"),
    (Role.FACILITY_STAFF, "081100000006", "Dedi Kurniawan"),
)
FIRST_NAMES = [
    "Andi",
    "Dewi",
    "Hendra",
    "Lestari",
    "Rudi",
    "Wati",
    "Fajar",
    "Intan",
    "Yusuf",
    "Maya",
    "Bayu",
    "Sari",
    "Teguh",
    "Nur",
    "Eko",
    "Putri",
    "Arif",
    "Ratna",
]
LAST_NAMES = [
    "Wijaya",
    "Hidayat",
    "Saputra",
    "Lubis",
    "Siregar",
    "Nasution",
    "Halim",
    "Gunawan",
    "Susanto",
    "Kusuma",
    "Pratama",
    "Utami",
]


# National holidays, on which the facilities charge their weekend fee.
HOLIDAYS = (
    (date(2026, 12, 25), "Hari Raya Natal"),
    (date(2027, 1, 1), "Tahun Baru 2027 Masehi"),
    (date(2027, 2, 6), "Tahun Baru Imlek 2578 Kongzili"),
)

PLATFORM_ADMIN = DemoLogin("platform admin", "081100000000", "Operator Klustera")


def ensure_demo() -> tuple[Tenant, bool]:
    """Create the demo complex if it does not exist yet; returns it and whether it was created.

    The platform's demo super admin (the platform console at ``/platform/``) is
    created too, in the platform's database, if missing.
    """
    with platform_context():
        if not User.objects.filter(phone=normalize_phone(PLATFORM_ADMIN.phone)).exists():
            User.objects.create_superuser(PLATFORM_ADMIN.phone, PASSWORD, name=PLATFORM_ADMIN.name)
    tenant = Tenant.objects.filter(slug=SLUG).first()
    if tenant is not None:
        return tenant, False
    manager = LOGINS[0]
    tenant = provision_tenant(
        name="Graha Indah Residence",
        slug=SLUG,
        plan=Tenant.Plan.STANDARD,
        max_units=200,
        manager=NewManager(phone=manager.phone, name=manager.name, password=PASSWORD),
    )
    with tenant_context(tenant):
        seed_estate()
        seed_privacy()
        seed_billing()
        seed_payments()
        seed_gate()
        seed_announcements()
        seed_polls()
        seed_helpdesk()
        seed_facilities()
        seed_operations()
        seed_patrols()
        seed_incidents()
    return tenant, True


def seed_estate(*, blocks: str = "ABCD", per_block: int = 10) -> None:
    """Units in blocks A–D, their residents (owners, renters, family) and the staff."""
    rng = random.Random(2026)  # noqa: S311  (reproducible demo data, not secrets)
    with tenant_atomic():
        people = [(login.role, login.phone, login.name) for login in LOGINS[1:]] + list(STAFF)
        users = {
            phone: create_user(phone=phone, name=name, password=PASSWORD, roles=[role])
            for role, phone, name in people
        }
        demo_resident_user = users[LOGINS[1].phone]
        manager = User.objects.get(phone=normalize_phone(LOGINS[0].phone))
        for user in (manager, *users.values()):
            set_consent(
                user=user,
                channel=Channel.WHATSAPP,
                granted=True,
                method=Consent.Method.REGISTRATION,
            )
        for block in blocks:
            for n in range(1, per_block + 1):
                land = Decimal(rng.choice([72, 90, 120, 150]))
                unit = Unit.objects.create(
                    block=block,
                    number=f"{n:02d}",
                    unit_type=Unit.Type.HOUSE,
                    land_area=land,
                    building_area=land * Decimal("0.8"),
                )
                login = {"A01": demo_resident_user, "B01": users[LOGINS[3].phone]}
                if f"{block}{n:02d}" in login:
                    user = login[f"{block}{n:02d}"]
                    owner = Resident.objects.create(name=user.name, phone=user.phone, user=user)
                else:
                    name = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
                    phone = f"+62812{rng.randrange(10**7, 10**8)}"
                    # Two in three left an email address: the rest show as not reachable.
                    email = f"{name.split()[0].lower()}.{block.lower()}{n:02d}@contoh.id"
                    owner = Resident.objects.create(
                        name=name, phone=phone, email=email if n % 3 else ""
                    )
                role = Occupancy.Role.OWNER if rng.random() < 0.8 else Occupancy.Role.RENTER
                Occupancy.objects.create(
                    unit=unit,
                    resident=owner,
                    role=role,
                    start_on=date(2024, 1, 1),
                    is_billing_contact=True,
                )


def seed_privacy() -> None:
    """Everyone who signs in agreed to the notice when they registered (community messages
    too); Hendra asked for his email to be corrected, waiting in the managers' queue."""
    for user in User.objects.filter(is_active=True):
        accept_notice(
            user=user,
            opt_ins={"community": True, "marketing": False},
            method=ConsentRecord.Method.REGISTRATION,
        )
    hendra = User.objects.get(phone=normalize_phone(LOGINS[3].phone))
    open_request(
        user=hendra,
        kind=DataRequest.Kind.CORRECTION,
        details="Email saya seharusnya hendra.wijaya@contoh.id, bukan yang lama.",
    )


def seed_billing(*, months: int = 3) -> None:
    """Tariffs, the last ``months`` months billed, most of them paid, late fees on the rest."""
    rng = random.Random(12)  # noqa: S311
    manager = User.objects.get(phone=normalize_phone(LOGINS[0].phone))
    today = timezone.localdate()
    periods = []
    for back in range(months - 1, -1, -1):
        index = today.year * 12 + today.month - 1 - back
        periods.append(date(index // 12, index % 12 + 1, 1))
    with tenant_atomic():
        update_billing_settings(
            actor=manager,
            changes={
                "due_day": 10,
                "grace_days": 5,
                "late_fee": BillingSettings.LateFee.FLAT,
                "late_fee_value": Decimal(25000),
                "late_fee_cap": Decimal(100000),
                "run_day": 25,
                "address": "Jl. Graha Indah Raya No. 1, Jatiasih, Kota Bekasi 17423",
                "payment_instructions": (
                    "Transfer ke BCA 123-456-7890 a.n. PT Graha Indah Residence, "
                    "cantumkan nomor unit pada berita transfer."
                ),
            },
        )
        for charge, basis, rate, taxable in (
            ("IPL", Tariff.Basis.LAND_AREA, 2500, True),
            ("Keamanan", Tariff.Basis.FLAT, 50000, False),
            ("Sampah", Tariff.Basis.FLAT, 25000, False),
        ):
            save_tariff(
                actor=manager,
                charge=charge,
                basis=basis,
                rate=Decimal(rate),
                is_taxable=taxable,
                effective_from=periods[0],
            )
    for period in periods:
        issued = timezone.make_aware(datetime(period.year, period.month, 1, 8))
        generate_invoices(period=period, actor=manager)
        Invoice.objects.filter(period=period).update(issued_at=issued)
        if period == periods[-1]:
            continue
        for invoice in Invoice.objects.filter(period=period).select_related("unit"):
            if rng.random() < 0.85:
                record_payment(
                    unit=invoice.unit,
                    amount=invoice.total,
                    method=rng.choice([Payment.Method.BANK_TRANSFER, Payment.Method.CASH]),
                    paid_at=issued + timedelta(days=rng.randrange(2, 12), hours=3),
                    actor=manager,
                )
    charge_late_fees(today=today)


def simulator_account(secret_key: str) -> dict[str, str]:
    """Connect the current complex to the local Xendit simulator under ``secret_key``; returns
    the account as the simulator's accounts file lists it."""
    manager = User.objects.get(phone=normalize_phone(LOGINS[0].phone))
    account = {
        "secret_key": secret_key,
        "callback_token": secrets.token_urlsafe(24),
        "callback_url": tenant_url("xendit-callback"),
        "for_user_id": "",
    }
    update_xendit_account(
        actor=manager,
        changes={"secret_key": account["secret_key"], "callback_token": account["callback_token"]},
    )
    return account


def seed_payments() -> None:
    """Online payments through the local Xendit simulator (``make run`` starts it)."""
    account = simulator_account(f"xnd_development_{SLUG.replace('-', '_')}")
    accounts_file = Path(settings.VAR_DIR) / "xendit-sim.json"
    known = json.loads(accounts_file.read_text()) if accounts_file.exists() else []
    known = [a for a in known if a["secret_key"] != account["secret_key"]] + [account]
    accounts_file.write_text(json.dumps(known, indent=2))


def seed_gate() -> None:
    """Guests invited by the demo resident, checks at the gate, a walk-in and a parcel."""
    resident = User.objects.get(phone=normalize_phone(LOGINS[1].phone))
    guard = User.objects.get(phone=normalize_phone(LOGINS[2].phone))
    unit = Unit.objects.get(occupancies__resident__user=resident, occupancies__end_on__isnull=True)
    now = timezone.now()
    codes = [
        register_guest(
            host=resident,
            unit=unit,
            guest_name=name,
            starts_at=now - timedelta(hours=1),
            ends_at=now + timedelta(hours=hours),
            people=people,
            plate=plate,
            multi_use=multi_use,
        )[1]
        for name, people, plate, hours, multi_use in (
            ("Ibu Rahmawati (ibu)", 2, "B 1234 XYZ", 72, True),
            ("Andi (teman)", 1, "", 6, False),
        )
    ]
    for payload in (codes[0], "ZZZZ9999"):
        verify(payload=payload, guard=guard, gate="Gerbang Utama")
    register_walk_in(
        guard=guard,
        unit=unit,
        visitor_name="Teknisi Internet",
        purpose="Pasang wifi",
        gate="Gerbang Utama",
    )
    log_parcel(
        guard=guard, unit=unit, recipient_name=resident.name, courier="JNE", gate="Gerbang Utama"
    )


def seed_announcements() -> None:
    """Two notices from the manager: one to the whole complex with its plan as a PDF, one
    to block B (not sent)."""
    manager = User.objects.get(phone=normalize_phone(LOGINS[0].phone))
    areas = "".join(
        f"<tr><td>Blok {block}</td><td>{area}</td></tr>"
        for block, area in zip(
            "ABCD", ("Taman depan", "Saluran timur", "Lapangan", "Pos jaga"), strict=True
        )
    )
    plan = html_to_pdf(
        "<h1>Pembagian area kerja bakti</h1><table><tr><th>Blok</th><th>Area</th></tr>"
        f"{areas}</table>"
    )
    post_announcement(
        actor=manager,
        title="Kerja bakti bulanan",
        body="Minggu ini pukul 07.00 kita bersihkan saluran air dan taman bersama. "
        "Sarung tangan dan kantong sampah disediakan di pos jaga.",
        send=False,
        attachments=[SimpleUploadedFile("Pembagian area kerja bakti.pdf", plan)],
    )
    post_announcement(
        actor=manager,
        title="Pemadaman air blok B",
        body="Selasa pukul 10.00–14.00 ada perbaikan pipa di blok B. Mohon tampung air secukupnya.",
        blocks=["B"],
        send=False,
    )


def seed_polls() -> None:
    """An open poll Siti has not voted in yet (some neighbours have), and a closed one with
    its minutes."""
    manager = User.objects.get(phone=normalize_phone(LOGINS[0].phone))
    now = timezone.now()
    voters = list(
        User.objects.filter(resident__occupancies__in=Occupancy.objects.filter(end_on__isnull=True))
        .exclude(phone=normalize_phone(LOGINS[1].phone))
        .distinct()
        .order_by("pk")[:14]
    )
    open_poll = create_poll(
        actor=manager,
        question="Tambah lampu jalan di blok C dan D?",
        description="Biaya dari kas IPL, sekitar Rp 12.000.000 untuk 16 titik lampu.",
        options=["Setuju", "Tidak setuju", "Abstain"],
        opens_at=now,
        closes_at=now + timedelta(days=5),
        quorum_percent=50,
        results=Poll.Results.LIVE,
    )
    options = list(open_poll.options.values_list("pk", flat=True))
    for index, user in enumerate(voters[:9]):
        cast_vote(user=user, poll=open_poll, options=[options[(index % 3 and 1) or 0]])
    past = create_poll(
        actor=manager,
        question="Jam operasional kolam renang diperpanjang sampai 21.00?",
        options=["Ya", "Tidak"],
        opens_at=now,
        closes_at=now + timedelta(hours=1),
        ballot=Poll.Ballot.SECRET,
        quorum_percent=30,
    )
    yes, no = past.options.values_list("pk", flat=True)
    for index, user in enumerate(voters):
        cast_vote(user=user, poll=past, options=[no if index % 4 == 0 else yes])
    Poll.objects.filter(pk=past.pk).update(
        opens_at=now - timedelta(days=14), closes_at=now - timedelta(days=7)
    )
    close_poll(poll=Poll.objects.get(pk=past.pk))


# Complaints in every state: (category, title, unit or None, priority, the moves made).
# category, title, unit, priority, days ago, hours between moves, moves, rating
TICKETS = [
    ("Fasilitas umum", "Lampu taman blok A mati", "A-01", "normal", 0.2, 0, [], None),
    ("Kebersihan", "Sampah belum diangkut dua hari", "B-03", "high", 1, 1, ["route"], None),
    ("Air & listrik", "Air keruh di blok C", "C-02", "urgent", 0.5, 0.5, ["assign"], None),
    (
        "Infrastruktur/jalan",
        "Jalan berlubang depan pos",
        None,
        "normal",
        3,
        5,
        ["assign", "start"],
        None,
    ),
    ("Keamanan", "Portal belakang tidak menutup", None, "high", 2, 2, ["assign", "start"], None),
    (
        "Fasilitas umum",
        "Ayunan taman bermain patah",
        None,
        "low",
        12,
        30,
        ["assign", "start", "resolve"],
        2,
    ),
    (
        "Kebersihan",
        "Selokan mampet blok D",
        "D-05",
        "normal",
        40,
        10,
        ["assign", "start", "resolve", "close"],
        4,
    ),
    ("Administrasi", "Minta surat keterangan domisili", "A-01", "low", 20, 3, ["cancel"], None),
    (
        "Air & listrik",
        "Meteran listrik bersuara",
        "B-07",
        "normal",
        4,
        12,
        ["assign", "start", "resolve", "reopen"],
        None,
    ),
    ("Fasilitas umum", "Keran air di musala bocor", None, "normal", 0.1, 0, ["route"], None),
    ("Kebersihan", "Rumput lapangan tinggi", None, "low", 6, 5, ["assign"], None),
    ("Lainnya", "Kucing liar di atap blok C", "C-09", "low", 9, 0, [], None),
    (
        "Keamanan",
        "Kamera pos depan buram",
        None,
        "normal",
        55,
        6,
        ["assign", "start", "resolve", "close"],
        5,
    ),
    (
        "Infrastruktur/jalan",
        "Polisi tidur terlalu tinggi",
        None,
        "low",
        70,
        40,
        ["assign", "start", "resolve", "close"],
        3,
    ),
]


def seed_helpdesk() -> None:
    """A dozen complaints in every state, with the facility and cleaning staff's queues."""
    manager = User.objects.get(phone=normalize_phone(LOGINS[0].phone))
    resident = User.objects.get(phone=normalize_phone(LOGINS[1].phone))
    fixer = User.objects.get(phone=normalize_phone(STAFF[2][1]))
    cleaner = User.objects.get(phone=normalize_phone(STAFF[1][1]))
    status = Ticket.Status
    now = timezone.now()
    for category, title, label, priority, days_ago, step, moves, stars in TICKETS:
        unit = None
        if label:
            block, number = label.split("-")
            unit = Unit.objects.get(block=block, number=number)
        at = now - timedelta(days=days_ago)
        ticket = file_ticket(  # the demo resident's own, else as the office took them
            actor=resident if label == "A-01" else manager,
            category=Category.objects.get(name=category),
            title=title,
            description=f"{title}. Mohon segera ditangani.",
            unit=unit,
            priority=priority,
            now=at,
        )
        staff = cleaner if category == "Kebersihan" else fixer
        for move in moves:
            at += timedelta(hours=step)
            if move == "route":
                queue = Role.CLEANING_STAFF if staff == cleaner else Role.FACILITY_STAFF
                route_ticket(ticket=ticket, queue=queue, actor=manager)
                continue
            to, actor, note = {
                "assign": (status.ASSIGNED, manager, ""),
                "start": (status.IN_PROGRESS, staff, ""),
                "resolve": (status.RESOLVED, staff, "Sudah beres."),
                "close": (status.CLOSED, manager, ""),
                "reopen": (status.REOPENED, manager, "Masih bunyi."),
                "cancel": (status.CANCELLED, resident, ""),
            }[move]
            assignee = staff if move == "assign" else None
            move_ticket(ticket=ticket, to=to, actor=actor, note=note, assignee=assignee, now=at)
        if stars:
            rate_ticket(ticket=ticket, actor=ticket.filed_by or manager, stars=stars)


def seed_facilities() -> None:
    """A clubhouse with a fee, a deposit and approval, a pool shared by 30 people, a free
    tennis court; bookings across the coming two weeks and one maintenance day."""
    manager = User.objects.get(phone=normalize_phone(LOGINS[0].phone))
    resident = User.objects.get(phone=normalize_phone(LOGINS[1].phone))
    rng = random.Random(2027)  # noqa: S311  (reproducible demo data, not secrets)
    clubhouse = _facility(
        "Clubhouse",
        opens=(8, 22),
        mode=Facility.Mode.RANGES,
        min_minutes=120,
        max_minutes=360,
        buffer_minutes=60,
        lead_min_hours=24,
        lead_max_days=60,
        quota_per_week=1,
        needs_approval=True,
        fee_kind=Facility.FeeKind.PER_BOOKING,
        fee=Decimal(500_000),
        weekend_fee=Decimal(750_000),
        deposit=Decimal(500_000),
        free_cancel_hours=72,
        late_cancel_fee=Decimal(250_000),
        rules="Maksimal 80 tamu. Musik sampai pukul 22.00. Ruangan dikembalikan bersih; "
        "kerusakan dipotong dari deposit.",
    )
    pool = _facility(
        "Kolam renang",
        opens=(6, 20),
        closed_weekday=1,  # Mondays: cleaning
        capacity=30,
        quota_per_week=4,
        rules="Anak di bawah 12 tahun didampingi orang dewasa. Wajib pakaian renang.",
    )
    court = _facility(
        "Lapangan tenis",
        opens=(6, 22),
        quota_per_week=2,
        rules="Sepatu tenis wajib. Lampu menyala setelah pukul 18.00.",
    )
    zone = timezone.get_current_timezone()
    today = timezone.localdate()

    def at(days: int, hour: int) -> datetime:
        return datetime.combine(today + timedelta(days=days), datetime.min.time(), zone).replace(
            hour=hour
        )

    units = list(
        Unit.objects.exclude(number="01", block__in=["A", "B"]).order_by("block", "number")
    )
    rows = []
    for days in range(1, 15):
        for hour in rng.sample(range(6, 22), 5):
            rows.append((court, at(days, hour), 1))
        if at(days, 6).isoweekday() != 1:
            for hour in rng.sample(range(6, 20), 6):
                rows.append((pool, at(days, hour), rng.randint(2, 6)))
    Booking.objects.bulk_create(
        Booking(
            facility=facility,
            unit=rng.choice(units),
            booked_by=manager,
            start=start,
            end=start + timedelta(hours=1),
            party_size=party,
            exclusive=facility.exclusive,
            status=Booking.Status.CONFIRMED,
        )
        for facility, start, party in rows
    )
    Closure.objects.create(
        facility=court,
        start=at(10, 0),
        end=at(11, 0),
        reason="Pengecatan ulang garis lapangan",
        created_by=manager,
    )
    for day, name in HOLIDAYS:
        if day >= today:
            Holiday.objects.create(day=day, name=name)
    a01 = Unit.objects.get(block="A", number="01")
    taken = {start for facility, start, _party in rows if facility == court}
    evening = next(at(2, hour) for hour in (19, 20, 21, 18, 17) if at(2, hour) not in taken)
    book_facility(
        facility=court, unit=a01, actor=resident, start=evening, end=evening + timedelta(hours=1)
    )
    for unit, days, approve in ((units[12], 5, True), (units[25], 9, False)):
        booking = book_facility(
            facility=clubhouse,
            unit=unit,
            actor=manager,
            start=at(days, 16),
            end=at(days, 21),
            note="Syukuran keluarga",
        )
        assert booking.invoice is not None
        record_payment(
            unit=unit,
            amount=booking.invoice.total,
            method=Payment.Method.BANK_TRANSFER,
            reference=f"TRF-{booking.pk:04d}",
            actor=manager,
            for_invoice=booking.invoice,
        )
        booking.refresh_from_db()
        if approve:
            decide_booking(booking=booking, actor=manager, approve=True)


def _facility(name: str, *, opens: tuple[int, int], closed_weekday: int = 0, **rules) -> Facility:
    facility = Facility.objects.create(name=name, **rules)
    OpeningHours.objects.bulk_create(
        OpeningHours(
            facility=facility,
            weekday=day,
            opens=datetime.min.time().replace(hour=opens[0]),
            closes=datetime.min.time().replace(hour=opens[1]),
        )
        for day in range(1, 8)
        if day != closed_weekday
    )
    return facility


def seed_operations() -> None:
    """The cleaners' and technicians' recurring work, and today's tasks from it."""
    cleaner = User.objects.get(phone=normalize_phone(STAFF[1][1]))
    first = timezone.localdate() - timedelta(days=30)
    for title, rules in (
        (
            "Sapu jalan Blok A dan B",
            {
                "assignee": cleaner,
                "at": time(6),
                "photo_required": True,
                "checklist": ["Sapu jalan", "Angkut daun", "Buang sampah"],
            },
        ),
        (
            "Kuras kolam renang",
            {
                "queue": Role.CLEANING_STAFF,
                "at": time(8),
                "frequency": TaskTemplate.Frequency.WEEKDAYS,
                "weekdays": [1, 4],
                "estimated_minutes": 120,
            },
        ),
        ("Bersihkan pos satpam", {"queue": Role.CLEANING_STAFF, "at": time(14)}),
        (
            "Cek lampu taman",
            {
                "queue": Role.FACILITY_STAFF,
                "at": time(17, 30),
                "checklist": ["Taman bermain", "Jalan utama", "Gerbang"],
            },
        ),
    ):
        TaskTemplate.objects.create(title=title, starts_on=first, **rules)
    generate_tasks(day=timezone.localdate())


CHECKPOINTS = (  # around the demo complex, metres apart
    ("Pos utama", "Gerbang depan", "-6.261500", "106.781200"),
    ("Taman bermain", "Sisi timur taman", "-6.261100", "106.781900"),
    ("Kolam renang", "Pintu ruang pompa", "-6.260600", "106.782300"),
    ("Ujung Blok C", "Tiang lampu terakhir", "-6.260000", "106.781800"),
    ("Ujung Blok D", "Pagar belakang", "-6.260300", "106.780900"),
    ("Gerbang belakang", "Pintu darurat", "-6.260900", "106.780500"),
)


def seed_patrols() -> None:
    """A night patrol route of six checkpoints, three nights walked by the guard (one round
    missed, so the managers have had its alert), and a guard on duty now."""
    guard = User.objects.get(phone=normalize_phone(LOGINS[2].phone))
    relief = User.objects.get(phone=normalize_phone(STAFF[0][1]))
    checkpoints = [
        Checkpoint.objects.create(
            name=name, description=where, latitude=Decimal(lat), longitude=Decimal(lon)
        )
        for name, where, lat, lon in CHECKPOINTS
    ]
    today = timezone.localdate()
    route = PatrolRoute.objects.create(
        name="Ronda malam",
        at=time(22),
        until=time(4),
        every_hours=2,
        minutes=45,
        starts_on=today - timedelta(days=3),
    )
    RouteStop.objects.bulk_create(
        RouteStop(route=route, checkpoint=c, position=n) for n, c in enumerate(checkpoints)
    )
    for offset in range(3, -2, -1):
        make_rounds(day=today - timedelta(days=offset))
    zone = timezone.get_current_timezone()
    now = timezone.now()
    scans = []
    for patrol_round in route.rounds.filter(closes_at__lt=now):
        night = (patrol_round.starts_at.astimezone(zone) - timedelta(hours=12)).date()
        if night == today - timedelta(days=2) and patrol_round.starts_at.astimezone(zone).hour == 2:
            continue  # the round nobody walked
        for n, checkpoint in enumerate(checkpoints):
            at = patrol_round.starts_at + timedelta(minutes=4 + 6 * n)
            scans.append(
                PatrolScan(
                    checkpoint=checkpoint,
                    guard=guard,
                    scanned_at=at,
                    received_at=at + timedelta(seconds=2),
                    latitude=checkpoint.latitude,
                    longitude=checkpoint.longitude,
                    accuracy_m=8,
                    distance_m=0,
                    client_id=uuid.uuid4(),
                )
            )
    PatrolScan.objects.bulk_create(scans)
    for offset in (3, 2, 1):
        night = today - timedelta(days=offset)
        start = datetime.combine(night, time(21, 45), zone)
        end = start + timedelta(hours=7, minutes=30)
        Shift.objects.create(
            user=guard,
            started_at=start,
            start_received_at=start,
            ended_at=end,
            end_received_at=end,
            start_client_id=uuid.uuid4(),
            end_client_id=uuid.uuid4(),
        )
    Shift.objects.create(
        user=relief,
        started_at=now - timedelta(hours=2),
        start_received_at=now - timedelta(hours=2),
        start_client_id=uuid.uuid4(),
    )
    check_rounds(now=now)


def seed_incidents() -> None:
    """Three incidents of the last days: a critical one closed, a major one under
    investigation, a minor one open."""
    guard = User.objects.get(phone=normalize_phone(LOGINS[2].phone))
    manager = User.objects.get(phone=normalize_phone(LOGINS[0].phone))
    now = timezone.now()
    reports = [
        ("fire", "critical", 3, "Gardu listrik Blok C", "Asap keluar dari panel listrik.", ""),
        (
            "suspicious",
            "major",
            1,
            "Pagar belakang Blok D",
            "Dua orang mencoba memanjat pagar, lari saat disorot senter.",
            "Dua pria, jaket hitam, motor tanpa pelat",
        ),
        ("damage", "minor", 0, "Taman bermain", "Ayunan putus sebelah.", ""),
    ]
    made = []
    for kind, severity, days, where, what, people in reports:
        incident, _ = report_incident(
            reporter=guard,
            client_id=uuid.uuid4(),
            device_time=now,
            kind=kind,
            severity=severity,
            occurred_at=now - timedelta(days=days, hours=2),
            location=where,
            description=what,
            people=people,
        )
        made.append(incident)
    follow_up_incident(
        incident=made[0],
        actor=manager,
        status="closed",
        note="PLN datang malam itu juga.",
        actions="Panel diputus, kabel yang meleleh diganti.",
    )
    follow_up_incident(
        incident=made[1], actor=manager, status="investigating", note="Rekaman CCTV diminta."
    )

"""The portal's navigation: what each role sees in the page shell."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from klustera.roles import STAFF_ROLES, Role, roles_of

RESIDENT = [
    (_("Home"), "home"),
    (_("Invoices"), "invoices-page"),
    (_("My pass"), "my-pass"),
    (_("My guests"), "my-guests"),
    (_("My account"), "my-account"),
    (_("Complaints"), "complaints-page"),
    (_("Facilities"), "facilities-page"),
    (_("Payments"), "payments-page"),
    (_("My home"), "my-units"),
    (_("Announcements"), "announcements-page"),
    (_("Polls"), "polls-page"),
    (_("Privacy"), "privacy-page"),
]
MANAGER = [
    (_("Dashboard"), "home"),
    (_("Units"), "units-page"),
    (_("Invoices"), "invoices-page"),
    (_("Helpdesk"), "helpdesk-queue"),
    (_("Facilities"), "facilities-calendar"),
    (_("Task templates"), "manage-tasks-page"),
    (_("Patrols"), "manage-patrols-page"),
    (_("Payments"), "manage-payments-page"),
    (_("Tariffs"), "tariffs-page"),
    (_("Billing runs"), "billing-runs-page"),
    (_("Reports"), "reports-page"),
    (_("Access log"), "access-log"),
    (_("Announcements"), "announcements-page"),
    (_("Polls"), "polls-page"),
    (_("Messages"), "notifications-outbox"),
    (_("Invitations"), "invitations-page"),
    (_("Staff"), "staff-page"),
    (_("Data requests"), "privacy-requests"),
    (_("Settings"), "settings-page"),
]
GATE = [
    (_("Guard mode"), "gate-mode"),
    (_("Walk-in"), "gate-walk-in"),
    (_("Parcels"), "gate-parcels"),
    (_("Inside now"), "gate-inside"),
    (_("Patrol"), "patrol-page"),
    (_("Incidents"), "incidents-page"),
    (_("Facility bookings"), "bookings-day-ahead"),
    (_("Tasks"), "tasks-page"),
    (_("Access log"), "access-log"),
]


TABS = 4  # destinations in a phone's bottom bar; the rest go behind "Menu"


def links_for(user: Any) -> list[tuple[Any, str]]:
    roles = roles_of(user)
    if Role.PROPERTY_MANAGER in roles:
        return [*MANAGER, *GATE[:-1]]
    if Role.SECURITY_STAFF in roles:
        return [*GATE, (_("My shift"), "shift-page"), (_("Privacy"), "privacy-page")]
    if Role.RESIDENT in roles:
        return RESIDENT
    if roles & STAFF_ROLES:  # cleaning and facility staff: their tickets
        return [
            (_("Home"), "home"),
            (_("My tasks"), "tasks-page"),
            (_("My tickets"), "complaints-page"),
            (_("My shift"), "shift-page"),
            (_("Incidents"), "incidents-page"),
            (_("Facility bookings"), "bookings-day-ahead"),
            (_("Privacy"), "privacy-page"),
        ]
    return [(_("Home"), "home")]


def navigation(request: HttpRequest) -> dict[str, Any]:
    """Context processor for the page shell.

    ``nav`` lists ``(label, url, current)`` for the signed-in user; on a phone ``tabs``
    are the first few of them and ``menu`` the rest, then the profile.
    """
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav": []}
    if getattr(request, "tenant", None) is None:
        here = (request.resolver_match.url_name if request.resolver_match else "") or ""
        platform = [
            (_("Platform"), reverse("platform-console"), here == "platform-console"),
            (_("Operations"), reverse("platform-operations"), here.startswith("platform-op")),
            (_("Security events"), reverse("platform-security"), here == "platform-security"),
            (_("Breaches"), reverse("platform-breaches"), here.startswith("platform-breach")),
        ]
        return {"nav": platform, "tabs": platform} if user.is_superuser else {"nav": []}
    links = []
    own = [(_("Notifications"), "my-notifications"), (_("Profile"), "profile-page")]
    home = reverse("home")
    for label, name in [*links_for(user), *own]:
        url = reverse(name)
        current = request.path == url or (url != home and request.path.startswith(url))
        links.append((label, url, current))
    menu = links[TABS:]
    return {
        "nav": links[:-1],  # on a wide screen the header links to the profile
        "tabs": links[:TABS],
        "menu": menu,
        "menu_current": any(current for _label, _url, current in menu),
    }

"""The installable app: the web app manifest, the service worker and the offline page.

The service worker lives at the complex's root (``/c/<slug>/sw.js`` or ``/sw.js`` on its
own domain) so that it controls the complex's pages and no other complex's. Its cache is
named after a version: a hash of the app shell's files and of the worker itself, so a
deploy that changes any of them installs a new worker, which waits until the page asks it
to take over (the page offers a reload). The staff pages are kept as last seen, for a phone
that opens them with no network; other pages offline show the offline page.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from django.contrib.staticfiles import finders
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from klustera.roles import Role, roles_of
from klustera.tenancy.context import current_tenant

BRAND = "#0f766e"
SHELL = [  # what every page needs, cached when the worker installs
    "klustera/portal.css",
    "klustera/ui.js",
    "klustera/app.js",
    "klustera/gate.js",
    "klustera/gate-offline.js",
    "klustera/patrol.js",
    "klustera/outbox.js",
    "klustera/staff-offline.js",
    "klustera/favicon.svg",
    "klustera/icons/icon-192.png",
    "vendor/htmx-2.0.11.min.js",
    "vendor/alpine-csp-3.17.4.min.js",
    "vendor/jsQR-1.4.0.min.js",
]
WORKER = Path(__file__).parent / "templates" / "portal" / "sw.js"
OFFLINE_PAGES = ["home", "gate-mode", "tasks-page", "patrol-page", "shift-page", "incidents-page"]


def start_url(request: HttpRequest) -> str:
    """Where the installed app opens: guard mode for guards, the day's tasks for cleaning
    and facility staff, the home page for everyone else."""
    roles = roles_of(request.user) if request.user.is_authenticated else set()
    if Role.PROPERTY_MANAGER not in roles:
        if Role.SECURITY_STAFF in roles:
            return reverse("gate-mode")
        if roles & {Role.CLEANING_STAFF, Role.FACILITY_STAFF}:
            return reverse("tasks-page")
    return reverse("home")


def manifest(request: HttpRequest) -> JsonResponse:
    tenant = current_tenant()
    name = tenant.name if tenant else "Klustera"
    data = {
        "name": f"{name} · Klustera",
        "short_name": name[:12],
        "description": _("Your complex: bills, the gate, complaints and staff work."),
        "lang": request.LANGUAGE_CODE,
        "start_url": start_url(request),
        "scope": reverse("home"),
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": BRAND,
        "icons": [
            *(
                {
                    "src": static(f"klustera/icons/icon-{size}.png"),
                    "sizes": f"{size}x{size}",
                    "type": "image/png",
                }
                for size in (192, 512)
            ),
            {
                "src": static("klustera/icons/maskable-512.png"),
                "sizes": "512x512",
                "type": "image/png",
                "purpose": "maskable",
            },
        ],
    }
    response = JsonResponse(data, json_dumps_params={"ensure_ascii": False})
    response["Content-Type"] = "application/manifest+json"
    response["Cache-Control"] = "private, no-cache"  # start_url depends on who asks
    return response


def _version(shell: list[str]) -> str:
    """Changes whenever a file of the shell, its URLs or the worker itself change."""
    digest = hashlib.sha256(json.dumps(shell).encode())
    digest.update(WORKER.read_bytes())
    for name in SHELL:
        found = finders.find(name)
        if isinstance(found, str):
            digest.update(Path(found).read_bytes())
    return digest.hexdigest()[:12]


@never_cache
def service_worker(request: HttpRequest) -> HttpResponse:
    tenant = current_tenant()
    shell = [static(name) for name in SHELL] + [reverse("offline")]
    pages = [reverse(name) for name in OFFLINE_PAGES]
    body = render_to_string(
        "portal/sw.js",
        {
            "version": _version(shell),
            "shell": json.dumps(shell),
            "pages": json.dumps(pages),
            "static_prefix": json.dumps(static("")),
            "offline": json.dumps(reverse("offline")),
            "icon": json.dumps(static("klustera/icons/icon-192.png")),
            "outbox": json.dumps(static("klustera/outbox.js")),
            "slug": json.dumps(tenant.slug if tenant else ""),
        },
    )
    return HttpResponse(body, content_type="text/javascript; charset=utf-8")


def offline(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/offline.html")

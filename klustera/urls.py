"""The root of every route: each app owns its pages (`urlpatterns`) and API (`api_urlpatterns`)."""

from django.conf import settings
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from klustera.access import urls as access
from klustera.accounts import urls as accounts
from klustera.audit import urls as audit
from klustera.billing import urls as billing
from klustera.community import urls as community
from klustera.estate import urls as estate
from klustera.facilities import urls as facilities
from klustera.helpdesk import urls as helpdesk
from klustera.notifications import urls as notifications
from klustera.observability import urls as observability
from klustera.operations import urls as operations
from klustera.payments import urls as payments
from klustera.platform import urls as platform
from klustera.portal import urls as portal
from klustera.privacy import urls as privacy

API_APPS = [
    accounts,
    estate,
    billing,
    payments,
    access,
    notifications,
    community,
    helpdesk,
    facilities,
    operations,
    audit,
    privacy,
]
PAGE_APPS = [
    observability,
    audit,
    accounts,
    notifications,
    billing,
    payments,
    access,
    estate,
    community,
    helpdesk,
    facilities,
    operations,
    privacy,
]

api_v1 = [
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    *(route for app in API_APPS for route in app.api_urlpatterns),
]

urlpatterns = [
    path("api/v1/", include(api_v1)),
    *(route for app in PAGE_APPS for route in app.urlpatterns),
    *platform.urlpatterns,
    *portal.urlpatterns,  # last: it holds the home page at ""
]

if settings.DEBUG_TOOLBAR:  # development only (settings.py)
    from debug_toolbar.toolbar import debug_toolbar_urls

    urlpatterns = [*debug_toolbar_urls(), *urlpatterns]

handler400 = "klustera.views.bad_request"
handler403 = "klustera.views.permission_denied"
handler404 = "klustera.views.not_found"
handler500 = "klustera.views.server_error"

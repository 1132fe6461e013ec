from django.urls import include, path

from klustera import views
from klustera.accounts.urls import api_urlpatterns as accounts_api
from klustera.estate.urls import api_urlpatterns as estate_api
from klustera.notifications.urls import api_urlpatterns as notifications_api
from klustera.observability import views as observability

api_v1 = [*accounts_api, *estate_api, *notifications_api]

urlpatterns = [
    path("healthz", observability.healthz, name="healthz"),
    path("readyz", observability.readyz, name="readyz"),
    path("api/v1/", include(api_v1)),
    path("", views.home, name="home"),
]

handler404 = "klustera.views.not_found"
handler500 = "klustera.views.server_error"

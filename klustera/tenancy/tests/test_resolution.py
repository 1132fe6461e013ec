"""Which tenant a request reaches, and what it is told when it reaches none."""

from __future__ import annotations

import time
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.test import Client

from klustera.tenancy import connections as tenant_connections
from klustera.tenancy.models import Domain, Tenant


def _complex_name(response) -> str:
    assert response.status_code == 200, response.content[:300]
    return response.content.decode().split("<h1>")[1].split("</h1>")[0]


def test_custom_domain_beats_subdomain_and_path(tenant_a, tenant_b) -> None:
    Domain.objects.create(
        host="beta.localhost", tenant=tenant_a
    )  # a custom domain shadowing a subdomain
    response = Client(HTTP_HOST="beta.localhost").get(f"/c/{tenant_b.slug}/")
    # The custom domain picks alpha; /c/beta/ is then just an unknown page of alpha.
    assert response.status_code == 404
    assert _complex_name(Client(HTTP_HOST="beta.localhost").get("/")) == tenant_a.name


def test_subdomain_beats_path(tenant_a, tenant_b) -> None:
    client = Client(HTTP_HOST=f"{tenant_a.slug}.localhost")
    assert _complex_name(client.get("/")) == tenant_a.name
    assert client.get(f"/c/{tenant_b.slug}/").status_code == 404


def test_path_prefix_on_the_platform_host(tenant_a) -> None:
    response = Client().get(f"/c/{tenant_a.slug}/")
    assert _complex_name(response) == tenant_a.name
    # Links on the page stay inside the prefix.
    assert f'href="/c/{tenant_a.slug}/"' in response.content.decode()


def test_custom_domain_host_is_case_and_port_insensitive(tenant_b) -> None:
    Domain.objects.create(host="portal.beta-residence.id", tenant=tenant_b, is_primary=True)
    response = Client(HTTP_HOST="Portal.Beta-Residence.ID:8443").get("/")
    assert _complex_name(response) == tenant_b.name


def test_x_tenant_header_selects_the_tenant_for_the_api(tenant_a) -> None:
    response = Client().get("/api/v1/units", HTTP_X_TENANT=tenant_a.slug)
    # The tenant is selected; the request then fails only for want of credentials.
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "UNAUTHENTICATED"


def test_platform_host_without_tenant_shows_the_platform_page(tenant_a) -> None:
    assert _complex_name(Client().get("/")) == "Klustera"


@pytest.mark.django_db
def test_unknown_host_is_refused() -> None:
    response = Client(HTTP_HOST="phishing.example.com").get("/")
    assert response.status_code == 404
    assert "Kompleks tidak ditemukan" in response.content.decode()
    assert "Host &#x27;phishing.example.com&#x27; tidak dikenal." in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path,headers",
    [
        ("/c/no-such-complex/api/v1/units", {}),
        ("/api/v1/units", {"HTTP_X_TENANT": "no-such-complex"}),
        ("/api/v1/units", {"HTTP_AUTHORIZATION": "Bearer no-such-complex.abcdef"}),
        ("/c/Bad_Slug!/api/v1/units", {}),
    ],
)
def test_unknown_tenant_gets_the_api_error_envelope(path: str, headers: dict[str, str]) -> None:
    response = Client().get(path, **headers)
    assert response.status_code == 404
    assert response.json() == {
        "success": False,
        "error": {
            "code": "TENANT_UNKNOWN",
            "message": response.json()["error"]["message"],
            "details": None,
        },
    }


@pytest.mark.django_db
def test_unknown_subdomain_gets_a_not_found_page() -> None:
    response = Client(HTTP_HOST="nowhere.localhost").get("/")
    assert response.status_code == 404
    assert "TENANT_UNKNOWN" in response.content.decode()


def test_suspended_tenant_serves_no_data(tenant_a) -> None:
    Tenant.objects.filter(pk=tenant_a.pk).update(status=Tenant.Status.SUSPENDED)
    page = Client().get(f"/c/{tenant_a.slug}/")
    assert page.status_code == 403
    assert tenant_a.name not in page.content.decode()
    assert "TENANT_SUSPENDED" in page.content.decode()
    api = Client().get(f"/c/{tenant_a.slug}/api/v1/units")
    assert api.status_code == 403
    assert api.json()["error"]["code"] == "TENANT_SUSPENDED"


def test_a_tenant_still_provisioning_is_not_reachable(tenant_a) -> None:
    Tenant.objects.filter(pk=tenant_a.pk).update(status=Tenant.Status.PROVISIONING)
    response = Client().get(f"/c/{tenant_a.slug}/api/v1/units")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "TENANT_UNKNOWN"


def test_missing_sqlite_database_file_answers_unavailable(tmp_path: Path, tenant_a) -> None:
    ghost = Tenant.objects.create(
        name="Ghost",
        slug="ghost",
        status=Tenant.Status.ACTIVE,
        db_name=str(tmp_path / "gone.sqlite3"),
    )
    response = Client().get(f"/c/{ghost.slug}/api/v1/units")
    assert response.status_code == 503
    assert response.json()["error"]["code"] == "TENANT_UNAVAILABLE"
    # No empty database was created in its place.
    assert not (tmp_path / "gone.sqlite3").exists()
    page = Client().get(f"/c/{ghost.slug}/")
    assert page.status_code == 503
    tenant_connections.forget(tenant_connections.alias_for(ghost))


def test_dropped_postgres_database_answers_unavailable(tenant_a) -> None:
    from conftest import need

    need("postgres")
    ghost = Tenant.objects.create(
        name="Ghost",
        slug="pg-ghost",
        status=Tenant.Status.ACTIVE,
        db_cluster="pg",
        db_name="klustera_test_never_created",
    )
    response = Client().get(f"/c/{ghost.slug}/api/v1/units")
    assert response.status_code == 503
    assert response.json()["error"]["code"] == "TENANT_UNAVAILABLE"


def test_health_probes_answer_on_any_host(tenant_a) -> None:
    client = Client(HTTP_HOST="10.0.0.5")
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json()["checks"]["tenant_database"]["ok"] is True


def test_lookups_are_remembered_briefly_and_a_suspension_takes_effect_at_once(
    settings, tenant_a, django_assert_num_queries
) -> None:
    from klustera.tenancy.resolution import forget_resolutions
    from klustera.tenancy.services import suspend_tenant

    settings.TENANT_CACHE_SECONDS = 30
    forget_resolutions()
    client = Client()
    client.get(f"/c/{tenant_a.slug}/")
    with django_assert_num_queries(0, using="default"):  # no platform queries the second time
        assert client.get(f"/c/{tenant_a.slug}/").status_code == 200
    suspend_tenant(tenant=tenant_a)
    assert client.get(f"/c/{tenant_a.slug}/").status_code == 403
    forget_resolutions()


def test_a_database_that_stops_answering_mid_request_answers_unavailable(
    tenant_a, api, monkeypatch
) -> None:
    """Behind PgBouncer a server that is down is found at the first query, not at connect."""
    from django.db import OperationalError
    from django.db.models import QuerySet

    from klustera.accounts.tests.factories import UserFactory
    from klustera.roles import Role
    from klustera.tenancy.context import tenant_context

    with tenant_context(tenant_a):
        manager = UserFactory(roles=[Role.PROPERTY_MANAGER])
    client = api(manager)

    def server_gone(*args: object, **kwargs: object) -> None:
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(QuerySet, "count", server_gone)  # the list's count, its first query
    response = client.get("units")
    assert (response.status, response.error["code"]) == (503, "TENANT_UNAVAILABLE")


def test_an_unreachable_platform_database_answers_unavailable(tenant_a, monkeypatch) -> None:
    from django.db import OperationalError

    from klustera.tenancy import middleware

    def platform_gone(request: object) -> None:
        raise OperationalError("connection to server failed")

    monkeypatch.setattr(middleware, "resolve", platform_gone)
    response = Client().get(f"/c/{tenant_a.slug}/api/v1/units")
    assert response.status_code == 503
    assert response.json()["error"]["code"] == "TENANT_UNAVAILABLE"


def test_a_complex_asked_rarely_stays_remembered_until_another_process_changes_one(
    settings, tenant_a, django_assert_num_queries, monkeypatch
) -> None:
    """One of 1,000 complexes is asked every minute or so: remembered, not looked up each time;
    a change announced by another process still takes effect within TENANT_CACHE_SECONDS."""
    from klustera.tenancy import resolution
    from klustera.tenancy.models import Tenant

    settings.TENANT_CACHE_SECONDS = 5
    resolution.forget_resolutions()
    # Each test empties the cache: the generation this process saw is gone; read it anew.
    monkeypatch.setitem(resolution._generation, "checked", float("-inf"))
    client = Client()
    clock = [time.monotonic()]
    monkeypatch.setattr(resolution, "time", SimpleNamespace(monotonic=lambda: clock[0]))
    assert client.get(f"/c/{tenant_a.slug}/").status_code == 200
    clock[0] += 60
    with django_assert_num_queries(0, using="default"):
        assert client.get(f"/c/{tenant_a.slug}/").status_code == 200
    # Another process suspends it: its row changes, and its commit announces a new generation.
    Tenant.objects.filter(pk=tenant_a.pk).update(status=Tenant.Status.SUSPENDED)
    resolution._announce_generation()
    assert client.get(f"/c/{tenant_a.slug}/").status_code == 200  # not yet looked at
    clock[0] += 5
    assert client.get(f"/c/{tenant_a.slug}/").status_code == 403
    Tenant.objects.filter(pk=tenant_a.pk).update(status=Tenant.Status.ACTIVE)
    resolution.forget_resolutions()

"""The cached KPI definitions of a tenant (performance.services.tenant_kpis.catalog) and scheme version references
(performance.services.scoring.version_refs): read once, then from the cache, and dropped on every change that
shows in an answer."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from performance.services.scoring.version_refs import CACHE_KEY as VERSION_KEY
from performance.services.tenant_kpis.catalog import CACHE_KEY, tenant_kpi_entries
from tests.performance.tenant_kpi_helpers import define


def definition_queries(queries) -> int:
    return sum("performance_tenantkpidefinition" in q["sql"] for q in queries.captured_queries)


def catalog_entry(client, cast, code: str, **headers) -> dict | None:
    results = client.get(cast.url("kpis/"), {"page_size": 100}, **headers).json()["results"]
    return next((entry for entry in results if entry["code"] == code), None)


@pytest.fixture
def admin(cast, client_as):
    return client_as(cast.users["admin"])


def test_the_definitions_are_read_once_then_from_the_cache(cast, admin):
    define(cast.tenant, "orders", "sum", name="Orders")
    with CaptureQueriesContext(connection) as first:
        assert catalog_entry(admin, cast, "orders")["name"] == "Orders"
    with CaptureQueriesContext(connection) as second:
        assert catalog_entry(admin, cast, "orders")["name"] == "Orders"
    assert definition_queries(first) == 1
    assert definition_queries(second) == 0
    assert cache.get(CACHE_KEY.format(tenant_id=cast.tenant.pk))[0]["code"] == "orders"


def test_each_tenant_has_its_own_cached_definitions(cast):
    define(cast.tenant, "orders", "sum")
    define(cast.other_tenant, "refunds", "sum")
    assert list(tenant_kpi_entries(tenant_id=cast.tenant.pk)) == ["orders"]
    assert list(tenant_kpi_entries(tenant_id=cast.other_tenant.pk)) == ["refunds"]


def test_creating_renaming_and_deleting_a_definition_show_at_once(cast, admin):
    assert catalog_entry(admin, cast, "orders") is None  # the empty list is cached too
    created = admin.post(cast.url("kpi-definitions/"), {"code": "orders", "name": "Orders", "unit": "count",
                                                        "combine_method": "sum"}, format="json")
    assert created.status_code == 201, created.content
    assert catalog_entry(admin, cast, "orders")["name"] == "Orders"

    renamed = admin.patch(cast.url(f"kpi-definitions/{created.json()['id']}/"), {"name": "Paid orders"},
                          format="json")
    assert renamed.status_code == 200, renamed.content
    assert catalog_entry(admin, cast, "orders")["name"] == "Paid orders"

    assert admin.delete(cast.url(f"kpi-definitions/{created.json()['id']}/")).status_code == 204
    assert catalog_entry(admin, cast, "orders") is None


def test_the_tenants_currency_labels_currency_kpis_and_drops_the_cache(cast, admin):
    define(cast.tenant, "revenue", "sum", unit="currency")
    cast.tenant.currency = "CNY"
    cast.tenant.save()
    assert catalog_entry(admin, cast, "revenue")["unit_label"] == "CNY"
    cast.tenant.currency = "EUR"
    cast.tenant.save()
    assert catalog_entry(admin, cast, "revenue")["unit_label"] == "EUR"


def test_a_reader_that_refilled_the_cache_before_the_commit_loses_it_at_the_commit(
        cast, django_capture_on_commit_callbacks):
    definition = define(cast.tenant, "orders", "sum", name="Orders")
    tenant_kpi_entries(tenant_id=cast.tenant.pk)
    key = CACHE_KEY.format(tenant_id=cast.tenant.pk)
    with django_capture_on_commit_callbacks(execute=True):
        definition.name = "Paid orders"
        definition.save()
        assert cache.get(key) is None
        cache.set(key, [{"code": "orders", "name": "Orders (stale)"}])  # another request, before the commit
    assert cache.get(key) is None
    assert tenant_kpi_entries(tenant_id=cast.tenant.pk)["orders"].name == "Paid orders"


def test_cached_entries_are_translated_in_each_requests_language(cast, admin):
    define(cast.tenant, "orders", "sum")
    english = catalog_entry(admin, cast, "orders", HTTP_ACCEPT_LANGUAGE="en")
    chinese = catalog_entry(admin, cast, "orders", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert english["formula"] == "Σ value over the period"
    assert chinese["formula"] != english["formula"]
    assert catalog_entry(admin, cast, "orders", HTTP_ACCEPT_LANGUAGE="en")["formula"] == english["formula"]


# The scheme version references of the score breakdowns (performance.services.scoring.version_refs).


def version_queries(queries) -> int:
    return sum("performance_schemeversion" in q["sql"] and "performance_agentschemescore" not in q["sql"]
               for q in queries.captured_queries)


@pytest.fixture
def scored(cast):
    from tests.factories import InteractionFactory
    from tests.performance.conftest import compute_now, make_period, make_version

    InteractionFactory(agent=cast.north_agents[0], csat=5, started_at=datetime(2026, 10, 9, 3, tzinfo=UTC))
    version = make_version(cast.tenant, kpis=[("csat", 1, 0, 100, 1)])
    period = make_period(cast.tenant)
    compute_now(period)
    return period, version


def scheme_refs(client, cast, period) -> list[dict]:
    rows = client.get(cast.url(f"periods/{period.pk}/scores/")).json()["results"]
    return [scheme["scheme_version"] for row in rows for scheme in row["schemes"]]


def test_score_pages_name_their_versions_from_the_cache(cast, admin, scored):
    period, version = scored
    cache.delete(VERSION_KEY.format(tenant_id=cast.tenant.pk))
    with CaptureQueriesContext(connection) as first:
        refs = scheme_refs(admin, cast, period)
    with CaptureQueriesContext(connection) as second:
        assert scheme_refs(admin, cast, period) == refs
    assert refs and refs[0] == {"id": version.pk, "scheme": version.scheme_id, "scheme_name": "Standard",
                                "number": 1}
    assert (version_queries(first), version_queries(second)) == (1, 0)


def test_renaming_a_scheme_shows_in_the_next_page_of_scores(cast, admin, scored):
    period, version = scored
    scheme_refs(admin, cast, period)
    renamed = admin.patch(cast.url(f"schemes/{version.scheme_id}/"), {"name": "Service 2027"}, format="json")
    assert renamed.status_code == 200, renamed.content
    assert {ref["scheme_name"] for ref in scheme_refs(admin, cast, period)} == {"Service 2027"}


def test_a_version_the_cache_does_not_know_reloads_it(cast, admin, scored):
    period, version = scored
    key = VERSION_KEY.format(tenant_id=cast.tenant.pk)
    cache.set(key, {})  # e.g. filled before the version was written by a bulk insert, which sends no signal
    assert scheme_refs(admin, cast, period)[0]["id"] == version.pk
    assert version.pk in cache.get(key)

"""The cached KPI definitions of a tenant (performance.services.tenant_kpis.catalog): read once, then from the
cache, and dropped on every change that shows in the catalog."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

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

"""Tenant-defined KPIs: definitions, value ingestion, each combine method, and their use in period computations,
simulations and score history."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from performance.models import TenantKpiValue
from performance.services.tenant_kpis.aggregates import tenant_kpi_aggregates
from tests.factories import InteractionFactory
from tests.performance.conftest import compute_now, make_period, make_version
from tests.performance.tenant_kpi_helpers import define, value
from tests.performance.test_ingestion import integration_client

OCT = date(2026, 10, 1)


# Combine methods, against hand-computed values


def test_each_combine_method_against_hand_computed_values(cast):
    a, b = cast.north_agents[1], cast.south_agents[0]
    sums, means = define(cast.tenant, "orders", "sum"), define(cast.tenant, "training", "mean", unit="points")
    lasts, ratio = define(cast.tenant, "backlog", "last"), define(cast.tenant, "repurchase", "ratio", unit="percent")
    plain_ratio = define(cast.tenant, "upsell", "ratio", unit="count")
    for day, v in ((2, "3"), (5, "4.5"), (9, "2.25")):
        value(sums, a, OCT.replace(day=day), v)  # Σ = 9.75
        value(means, a, OCT.replace(day=day), v)  # 9.75 / 3 = 3.25
    value(lasts, a, date(2026, 10, 20), 7)  # the latest date wins, whatever the insertion order
    value(lasts, a, date(2026, 10, 28), 11)
    value(lasts, a, date(2026, 10, 3), 99)
    value(lasts, a, date(2026, 11, 1), 1000)  # outside [Oct 1, Nov 1)
    value(sums, a, date(2026, 9, 30), 1000)  # outside too
    for num, den in ((1, 4), (2, 3), (0, 5)):  # Σ 3 / Σ 12 × 100 = 25
        value(ratio, a, OCT.replace(day=num + 2), numerator=num, denominator=den)
        value(plain_ratio, a, OCT.replace(day=num + 2), numerator=num, denominator=den)  # 0.25 (not a percent)
    value(ratio, b, OCT, numerator=0, denominator=0)  # no denominator: no value
    value(means, b, OCT, "1")
    value(means, b, OCT.replace(day=2), "2")  # 1.5
    value(means, b, OCT.replace(day=3), "2")  # 5 / 3 = 1.6667 (half-up to 4 places)

    inputs = tenant_kpi_aggregates(tenant_id=cast.tenant.pk, start=OCT, end=date(2026, 11, 1),
                                   codes=["orders", "training", "backlog", "repurchase", "upsell"])

    assert inputs[a.pk] == {
        "tenant_kpi:orders": Decimal("9.7500"), "tenant_kpi:orders:samples": 3,
        "tenant_kpi:training": Decimal("3.2500"), "tenant_kpi:training:samples": 3,
        "tenant_kpi:backlog": Decimal("11.0000"), "tenant_kpi:backlog:samples": 3,
        "tenant_kpi:repurchase": Decimal("25.0000"), "tenant_kpi:repurchase:samples": 3,
        "tenant_kpi:upsell": Decimal("0.2500"), "tenant_kpi:upsell:samples": 3,
    }
    assert inputs[b.pk] == {"tenant_kpi:repurchase": None, "tenant_kpi:repurchase:samples": 1,
                            "tenant_kpi:training": Decimal("1.6667"), "tenant_kpi:training:samples": 3}
    assert tenant_kpi_aggregates(tenant_id=cast.tenant.pk, start=OCT, end=date(2026, 11, 1), codes=[]) == {}


def test_aggregates_never_read_another_tenants_values(cast):
    mine, theirs = define(cast.tenant, "orders", "sum"), define(cast.other_tenant, "orders", "sum")
    value(mine, cast.north_agents[1], OCT, 2)
    value(theirs, cast.other_agent, OCT, 5)
    inputs = tenant_kpi_aggregates(tenant_id=cast.tenant.pk, start=OCT, end=date(2026, 11, 1), codes=["orders"])
    assert set(inputs) == {cast.north_agents[1].pk}


# Definitions


def test_definitions_are_admin_managed_and_appear_in_the_kpi_catalog(cast, client_as):
    admin = client_as(cast.users["admin"])
    body = {"code": "repurchase_rate", "name": "复购率", "unit": "percent", "combine_method": "ratio",
            "description": "Customers who bought again / customers served."}
    created = admin.post(cast.url("kpi-definitions/"), body, format="json")
    assert created.status_code == 201, created.content
    assert created.json()["direction"] == "higher"

    catalog = client_as(cast.users["agent"]).get(cast.url("kpis/"), {"page_size": 100}).json()["results"]
    codes = [entry["code"] for entry in catalog]
    assert codes[-1] == "repurchase_rate" and "csat" in codes
    entry = catalog[-1]
    assert entry["source"] == "tenant" and entry["definition"] == created.json()["id"]
    assert entry["combine_method"] == "ratio" and entry["name"] == "复购率" and entry["unit"] == "percent"
    assert entry["formula"] == "Σ numerator / Σ denominator × 100"
    assert next(e for e in catalog if e["code"] == "csat")["definition"] is None
    assert admin.get(cast.url("kpis/repurchase_rate/")).json()["code"] == "repurchase_rate"
    assert client_as(cast.outsider).get(cast.url("kpis/repurchase_rate/", cast.other_tenant)).status_code == 404


@pytest.mark.parametrize(("code", "message_part"), [
    ("csat", "built-in"), ("assessment_team", "reserved"), ("assessment_peer", "built-in"),
    ("Bad-Code", "lowercase"), ("x", "lowercase"),
])
def test_codes_never_clash_with_built_ins(cast, client_as, code, message_part):
    response = client_as(cast.users["admin"]).post(cast.url("kpi-definitions/"), {
        "code": code, "name": "n", "unit": "count", "combine_method": "sum"}, format="json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "code"
    assert message_part in response.json()["errors"][0]["message"]


def test_codes_are_unique_per_tenant_only(cast, client_as):
    define(cast.other_tenant, "orders", "sum")
    admin = client_as(cast.users["admin"])
    body = {"code": "orders", "name": "Orders", "unit": "count", "combine_method": "sum"}
    assert admin.post(cast.url("kpi-definitions/"), body, format="json").status_code == 201
    again = admin.post(cast.url("kpi-definitions/"), body, format="json")
    assert again.status_code == 400 and again.json()["errors"][0]["field"] == "code"


def test_combine_method_is_fixed_once_values_exist_and_a_used_kpi_cannot_be_deleted(cast, client_as):
    admin = client_as(cast.users["admin"])
    orders = define(cast.tenant, "orders", "sum")
    url = cast.url(f"kpi-definitions/{orders.pk}/")
    assert admin.patch(url, {"combine_method": "mean"}, format="json").json()["combine_method"] == "mean"
    value(orders, cast.north_agents[1], OCT, 1)
    refused = admin.patch(url, {"combine_method": "sum"}, format="json")
    assert refused.status_code == 409 and refused.json()["code"] == "kpi_definition_has_values"
    assert admin.patch(url, {"name": "Orders placed"}, format="json").json()["name"] == "Orders placed"
    assert admin.patch(url, {"code": "other"}, format="json").status_code == 400  # the code never changes

    make_version(cast.tenant, kpis=[("orders", 1, 0, 10, 1)])
    in_use = admin.delete(url)
    assert in_use.status_code == 409 and in_use.json()["code"] == "kpi_definition_in_use"
    unused = define(cast.tenant, "spare", "sum")
    value(unused, cast.north_agents[1], OCT, 1)
    assert admin.delete(cast.url(f"kpi-definitions/{unused.pk}/")).status_code == 204
    assert not TenantKpiValue.objects.filter(definition_id=unused.pk).exists()


# Ingestion


def test_values_ingest_single_bulk_and_csv_with_upsert(cast, client_as):
    define(cast.tenant, "orders", "sum")
    define(cast.tenant, "repurchase", "ratio", unit="percent")
    admin = client_as(cast.users["admin"])
    one = admin.post(cast.url("kpi-values/"), {"agent": "N001", "kpi": "orders", "external_id": "o-1",
                                               "date": "2026-10-02", "value": "3.5"}, format="json")
    assert one.status_code == 201, one.content
    assert one.json()["kpi"] == "orders" and one.json()["value"] == "3.5000" and one.json()["team"] == cast.north.pk
    again = admin.post(cast.url("kpi-values/"), {"agent": "N001", "kpi": "orders", "external_id": "o-1",
                                                 "date": "2026-10-02", "value": 4}, format="json")
    assert again.status_code == 200 and again.json()["value"] == "4.0000"

    bulk = admin.post(cast.url("kpi-values/bulk/"), {"rows": [
        {"agent": "N001", "kpi": "orders", "external_id": "o-1", "date": "2026-10-02", "value": 4},
        {"agent": "S001", "kpi": "repurchase", "external_id": "r-1", "date": "2026-10-02", "numerator": 2,
         "denominator": 8},
    ]}, format="json")
    assert bulk.json() == {"created": 1, "updated": 1, "unchanged": 1, "rows": 2}

    csv = "agent,kpi,source,external_id,date,value,numerator,denominator\n" \
          "N002,orders,shop,o-9,2026-10-03,7,,\nS001,repurchase,api,r-1,2026-10-02,,3,8\n"
    imported = admin.post(cast.url("kpi-values/import/"),
                          {"file": SimpleUploadedFile("v.csv", csv.encode())}, format="multipart")
    assert imported.json() == {"created": 1, "updated": 1, "unchanged": 0, "rows": 2}, imported.content
    assert TenantKpiValue.objects.get(external_id="r-1").numerator == Decimal(3)
    listed = admin.get(cast.url("kpi-values/"), {"kpi": "orders"}).json()["results"]
    assert [row["external_id"] for row in listed] == ["o-9", "o-1"]


def test_a_batch_with_row_errors_writes_nothing_and_names_every_row(cast, client_as):
    define(cast.tenant, "orders", "sum")
    define(cast.tenant, "repurchase", "ratio", unit="percent")
    response = client_as(cast.users["admin"]).post(cast.url("kpi-values/bulk/"), {"rows": [
        {"agent": "N001", "kpi": "orders", "external_id": "ok", "date": "2026-10-02", "value": 1},
        {"agent": "N001", "kpi": "nope", "external_id": "a", "date": "2026-10-02", "value": 1},
        {"agent": "N001", "kpi": "repurchase", "external_id": "b", "date": "2026-10-02", "value": 1},
        {"agent": "N001", "kpi": "orders", "external_id": "c", "date": "2026-10-02"},
        {"agent": "N001", "kpi": "repurchase", "external_id": "d", "date": "2026-10-02", "numerator": 1,
         "denominator": -1},
        {"agent": "N001", "kpi": "orders", "external_id": "e", "date": "2026-10-02", "value": "NaN"},
    ]}, format="json")
    assert response.status_code == 400
    fields = [(e["field"], e["code"]) for e in response.json()["errors"]]
    assert fields == [
        ("rows.1.kpi", "does_not_exist"), ("rows.2.value", "invalid"), ("rows.2.numerator", "required"),
        ("rows.2.denominator", "required"), ("rows.3.value", "required"), ("rows.4.denominator", "min_value"),
        ("rows.5.value", "invalid"),
    ]
    assert response.json()["invalid_rows"] == 5
    assert not TenantKpiValue.objects.exists()


def test_integration_keys_send_values_and_supervisors_only_for_their_teams(cast, client_as):
    define(cast.tenant, "orders", "sum")
    row = {"agent": "S001", "kpi": "orders", "external_id": "k-1", "date": "2026-10-02", "value": 1}
    assert integration_client(cast.tenant).post(cast.url("kpi-values/"), row, format="json").status_code == 201
    supervisor = client_as(cast.users["supervisor"])
    refused = supervisor.post(cast.url("kpi-values/"), {**row, "external_id": "k-2"}, format="json")
    assert refused.status_code == 400 and refused.json()["errors"][0]["field"] == "agent"
    assert supervisor.post(cast.url("kpi-values/"), {**row, "agent": "N001", "external_id": "k-3"},
                           format="json").status_code == 201
    assert client_as(cast.users["qa_lead"]).post(cast.url("kpi-values/"), row, format="json").status_code == 403


def test_another_tenants_kpi_code_is_unknown(cast, client_as):
    define(cast.other_tenant, "orders", "sum")
    response = client_as(cast.users["admin"]).post(cast.url("kpi-values/"), {
        "agent": "N001", "kpi": "orders", "external_id": "x", "date": "2026-10-02", "value": 1}, format="json")
    assert response.status_code == 400 and response.json()["errors"][0]["field"] == "kpi"


# Schemes, computation, simulation, history


def test_schemes_accept_tenant_kpis_and_refuse_unknown_codes(cast, client_as):
    define(cast.tenant, "orders", "sum")
    define(cast.other_tenant, "theirs", "sum")
    admin = client_as(cast.users["admin"])
    scheme = admin.post(cast.url("schemes/"), {"name": "With orders"}, format="json").json()
    base = {"effective_from": "2026-10-01", "kpis": [{"kpi_code": "orders", "weight": 1, "floor": 0, "target": 10}]}
    created = admin.post(cast.url(f"schemes/{scheme['id']}/versions/"), base, format="json")
    assert created.status_code == 201, created.content
    assert created.json()["kpis"][0]["kpi_code"] == "orders"
    other = admin.post(cast.url("schemes/"), {"name": "Other"}, format="json").json()
    for code in ("theirs", "nope"):
        refused = admin.post(cast.url(f"schemes/{other['id']}/versions/"),
                             {**base, "effective_from": "2027-01-01",
                              "kpis": [{"kpi_code": code, "weight": 1, "floor": 0, "target": 10}]}, format="json")
        assert refused.status_code == 400 and refused.json()["errors"][0]["field"] == "kpis.0.kpi_code"


def _october_with_orders(cast):
    """N001: 6 orders on 2 days, csat 100 %; N002: 3 orders on 1 day (below min_sample 2); S000: none."""
    orders = define(cast.tenant, "orders", "sum", name="Orders placed")
    n1, n2 = cast.north_agents[1], cast.north_agents[2]
    value(orders, n1, date(2026, 10, 3), 2)
    value(orders, n1, date(2026, 10, 4), 4)
    value(orders, n2, date(2026, 10, 3), 3)
    for agent in (n1, n2, cast.south_agents[0]):
        InteractionFactory(agent=agent, started_at="2026-10-05T10:00:00+08:00", csat=5)
    version = make_version(cast.tenant, kpis=[("orders", 1, 0, 10, 2), ("csat", 1, 0, 100, 1)])
    return orders, version, make_period(cast.tenant)


def test_period_computation_scores_tenant_kpis_with_the_same_rules(cast, client_as):
    _, _, period = _october_with_orders(cast)
    job = compute_now(period)
    assert job.status == "succeeded", job.errors
    admin = client_as(cast.users["admin"])
    scores = {s["agent"]["employee_code"]: s for s in admin.get(cast.url(f"periods/{period.pk}/scores/"),
                                                                 {"page_size": 100}).json()["results"]}
    n1 = scores["N001"]["schemes"][0]["kpis"][0]
    assert (n1["kpi_code"], n1["name"], n1["unit"], n1["raw_value"], n1["sample_size"], n1["points"]) == (
        "orders", "Orders placed", "count", "6.0000", 2, "60.00")
    assert scores["N001"]["total"] == "80.00"  # (60 + 100) / 2
    n2 = scores["N002"]["schemes"][0]["kpis"][0]
    assert (n2["raw_value"], n2["sample_size"], n2["status"], n2["points"]) == ("3.0000", 1, "insufficient", None)
    assert scores["N002"]["total"] == "100.00"  # redistributed to csat
    assert scores["S000"]["schemes"][0]["kpis"][0]["sample_size"] == 0

    history = admin.get(cast.url(f"agents/{cast.north_agents[1].pk}/score-history/")).json()["results"]
    assert history[0]["schemes"][0]["kpis"][0]["raw_value"] == "6.0000"

    # A changed value is a changed input: the next computation writes a new revision.
    TenantKpiValue.objects.filter(agent=cast.north_agents[1], date=date(2026, 10, 4)).update(value=8)
    assert compute_now(period).counts["unchanged"] is False
    assert compute_now(period).counts["unchanged"] is True


def test_simulation_includes_tenant_kpis(cast, client_as):
    _, _, period = _october_with_orders(cast)
    response = client_as(cast.users["admin"]).post(cast.url(f"periods/{period.pk}/simulate/"), {"version": {
        "kpis": [{"kpi_code": "orders", "weight": 1, "floor": 0, "target": 12, "min_sample": 1}]}}, format="json")
    assert response.status_code == 200, response.content
    results = {r["agent"]["employee_code"]: r for r in response.json()["results"]}
    assert results["N001"]["total"] == "50.00" and results["N001"]["kpis"][0]["name"] == "Orders placed"
    assert results["N002"]["total"] == "25.00" and results["N001"]["rank"] == 1
    unknown = client_as(cast.users["admin"]).post(cast.url(f"periods/{period.pk}/simulate/"), {"version": {
        "kpis": [{"kpi_code": "nope", "weight": 1, "floor": 0, "target": 12}]}}, format="json")
    assert unknown.status_code == 400

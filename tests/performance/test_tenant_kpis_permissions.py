"""Role x endpoint matrix for tenant KPI definitions and values (with integration keys, outsiders and anonymous
callers), the lists each role sees, and query counts that do not grow with the rows."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.conftest import ROLES
from tests.performance.tenant_kpi_helpers import define, value
from tests.performance.test_ingestion_permissions import CALLERS, call, client_for, expect

ROW = {"agent": "N001", "kpi": "orders", "external_id": "new-1", "date": "2026-10-02", "value": 3}
CSV = "agent,kpi,external_id,date,value\nN001,orders,csv-1,2026-10-02,4\n"
ADMIN = expect(200, 403, 403, 403, 403, 403)
READ_ALL = expect(200, 200, 200, 200, 200, 403)

MATRIX = [
    ("definitions list", "get", "kpi-definitions/", None, ADMIN),
    ("definition get", "get", "kpi-definitions/{orders}/", None, ADMIN),
    ("definition create", "post", "kpi-definitions/",
     {"code": "training", "name": "Training", "unit": "points", "combine_method": "mean"},
     expect(201, 403, 403, 403, 403, 403)),
    ("definition change", "patch", "kpi-definitions/{orders}/", {"name": "Orders placed"}, ADMIN),
    ("definition delete", "delete", "kpi-definitions/{spare}/", None, expect(204, 403, 403, 403, 403, 403)),
    ("values list", "get", "kpi-values/", None, READ_ALL),
    ("value north", "get", "kpi-values/{north_value}/", None, expect(200, 200, 200, 200, 404, 403)),
    ("value own", "get", "kpi-values/{own_value}/", None, READ_ALL),
    ("value south", "get", "kpi-values/{south_value}/", None, expect(200, 404, 200, 404, 404, 403)),
    ("value create", "post", "kpi-values/", ROW, expect(201, 201, 403, 403, 403, 201)),
    ("values bulk", "post", "kpi-values/bulk/", {"rows": [ROW]}, expect(200, 200, 403, 403, 403, 200)),
    ("values import", "post", "kpi-values/import/", ("csv", CSV), expect(200, 200, 403, 403, 403, 200)),
    ("catalog", "get", "kpis/", None, READ_ALL),
    ("catalog entry", "get", "kpis/orders/", None, READ_ALL),
]


@pytest.fixture
def ids(cast) -> dict[str, int]:
    orders = define(cast.tenant, "orders", "sum")
    made = {agent.pk: value(orders, agent, date(2026, 10, 1), 1) for agent in cast.north_agents + cast.south_agents}
    return {"orders": orders.pk, "spare": define(cast.tenant, "spare", "sum").pk,
            "north_value": made[cast.north_agents[1].pk].pk, "own_value": made[cast.own_agent.pk].pk,
            "south_value": made[cast.south_agents[1].pk].pk}


@pytest.mark.parametrize("caller", CALLERS)
@pytest.mark.parametrize(("name", "method", "path", "body", "expected"), MATRIX, ids=[row[0] for row in MATRIX])
def test_role_matrix(cast, client_as, ids, caller, name, method, path, body, expected):
    response = call(client_for(cast, client_as, caller), method, cast.url(path.format(**ids)), body)
    assert response.status_code == expected[caller], response.content[:300]


@pytest.mark.parametrize(("name", "method", "path", "body", "expected"), MATRIX, ids=[row[0] for row in MATRIX])
def test_outsiders_get_404_and_anonymous_401(cast, client_as, ids, name, method, path, body, expected):
    url = cast.url(path.format(**ids))
    response = call(client_as(cast.outsider), method, url, body)
    assert response.status_code == 404 and response["Content-Type"] == "application/problem+json"
    assert call(client_as(None), method, url, body).status_code == 401


def test_another_tenants_definition_and_value_are_404(cast, client_as):
    theirs = define(cast.other_tenant, "orders", "sum")
    their_value = value(theirs, cast.other_agent, date(2026, 10, 1), 1)
    admin = client_as(cast.users["admin"])
    assert admin.get(cast.url(f"kpi-definitions/{theirs.pk}/")).status_code == 404
    assert admin.patch(cast.url(f"kpi-definitions/{theirs.pk}/"), {"name": "x"}, format="json").status_code == 404
    assert admin.delete(cast.url(f"kpi-definitions/{theirs.pk}/")).status_code == 404
    assert admin.get(cast.url(f"kpi-values/{their_value.pk}/")).status_code == 404
    assert admin.get(cast.url("kpis/orders/")).status_code == 404
    assert admin.get(cast.url("kpi-values/"), {"definition": theirs.pk}).status_code == 400


@pytest.mark.parametrize("role", ROLES)
def test_value_lists_show_exactly_what_the_role_may_see(cast, client_as, ids, role):
    results = client_as(cast.users[role]).get(cast.url("kpi-values/")).json()["results"]
    assert len(results) == {"admin": 6, "supervisor": 3, "qa_lead": 6, "qa_inspector": 3, "agent": 1}[role]


def _count(client, url) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, {"page_size": 100})
    assert response.status_code == 200
    return len(ctx), len(response.json()["results"])


@pytest.mark.parametrize("resource", ["kpi-definitions/", "kpi-values/", "kpis/"])
def test_list_query_count_does_not_grow(cast, client_as, resource):
    client = client_as(cast.users["admin"])

    def make(start: int, n: int) -> None:
        for i in range(start, start + n):
            definition = define(cast.tenant, f"kpi_{i}", "sum")
            value(definition, cast.north_agents[i % 3], date(2026, 10, 1), i)

    make(0, 5)
    few, few_rows = _count(client, cast.url(resource))
    make(5, 45)
    many, many_rows = _count(client, cast.url(resource))
    assert many_rows > few_rows and many == few and few <= 8

"""A tenant KPI in a period computation end to end, with a real Celery worker: ingest values through the API,
compute, read the breakdown."""

import pytest

from tests.factories import InteractionFactory
from tests.performance.conftest import make_period, make_version
from tests.performance.test_computation_worker import wait_for

pytestmark = pytest.mark.celery_worker


def test_tenant_kpi_values_are_scored_by_the_worker(celery_worker, cast, client_as):
    admin = client_as(cast.users["admin"])
    assert admin.post(cast.url("kpi-definitions/"), {"code": "repurchase", "name": "复购率", "unit": "percent",
                                                      "combine_method": "ratio"}, format="json").status_code == 201
    rows = [{"agent": "N001", "kpi": "repurchase", "external_id": f"n1-{day}", "date": f"2026-10-{day:02d}",
             "numerator": num, "denominator": den} for day, num, den in ((1, 1, 4), (2, 2, 4))]  # 3 / 8 = 37.5 %
    rows.append({"agent": "S000", "kpi": "repurchase", "external_id": "s0-1", "date": "2026-10-09",
                 "numerator": 3, "denominator": 4})  # 75 %
    assert admin.post(cast.url("kpi-values/bulk/"), {"rows": rows}, format="json").json()["created"] == 3
    InteractionFactory(agent=cast.north_agents[1], started_at="2026-10-05T10:00:00+08:00")
    make_version(cast.tenant, kpis=[("repurchase", 1, 0, 100, 1)])
    period = make_period(cast.tenant)

    accepted = admin.post(cast.url(f"periods/{period.pk}/compute/"))
    job = wait_for(admin, cast.url(f"jobs/{accepted.json()['id']}/"), celery_worker)
    assert job["status"] == "succeeded", (job, celery_worker.log())
    scores = admin.get(cast.url(f"periods/{period.pk}/scores/"), {"scored": "true"}).json()["results"]
    assert [(s["agent"]["employee_code"], s["total"], s["rank"]) for s in scores] == [
        ("S000", "75.00", 1), ("N001", "37.50", 2)]
    line = scores[1]["schemes"][0]["kpis"][0]
    assert (line["name"], line["unit"], line["raw_value"], line["sample_size"]) == ("复购率", "percent", "37.5000", 2)

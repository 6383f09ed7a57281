"""Who may read which report (role × endpoint), and query counts that do not grow with the number of agents."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import AgentFactory, InteractionFactory
from tests.reports.conftest import month, write_revision

REPORTS = {
    "trends": {}, "distribution": {"period": None}, "teams": {"period": None},
    "correlations": {"period": None, "x": "total", "y": "csat"}, "channels": {"period": None},
    "dashboard": {"period": None},
}
# role -> reports it may read (200); the others are 403
ALLOWED = {
    "admin": set(REPORTS),
    "qa_lead": set(REPORTS),
    "supervisor": set(REPORTS),
    "qa_inspector": set(),
    "agent": {"trends", "channels", "dashboard"},
}


def _params(report: str, period) -> dict:
    return {k: (period.pk if v is None else v) for k, v in REPORTS[report].items()}


@pytest.mark.parametrize("role", list(ALLOWED))
def test_report_permission_matrix(cast, client_as, role):
    period = month(cast.tenant, date(2026, 10, 1))
    write_revision(period, {cast.own_agent: (70, {"csat": 80})})
    client = client_as(cast.users[role])
    statuses = {report: client.get(cast.url(f"reports/{report}/"), _params(report, period)).status_code
                for report in REPORTS}
    assert statuses == {report: 200 if report in ALLOWED[role] else 403 for report in REPORTS}


def test_reports_of_another_tenant_are_404_and_its_period_is_unknown(cast, client_as):
    period = month(cast.other_tenant, date(2026, 10, 1))
    for report in REPORTS:
        assert client_as(cast.outsider).get(cast.url(f"reports/{report}/")).status_code == 404
        response = client_as(cast.users["admin"]).get(cast.url(f"reports/{report}/"), _params(report, period))
        assert response.status_code == (200 if report == "trends" else 400), report


def _queries(client, cast, report, period) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(cast.url(f"reports/{report}/"), _params(report, period)).status_code == 200
    return len(queries)


def test_report_query_counts_do_not_grow_with_agents(cast, client_as):
    period = month(cast.tenant, date(2026, 10, 1))
    client = client_as(cast.users["supervisor"])

    def fill(count):
        agents = [AgentFactory(team=cast.north) for _ in range(count)]
        for agent in agents:
            InteractionFactory(agent=agent)
        write_revision(period, {agent: (60 + i % 30, {"csat": 50 + i % 40}) for i, agent in enumerate(agents)})

    fill(5)
    small = {report: _queries(client, cast, report, period) for report in REPORTS}
    fill(50)
    large = {report: _queries(client, cast, report, period) for report in REPORTS}
    assert small == large
    assert max(large.values()) <= 12, large

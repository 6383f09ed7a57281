"""Who may download which export (role × export × status, the report files included), the outsider's 404, and
export query counts that do not grow with the rows exported."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import InteractionFactory
from tests.reports.conftest import month, write_revision
from tests.reports.test_reports_permissions import ALLOWED, REPORTS, _params

ROLES = ["admin", "supervisor", "qa_lead", "qa_inspector", "agent"]
EXPORTS = {  # path (period filled in) -> roles that may download it; the others get 403
    "interactions/export/": set(ROLES),
    "qa-reviews/export/": set(ROLES),
    "periods/{period}/scores/export/": {"admin", "supervisor", "qa_lead", "agent"},
    "awards/export/": {"admin"},
}


@pytest.fixture
def period(cast):
    period = month(cast.tenant, date(2026, 10, 1))
    write_revision(period, {cast.own_agent: (70, {"csat": 80})})
    return period


def _download(client, path: str) -> int:
    response = client.get(path)
    if response.status_code == 200 and response.streaming:
        b"".join(response.streaming_content)
    return response.status_code


@pytest.mark.parametrize("role", ROLES)
def test_export_permission_matrix(cast, client_as, period, role):
    client = client_as(cast.users[role])
    statuses = {path: _download(client, cast.url(path.format(period=period.pk))) for path in EXPORTS}
    assert statuses == {path: 200 if role in allowed else 403 for path, allowed in EXPORTS.items()}
    files = {report: client.get(cast.url(f"reports/{report}/"), {**_params(report, period), "file_format": "xlsx"})
             .status_code for report in REPORTS}
    assert files == {report: 200 if report in ALLOWED[role] else 403 for report in REPORTS}


def test_exports_of_another_tenant_are_404(cast, client_as, period):
    outsider = client_as(cast.outsider)
    for path in EXPORTS:
        assert _download(outsider, cast.url(path.format(period=period.pk))) == 404, path


def test_export_query_count_does_not_grow_with_rows(cast, client_as):
    admin = client_as(cast.users["admin"])
    start = datetime(2026, 10, 5, 9, tzinfo=UTC)

    def queries_for_export() -> int:
        with CaptureQueriesContext(connection) as queries:
            response = admin.get(cast.url("interactions/export/"))
            body = b"".join(response.streaming_content)
        return len(queries), body.count(b"\n") - 1

    for n in range(3):
        InteractionFactory(agent=cast.north_agents[0], started_at=start + timedelta(minutes=n))
    small = queries_for_export()
    for n in range(60):
        InteractionFactory(agent=cast.south_agents[0], started_at=start + timedelta(minutes=n))
    large = queries_for_export()
    assert (small[1], large[1]) == (3, 63) and small[0] == large[0], (small, large)

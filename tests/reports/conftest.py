"""Helpers for the report tests: score revisions written by hand, so every expected number is computable by hand."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.utils import timezone

from performance.models import AgentPeriodScore, AgentSchemeScore, ComputationJob, KpiPeriod, ScoreRevision
from tests.performance.conftest import make_period, make_version


def write_revision(period: KpiPeriod, rows: dict, *, version=None, number: int | None = None) -> ScoreRevision:
    """A complete revision made current: rows maps an agent to (total or None, {kpi code: raw value or None})."""
    tenant = period.tenant
    version = version or make_version(tenant, kpis=[("csat", 50, 50, 90, 1), ("frt", 50, 60, 10, 1)])
    job = ComputationJob.objects.create(tenant=tenant, period=period, status="succeeded",
                                        previous_period_status="open")
    number = number or ScoreRevision.objects.filter(period=period).count() + 1
    revision = ScoreRevision.objects.create(tenant=tenant, period=period, number=number, job=job, fingerprint="x",
                                            is_complete=True, completed_at=timezone.now())
    for agent, (total, kpis) in rows.items():
        overall = AgentPeriodScore.objects.create(
            tenant=tenant, period=period, revision=revision, job=job, agent=agent, team=agent.team,
            total=None if total is None else Decimal(str(total)), handled=10)
        AgentSchemeScore.objects.create(
            tenant=tenant, overall=overall, revision=revision, agent=agent, scheme_version=version,
            total=overall.total, kpis=[{"kpi_code": code, "raw_value": None if value is None else str(value),
                                        "sample_size": 5} for code, value in kpis.items()])
    period.current_revision = revision
    period.status = "computed"
    period.save()
    return revision


def month(tenant, start: date) -> KpiPeriod:
    end = date(start.year + (start.month == 12), start.month % 12 + 1, 1)
    return make_period(tenant, start=start, end=end)

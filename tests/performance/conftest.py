"""Helpers for the performance tests: scheme versions, periods and synchronous computation (the real Celery
worker of the end-to-end tests is in tests/conftest.py)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from common.actor import Actor
from performance.models import (
    ComputationJob,
    KpiPeriod,
    SchemeKpi,
    SchemeVersion,
    SchemeVersionTeam,
    ScoringScheme,
)


def admin_actor(tenant, user=None) -> Actor:
    return Actor(tenant=tenant, role="admin", user=user)


def make_version(
    tenant, *, scheme: ScoringScheme | None = None, name: str = "Standard", number: int | None = None,
    effective_from: date = date(2026, 1, 1), effective_to: date | None = None, scenario=None, teams=(),
    policy: str = "redistribute", kpis=(("csat", 60, 50, 90, 1), ("aht", 40, 600, 300, 1)),
) -> SchemeVersion:
    """A saved scheme version; kpis as (code, weight, floor, target, min_sample)."""
    if scheme is None:
        scheme, _ = ScoringScheme.objects.get_or_create(tenant=tenant, name=name)
    if number is None:
        number = scheme.versions.count() + 1
    version = SchemeVersion.objects.create(tenant=tenant, scheme=scheme, number=number,
                                           effective_from=effective_from, effective_to=effective_to,
                                           scenario=scenario, missing_data_policy=policy)
    SchemeVersionTeam.objects.bulk_create([SchemeVersionTeam(tenant=tenant, version=version, team=t) for t in teams])
    SchemeKpi.objects.bulk_create([
        SchemeKpi(tenant=tenant, version=version, position=i, kpi_code=code, weight=Decimal(str(w)),
                  floor=Decimal(str(f)), target=Decimal(str(t)), min_sample=m)
        for i, (code, w, f, t, m) in enumerate(kpis)
    ])
    return version


def make_period(tenant, *, start: date = date(2026, 10, 1), end: date = date(2026, 11, 1),
                kind: str = "monthly", status: str = "open") -> KpiPeriod:
    return KpiPeriod.objects.create(tenant=tenant, name=f"{start:%Y-%m}", kind=kind, start=start, end=end,
                                    status=status)


def compute_now(period: KpiPeriod) -> ComputationJob:
    """Queue a computation as the API does and run it in this process, as the worker would."""
    from performance.services.scoring import computation_job_run, period_compute

    job = period_compute(actor=admin_actor(period.tenant), period=period)
    computation_job_run(job_id=job.pk, tenant_id=period.tenant_id)
    job.refresh_from_db()
    period.refresh_from_db()
    return job


def globex_scoring_ids(cast) -> dict:
    """Scoring objects of the other tenant (globex), for the isolation test: made once per cast."""
    if not hasattr(cast, "_globex_scoring"):
        version = make_version(cast.other_tenant, name="Globex standard", kpis=[("offered", 1, 0, 10, 0)])
        period = make_period(cast.other_tenant)
        job = compute_now(period)
        cast._globex_scoring = {
            "kpis": "not-a-kpi",  # the catalog is global: there is no other tenant's KPI, only unknown codes
            "schemes": version.scheme_id,
            "periods": period.pk,
            "jobs": job.pk,
        }
    return cast._globex_scoring

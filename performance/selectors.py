"""Reads behind the KPI engine: period bounds, effective scheme versions and per-agent aggregates in SQL.

Every aggregate is one GROUP BY query over the whole period (never a query per agent or per interaction).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal

from django.db import models
from django.db.models import Case, Count, F, Q, Sum, When

from accounts.models import Agent
from performance.kpis import ASSESSMENT_KPIS, CATALOG, INTERACTION_FIELDS, QA_KPIS, SHIFT_KPIS
from performance.models import Interaction, KpiPeriod, SchemeVersion, Shift


@dataclass(frozen=True)
class KpiSpec:
    kpi_code: str
    weight: Decimal
    floor: Decimal
    target: Decimal
    min_sample: int


@dataclass(frozen=True)
class VersionSpec:
    """A scheme version as the engine uses it: saved (id set) or given inline for a simulation (id None)."""

    id: int | None
    scheme_id: int | None
    scheme_name: str
    number: int | None
    scenario_id: int | None
    team_ids: frozenset[int]
    missing_data_policy: str
    kpis: tuple[KpiSpec, ...]

    def applies_to(self, team_id: int | None) -> bool:
        """No teams means every agent of the tenant (including agents without a team)."""
        return not self.team_ids or team_id in self.team_ids

    @property
    def kpi_codes(self) -> frozenset[str]:
        return frozenset(k.kpi_code for k in self.kpis)

    @property
    def interaction_fields(self) -> frozenset[str]:
        """The interaction aggregates its KPIs read."""
        built_in = self.kpi_codes - self.tenant_kpi_codes
        return frozenset().union(*(CATALOG[k].inputs for k in built_in)) & frozenset(INTERACTION_FIELDS)

    @property
    def tenant_kpi_codes(self) -> frozenset[str]:
        """The tenant-defined KPIs it uses (every code that is not in the built-in catalog)."""
        return frozenset(code for code in self.kpi_codes if code not in CATALOG)

    @property
    def needs_shifts(self) -> bool:
        return bool(self.kpi_codes & SHIFT_KPIS)

    @property
    def needs_qa(self) -> bool:
        return bool(self.kpi_codes & QA_KPIS)

    @property
    def needs_assessments(self) -> bool:
        return bool(self.kpi_codes & ASSESSMENT_KPIS)

    def content(self) -> dict:
        """Everything that decides the version's results, for input fingerprints."""
        return {
            "id": self.id,
            "scenario": self.scenario_id,
            "teams": sorted(self.team_ids),
            "policy": self.missing_data_policy,
            "kpis": [[k.kpi_code, str(k.weight), str(k.floor), str(k.target), k.min_sample] for k in self.kpis],
        }

    @classmethod
    def of(cls, version: SchemeVersion) -> VersionSpec:
        """From a saved version whose `kpis` and `team_links` are prefetched."""
        return cls(
            id=version.pk,
            scheme_id=version.scheme_id,
            scheme_name=version.scheme.name,
            number=version.number,
            scenario_id=version.scenario_id,
            team_ids=frozenset(link.team_id for link in version.team_links.all()),
            missing_data_policy=version.missing_data_policy,
            kpis=tuple(KpiSpec(k.kpi_code, k.weight, k.floor, k.target, k.min_sample) for k in version.kpis.all()),
        )


@dataclass(frozen=True)
class RosterAgent:
    id: int
    team_id: int | None
    is_active: bool


def period_bounds(period: KpiPeriod) -> tuple[datetime, datetime]:
    """[start 00:00, end 00:00) in the tenant's time zone, as aware datetimes (DST-correct at either end)."""
    zone = period.tenant.zone
    return local_midnight(period.start, zone), local_midnight(period.end, zone)


def local_midnight(day: date, zone) -> datetime:
    return datetime.combine(day, time.min, tzinfo=zone)


def versions_with_details(queryset):
    return queryset.select_related("scheme").prefetch_related("kpis", "team_links")


def scheme_versions_effective(*, tenant_id: int, on: date) -> list[VersionSpec]:
    """Every scheme version of the tenant in effect on `on` (the period's start), oldest scheme first."""
    versions = SchemeVersion.objects.filter(tenant_id=tenant_id, effective_from__lte=on).filter(
        Q(effective_to__isnull=True) | Q(effective_to__gt=on)
    ).order_by("scheme_id", "number")
    return [VersionSpec.of(v) for v in versions_with_details(versions)]


def agent_roster(*, tenant_id: int) -> dict[int, RosterAgent]:
    rows = Agent.objects.filter(tenant_id=tenant_id).order_by().values_list("pk", "team_id", "is_active")
    return {pk: RosterAgent(pk, team_id, is_active) for pk, team_id, is_active in rows}


def _interaction_aggregations() -> dict[str, Count | Sum]:
    answered = Q(answered=True)
    outbound = Q(direction="outbound")
    handle = F("talk_seconds") + F("hold_seconds") + F("acw_seconds")
    return {
        "offered": Count("pk"),
        "handled": Count("pk", filter=answered),
        "resolved": Count("pk", filter=Q(resolved=True)),
        "queue_sum": Sum("queue_seconds", filter=answered),
        "ring_sum": Sum("ring_count"),
        "frt_sum": Sum("first_response_seconds"),
        "frt_count": Count("first_response_seconds"),
        "handle_sum": Sum(F("talk_seconds") + F("hold_seconds") + F("acw_seconds"), filter=answered),
        "acw_sum": Sum("acw_seconds", filter=answered),
        "fcr_count": Count("pk", filter=answered & Q(first_contact_resolved=True)),
        "csat_count": Count("csat"),
        "csat_good": Count("pk", filter=Q(csat__gte=4)),
        "outbound_offered": Count("pk", filter=outbound),
        "outbound_handled": Count("pk", filter=outbound & answered),
        "inbound_handle_sum": Sum(handle, filter=answered & ~outbound),
        "outbound_handle_sum": Sum(handle, filter=answered & outbound),
    }


def _aggregations_of(fields: Iterable[str]) -> dict[str, Count | Sum]:
    """The aggregates of `fields` plus offered and handled."""
    wanted = set(fields) | {"offered", "handled"}
    return {name: expression for name, expression in _interaction_aggregations().items() if name in wanted}


def interaction_aggregates(
    *, tenant_id: int, start: datetime, end: datetime, scenario_id: int | None = None,
    team_ids: frozenset[int] = frozenset(), fields: Iterable[str] = INTERACTION_FIELDS,
) -> dict[int, dict[str, int]]:
    """Per agent id: interaction inputs (see performance.kpis.INTERACTION_FIELDS; `fields` plus offered and
    handled), over interactions started in [start, end), optionally of one scenario and of agents of some teams."""
    aggregations = _aggregations_of(fields)
    rows = Interaction.objects.filter(tenant_id=tenant_id, started_at__gte=start, started_at__lt=end)
    if scenario_id is not None:
        rows = rows.filter(scenario_id=scenario_id)
    if team_ids:
        rows = rows.filter(agent__team_id__in=team_ids)
    rows = rows.order_by().values("agent_id").annotate(**aggregations)
    return {row.pop("agent_id"): {k: v or 0 for k, v in row.items()} for row in rows}


def interaction_aggregates_by_scope(
    *, tenant_id: int, start: datetime, end: datetime, scopes: Iterable[int | None],
    fields: Iterable[str] = INTERACTION_FIELDS,
) -> dict[int | None, dict[int, dict[str, int]]]:
    """`interaction_aggregates` for several scenario scopes at once (None: every scenario; an id: that scenario's
    interactions), in one scan of the period: grouped by agent and by the scenario where it is one of the scoped
    ones, the every-scenario scope summed from those groups (exact integer sums). Per scope, per agent id."""
    scopes = set(scopes)
    scoped = sorted(scope for scope in scopes if scope is not None)
    if not scoped:
        return {None: interaction_aggregates(tenant_id=tenant_id, start=start, end=end, fields=fields)}
    aggregations = _aggregations_of(fields)
    rows = Interaction.objects.filter(tenant_id=tenant_id, started_at__gte=start, started_at__lt=end)
    if None not in scopes:
        rows = rows.filter(scenario_id__in=scoped)
    scope = Case(When(scenario_id__in=scoped, then=F("scenario_id")), default=None,
                 output_field=models.BigIntegerField())
    rows = rows.annotate(scope=scope).order_by().values("agent_id", "scope").annotate(**aggregations)
    out: dict[int | None, dict[int, dict[str, int]]] = {scope: {} for scope in scopes}
    for row in rows:
        agent_id, group = row.pop("agent_id"), row.pop("scope")
        data = {k: v or 0 for k, v in row.items()}
        if group is not None:
            out[group][agent_id] = data
        if None in scopes:
            total = out[None].setdefault(agent_id, dict.fromkeys(data, 0))
            for name, value in data.items():
                total[name] += value
    return out


def shift_aggregates(*, tenant_id: int, start: date, end: date) -> dict[int, dict[str, int]]:
    """Per agent id: scheduled, worked and logged-in minutes (and days) of shifts dated in [start, end)."""
    rows = Shift.objects.filter(tenant_id=tenant_id, date__gte=start, date__lt=end).order_by().values(
        "agent_id"
    ).annotate(
        scheduled_days=Count("pk", filter=Q(scheduled_minutes__gt=0)),
        scheduled_minutes=Sum("scheduled_minutes"),
        worked_minutes=Sum("worked_minutes"),
        logged_in_days=Count("pk", filter=Q(logged_in_minutes__gt=0)),
        logged_in_minutes=Sum("logged_in_minutes"),
    )
    return {row.pop("agent_id"): {k: v or 0 for k, v in row.items()} for row in rows}


def qa_aggregates(*, tenant_id: int, start: datetime, end: datetime,
                  scenario_id: int | None = None) -> dict[int, dict[str, int | Decimal]]:
    """Per agent id: published QA review inputs (from the feedback app), in the KPI input names."""
    from feedback.selectors import qa_kpi_inputs

    inputs = qa_kpi_inputs(tenant_id=tenant_id, start=start, end=end, scenario_id=scenario_id)
    return {
        agent_id: {"qa_reviews": qa.reviews, "qa_mean": qa.mean_total, "qa_passed": qa.passed}
        for agent_id, qa in inputs.items()
    }

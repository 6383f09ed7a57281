"""What reward rules read, in a few SQL queries over results already computed (never a scan of interactions again):
the revision's score rows with their adjustments, KPI raw values from the stored breakdowns, the previous
period's totals, and for the gates one shift aggregate and one count of auto-failed QA reviews (their interactions
read by primary key, feedback.selectors)."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django.db.models import DecimalField, F, OuterRef, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from performance.models import AgentPeriodScore, AgentSchemeScore, KpiPeriod, ScoreAdjustment, ScoreRevision
from performance.selectors import period_bounds, shift_aggregates
from performance.services.rewards.evaluation import AgentInput, RewardInputs, RuleSpec

PLACES = Decimal("0.01")


def adjusted_total():
    """The score row's total plus its adjustments' points (None for an unscored row)."""
    points = ScoreAdjustment.objects.filter(score_id=OuterRef("pk")).order_by().values("score_id").annotate(
        points=Sum("points")).values("points")[:1]
    return F("total") + Coalesce(Subquery(points), Value(Decimal(0)),
                                 output_field=DecimalField(max_digits=8, decimal_places=2))


def previous_periods(period: KpiPeriod):
    """Periods of the same kind that ended on or before this one started and have results, latest first."""
    return KpiPeriod.objects.filter(tenant_id=period.tenant_id, kind=period.kind, end__lte=period.start,
                                    current_revision__isnull=False).order_by("-end", "-start")


def previous_period(period: KpiPeriod) -> KpiPeriod | None:
    """The latest period of the same kind that ended on or before this one started and has results."""
    return previous_periods(period).first()


def _score_rows(revision: ScoreRevision):
    return AgentPeriodScore.objects.filter(revision=revision).order_by().values(
        "pk", "agent_id", "team_id", "handled", "agent__employee_code", "agent__hired_on", "agent__base_amount",
    ).annotate(effective=adjusted_total())


def _kpis(revision: ScoreRevision, with_values: bool) -> dict[int, dict[int, dict]]:
    fields = ["agent_id", "scheme_version__scheme_id"] + (["kpis"] if with_values else [])
    out: dict[int, dict[int, dict]] = {}
    for row in AgentSchemeScore.objects.filter(revision=revision).order_by().values(*fields):
        lines = row.get("kpis") or []
        out.setdefault(row["agent_id"], {})[row["scheme_version__scheme_id"]] = {
            line["kpi_code"]: None if line["raw_value"] is None else Decimal(line["raw_value"]) for line in lines}
    return out


def _auto_failed(period: KpiPeriod) -> dict[int, int]:
    from feedback.selectors import qa_auto_failed_counts

    start, end = period_bounds(period)
    return qa_auto_failed_counts(tenant_id=period.tenant_id, start=start, end=end)


def _attendance(period: KpiPeriod) -> dict[int, Decimal]:
    shifts = shift_aggregates(tenant_id=period.tenant_id, start=period.start, end=period.end)
    return {agent_id: (Decimal(s["worked_minutes"]) * 100 / Decimal(s["scheduled_minutes"])).quantize(
        PLACES, ROUND_HALF_UP) for agent_id, s in shifts.items() if s["scheduled_minutes"]}


def _previous(period: KpiPeriod) -> tuple[int | None, dict[int, tuple[Decimal | None, int]]]:
    before = previous_period(period)
    if before is None:
        return None, {}
    rows = AgentPeriodScore.objects.filter(revision_id=before.current_revision_id).order_by().values(
        "agent_id", "handled").annotate(effective=adjusted_total())
    return before.pk, {row["agent_id"]: (row["effective"], row["handled"]) for row in rows}


def reward_inputs(*, period: KpiPeriod, revision: ScoreRevision, rules: list[RuleSpec]) -> RewardInputs:
    """Everything `rules` need about the revision's agents; the gate aggregates only when a rule has that gate."""
    needs_kpis = any(r.kind == "tiers" and r.metric != "total" for r in rules)
    attendance = _attendance(period) if any(r.gates.needs_attendance for r in rules) else {}
    auto_failed = _auto_failed(period) if any(r.gates.needs_qa for r in rules) else {}
    previous_id, previous = _previous(period) if any(r.kind == "improvement" for r in rules) else (None, {})
    kpis = _kpis(revision, needs_kpis)
    agents = {}
    for row in _score_rows(revision):
        agent_id = row["agent_id"]
        before = previous.get(agent_id, (None, None))
        agents[agent_id] = AgentInput(
            agent_id=agent_id, team_id=row["team_id"], employee_code=row["agent__employee_code"],
            total=row["effective"], handled=row["handled"], kpis=kpis.get(agent_id, {}),
            hired_on=row["agent__hired_on"], base_amount=row["agent__base_amount"],
            attendance=attendance.get(agent_id), auto_failed_reviews=auto_failed.get(agent_id, 0),
            previous_total=before[0], previous_handled=before[1])
    return RewardInputs(period_end=period.end, currency=period.tenant.currency, agents=agents,
                        previous_period=previous_id)

"""Demo data for the performance app: scenarios, interactions and shifts, a scoring scheme and KPI periods.

Everything goes through the services (so it is validated and audited like API input) and is deterministic: each
agent-day draws from its own random generator seeded with (SEED, employee code, date), so a day's records are
the same whenever the seed runs, and records are upserted by (source, external_id). Run by `manage.py seed_demo`.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from unittest import mock

from accounts.models import Agent
from common.actor import Actor
from performance.models import ComputationJob, JobStatus, KpiPeriod, PeriodKind, PeriodStatus, Scenario, ScoringScheme
from performance.selectors import local_midnight
from performance.services.ingestion import MAX_BATCH_ROWS, interaction_ingest, scenario_create, shift_ingest

SEED = "jixiao-demo"
SOURCE = "demo"
# Built-in codes without names of their own: their labels follow the reader's language.
SCENARIOS = [("inquiry", ""), ("complaint", ""), ("tech_support", "")]
MONTHLY_CONTACTS = 150
SHIFT_START, SHIFT_MINUTES, BREAK_MINUTES = time(9), 480, 60

# How good each agent is, from -1 (struggling) to 1 (star), by employee code; it steers every rate below.
SKILL = {"A001": 0.2, "A002": 0.85, "A003": 0.0, "A004": -0.15, "A005": 0.8, "A006": 0.1,
         "A007": -0.85, "A008": 0.35, "A009": 0.45, "A010": -0.7, "A011": -0.25, "A012": 0.05}

# The phone team mostly takes calls; the other team works the written channels.
CHANNEL_MIX = {
    "phone": [("phone", 85), ("ticket", 15)],
    "written": [("chat", 55), ("email", 25), ("ticket", 15), ("social", 5)],
}
SCENARIO_MIX = {"phone": [("inquiry", 50), ("complaint", 20), ("tech_support", 30)],
                "written": [("inquiry", 60), ("complaint", 15), ("tech_support", 25)]}
# Mean seconds of (talk or working time, hold, after-contact work) per channel for an average agent.
HANDLE = {"phone": (260, 35, 70), "chat": (420, 0, 40), "email": (330, 0, 50), "ticket": (360, 0, 60),
          "social": (240, 0, 30)}
FIRST_RESPONSE = {"chat": (15, 90), "email": (1_800, 14_400), "ticket": (600, 7_200), "social": (120, 1_800)}

SCORECARD = "Service scorecard"
# code, weight, floor (0 points), target (100 points), minimum sample
TENANT_WIDE_KPIS = [("answer_rate", 20, 80, 98, 20), ("aht", 20, 600, 300, 20), ("fcr", 20, 50, 85, 20),
                    ("csat", 25, 60, 95, 10), ("qa_score", 15, 60, 95, 1)]
COMPLAINT_KPIS = [("csat", 60, 40, 90, 5), ("fcr", 20, 40, 80, 10), ("aht", 20, 780, 420, 10)]


@dataclass(frozen=True)
class DemoMonths:
    """The first days of the previous and the current calendar month and today, in the tenant's time zone. Data
    is generated up to today, not including it, so every generated day is complete."""

    previous_start: date
    current_start: date
    today: date

    @classmethod
    def around(cls, today: date) -> DemoMonths:
        current = today.replace(day=1)
        previous = (current - timedelta(days=1)).replace(day=1)
        return cls(previous, current, today)

    def previous_range(self, zone) -> tuple[datetime, datetime]:
        """The previous month as [start, end) aware datetimes at the tenant's local midnights."""
        return local_midnight(self.previous_start, zone), local_midnight(self.current_start, zone)

    def working_days(self) -> Iterator[date]:
        """Monday to Friday from the previous month's start up to (not including) today."""
        day = self.previous_start
        while day < self.today:
            if day.weekday() < 5:
                yield day
            day += timedelta(days=1)


@dataclass(frozen=True)
class DemoActivity:
    interactions: dict[str, int]
    shifts: dict[str, int]


def demo_activity_seed(*, actor: Actor, months: DemoMonths) -> DemoActivity:
    """Scenarios, then every active agent's interactions and shifts for each working day of `months` (upserted in
    batches through the ingestion service, so a second run changes nothing). Returns the ingestion counts."""
    for code, name in SCENARIOS:
        if not Scenario.objects.filter(tenant=actor.tenant, code=code).exists():
            scenario_create(actor=actor, code=code, name=name)
    agents = list(Agent.objects.filter(tenant=actor.tenant, is_active=True).select_related("team")
                  .order_by("employee_code"))
    interactions: list[dict[str, Any]] = []
    shifts: list[dict[str, Any]] = []
    per_month_days = {}
    for day in months.working_days():
        per_month_days.setdefault(day.replace(day=1), _working_days_in_month(day))
        for position, agent in enumerate(agents):
            shift, contacts = _agent_day(agent, position, day, per_month_days[day.replace(day=1)], actor.tenant.zone)
            shifts.append(shift)
            interactions.extend(contacts)
    return DemoActivity(
        interactions=_ingest(interaction_ingest, actor, interactions),
        shifts=_ingest(shift_ingest, actor, shifts),
    )


def _ingest(service, actor: Actor, rows: list[dict[str, Any]]) -> dict[str, int]:
    totals = {"created": 0, "updated": 0, "unchanged": 0}
    for start in range(0, len(rows), MAX_BATCH_ROWS):
        batch = rows[start:start + MAX_BATCH_ROWS]
        result = service(actor=actor, rows=((f"rows.{i}", row) for i, row in enumerate(batch)), via="seed_demo")
        for key in totals:
            totals[key] += getattr(result, key)
    return totals


def _working_days_in_month(day: date) -> int:
    first = day.replace(day=1)
    following = (first + timedelta(days=32)).replace(day=1)
    return sum(1 for n in range((following - first).days) if (first + timedelta(days=n)).weekday() < 5)


def _pick(rng: random.Random, mix: list[tuple[str, int]]) -> str:
    return rng.choices([name for name, _ in mix], weights=[weight for _, weight in mix])[0]


def _agent_day(agent: Agent, position: int, day: date, working_days: int, zone) -> tuple[dict, list[dict]]:
    """One agent's shift and contacts on one working day, drawn from the agent-day's own generator."""
    rng = random.Random(f"{SEED}:{agent.employee_code}:{day.isoformat()}")
    skill = SKILL.get(agent.employee_code, 0.0)
    key = f"{agent.employee_code}-{day:%Y%m%d}"
    absent = rng.random() < 0.02 + 0.05 * max(0.0, -skill)
    late = 0 if absent or rng.random() > 0.08 + 0.1 * max(0.0, -skill) else rng.randint(10, 45)
    worked = 0 if absent else SHIFT_MINUTES - late
    shift = {"agent": agent.employee_code, "source": SOURCE, "external_id": key, "date": day.isoformat(),
             "scheduled_minutes": SHIFT_MINUTES, "worked_minutes": worked,
             "logged_in_minutes": max(0, worked - BREAK_MINUTES - rng.randint(0, 20)) if worked else 0}
    if absent:
        return shift, []
    kind = "phone" if position % 2 == 0 else "written"
    mean = (MONTHLY_CONTACTS + 15 * skill) / working_days
    count = max(1, round(rng.gauss(mean, 1.5)))
    shift_start = datetime.combine(day, SHIFT_START, tzinfo=zone) + timedelta(minutes=late)
    offsets = sorted(rng.randint(0, (worked - 15) * 60) for _ in range(count))
    contacts = [
        _contact(rng, agent.employee_code, skill, kind, f"{key}-{n:02d}", shift_start + timedelta(seconds=offset))
        for n, offset in enumerate(offsets, start=1)
    ]
    return shift, contacts


def _contact(rng: random.Random, code: str, skill: float, kind: str, external_id: str,
             started_at: datetime) -> dict[str, Any]:
    channel = _pick(rng, CHANNEL_MIX[kind])
    scenario = _pick(rng, SCENARIO_MIX[kind])
    live = channel in ("phone", "chat")
    answer_rate = {"phone": 0.93 + 0.045 * skill, "chat": 0.97 + 0.025 * skill}.get(channel, 1.0)
    answered = rng.random() < answer_rate
    row = {"agent": code, "channel": channel, "scenario": scenario, "source": SOURCE, "external_id": external_id,
           "started_at": started_at.isoformat(), "answered": answered,
           "customer_ref": f"C{rng.randint(100_000, 999_999)}"}
    if channel == "phone":
        row["ring_count"] = rng.randint(1, 4) if answered else rng.randint(3, 7)
    if live:
        row["queue_seconds"] = int(rng.expovariate(1 / 25)) if answered else rng.randint(30, 180)
    if not answered:
        return row
    talk, hold, acw = HANDLE[channel]
    pace = 1 - 0.18 * skill  # better agents are quicker
    longer = 1.4 if scenario == "complaint" else 1.0
    row["talk_seconds"] = max(30, int(rng.gauss(talk * pace * longer, talk * 0.25)))
    row["hold_seconds"] = max(0, int(rng.gauss(hold * pace, hold * 0.5))) if hold and rng.random() < 0.4 else 0
    row["acw_seconds"] = max(0, int(rng.gauss(acw * pace, acw * 0.3)))
    if channel in FIRST_RESPONSE:
        low, high = FIRST_RESPONSE[channel]
        row["first_response_seconds"] = int(rng.uniform(low, high) * (1 - 0.3 * skill))
    fcr = rng.random() < 0.72 + 0.13 * skill - (0.12 if scenario == "complaint" else 0.0)
    row["first_contact_resolved"] = fcr
    row["resolved"] = fcr or rng.random() < 0.85
    if rng.random() < 0.4:
        row["csat"] = _csat(rng, 0.8 + 0.13 * skill - (0.15 if scenario == "complaint" else 0.0))
    return row


def _csat(rng: random.Random, satisfied: float) -> int:
    if rng.random() < satisfied:
        return 5 if rng.random() < 0.6 else 4
    return int(_pick(rng, [("3", 50), ("2", 30), ("1", 20)]))


@dataclass(frozen=True)
class DemoScoring:
    scheme: ScoringScheme
    previous: KpiPeriod
    current: KpiPeriod
    job: ComputationJob | None


def demo_scoring_seed(*, actor: Actor, months: DemoMonths) -> DemoScoring:
    """The scorecard (a tenant-wide and a complaint version from the previous month on), the previous month's
    period computed synchronously, and the current month's period left open."""
    from performance.services.scoring import period_create, scheme_create, scheme_version_create

    scheme = ScoringScheme.objects.filter(tenant=actor.tenant, name=SCORECARD).first()
    if scheme is None:
        scheme = scheme_create(actor=actor, name=SCORECARD,
                               description="How agents are scored: volume-fair rates, speed, resolution, "
                                           "satisfaction and QA; complaints weigh satisfaction most.")
        complaint = Scenario.objects.get(tenant=actor.tenant, code="complaint")
        scheme_version_create(actor=actor, scheme=scheme, effective_from=months.previous_start,
                              kpis=_kpis(TENANT_WIDE_KPIS), note="Every contact of every team.")
        scheme_version_create(actor=actor, scheme=scheme, effective_from=months.previous_start,
                              kpis=_kpis(COMPLAINT_KPIS), scenario=complaint,
                              note="Complaints: customer satisfaction first.")
    periods = {}
    for start in (months.previous_start, months.current_start):
        periods[start] = (KpiPeriod.objects.filter(tenant=actor.tenant, kind=PeriodKind.MONTHLY, start=start).first()
                          or period_create(actor=actor, kind=PeriodKind.MONTHLY, start=start))
    previous = periods[months.previous_start]
    demo_reward_rules_seed(actor=actor, months=months)  # before the computation, whose award step applies them
    return DemoScoring(scheme, previous, periods[months.current_start], _compute(actor, previous))


TIER_RULE, RANK_RULE = "Monthly service tiers", "Top 3 of the month"
DEMO_TIERS = [("A", 85, None, 800, "服务之星 Service star"), ("B", 75, 85, 400, "")]


def demo_reward_rules_seed(*, actor: Actor, months: DemoMonths) -> None:
    """A tier rule (total ≥ 85 → A, 75 ≤ total < 85 → B, gated on 50 handled contacts and no auto-failed QA
    review) and a rank rule (top 3, capped at 1,500), in effect from the previous month. Made once."""
    from performance.models import RewardRule
    from performance.services.rewards import reward_rule_create, reward_rule_version_create

    if RewardRule.objects.filter(tenant=actor.tenant, name__in=[TIER_RULE, RANK_RULE]).exists():
        return
    tiers = reward_rule_create(actor=actor, name=TIER_RULE, description="Bonus bands on the monthly total.")
    reward_rule_version_create(actor=actor, rule=tiers, data={
        "effective_from": months.previous_start, "kind": "tiers", "amount_type": "fixed",
        "params": {"metric": "total", "tiers": [
            {"name": name, "lower": Decimal(lower), "lower_inclusive": True,
             "upper": None if upper is None else Decimal(upper), "upper_inclusive": False,
             "amount": Decimal(amount), "title": title} for name, lower, upper, amount, title in DEMO_TIERS]},
        "gates": {"min_handled": 50, "no_auto_failed_qa": True}})
    rank = reward_rule_create(actor=actor, name=RANK_RULE, description="The month's best three agents.")
    reward_rule_version_create(actor=actor, rule=rank, data={
        "effective_from": months.previous_start, "kind": "rank", "params": {"top_n": 3}, "amount_type": "fixed",
        "amount": Decimal(600), "budget_cap": Decimal(1500), "title": "月度前三 Top 3"})


def demo_discretionary_award_seed(*, supervisor: Actor, period: KpiPeriod):
    """One discretionary proposal by the supervisor for an agent of their team (pending the admin's approval)."""
    from performance.models import Award
    from performance.services.rewards import award_propose

    existing = Award.objects.filter(tenant=supervisor.tenant, source="discretionary").first()
    if existing is not None:
        return existing
    agent = Agent.objects.filter(tenant=supervisor.tenant, team__name="Phone support").order_by("employee_code")[1]
    return award_propose(actor=supervisor, period=period, agent=agent, amount=Decimal(300), title="创新奖 Innovation",
                         reason="Her call-back script was adopted by the whole team.")


def _kpis(rows) -> list[dict[str, Any]]:
    return [{"kpi_code": code, "weight": Decimal(weight), "floor": Decimal(floor), "target": Decimal(target),
             "min_sample": min_sample} for code, weight, floor, target, min_sample in rows]


def _compute(actor: Actor, period: KpiPeriod) -> ComputationJob | None:
    """Compute the period the way the Celery task does, in this process: period_compute queues a job (its message
    is intercepted: no worker is needed), then computation_job_run runs it. A recompute of unchanged inputs writes
    no new revision. A closed period is left alone; a job queued earlier (e.g. from the API without a worker) is
    run instead of a new one."""
    from performance import tasks
    from performance.services.scoring import computation_job_run, period_compute
    from performance.services.scoring.computation import BUSY

    if period.status == PeriodStatus.CLOSED:
        return None
    job = ComputationJob.objects.filter(period=period, status__in=[JobStatus.QUEUED, JobStatus.RUNNING]).first()
    if job is None:
        # apply_async is what delay and delay_on_commit end in. Should the message still go out (the seed running
        # inside an outer transaction commits later), the task finds the job finished and does nothing.
        with mock.patch.object(tasks.compute_period_scores, "apply_async"):
            job = period_compute(actor=actor, period=period)
    if computation_job_run(job_id=job.pk, tenant_id=period.tenant_id) == BUSY:
        raise RuntimeError(f"A worker is computing the demo period {period.name} right now; run the seed again.")
    job.refresh_from_db()
    if job.status != JobStatus.SUCCEEDED:
        raise RuntimeError(f"The demo period {period.name} was not computed: {job.status} {job.errors}")
    period.refresh_from_db()
    return job

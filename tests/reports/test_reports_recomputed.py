"""The teams report and the dashboard against the same figures computed here in Python from the rows written, for
the admin and for a supervisor granted two of three teams: several scheme versions per agent (the tenant-wide
breakdown wins, a null value falls back to the next), agents moved after the computation, an agent computed
without a team, interactions without a team, QA reviews that count and that do not."""

from __future__ import annotations

import math
import random
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from statistics import mean
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from performance.kpis import CATALOG
from performance.models import AgentPeriodScore, AgentSchemeScore, ComputationJob, ScoreRevision
from tests.factories import AgentFactory, InteractionFactory, ScenarioFactory, TeamFactory, grant
from tests.feedback.factories import actor_for, answers_for, published_review
from tests.feedback.factories import make_version as make_rubric
from tests.performance.conftest import make_version
from tests.reports.conftest import month

SHANGHAI = ZoneInfo("Asia/Shanghai")
PLACES = Decimal("0.0001")


def q(value) -> str | None:
    return None if value is None else str(Decimal(str(value)).quantize(PLACES, ROUND_HALF_UP))


def percentile_cont(values: list[Decimal], fraction: float) -> float:
    """PostgreSQL's percentile_cont over float8: linear interpolation between the two nearest rows."""
    xs = sorted(float(v) for v in values)
    position = fraction * (len(xs) - 1)
    low, high = math.floor(position), math.ceil(position)
    return xs[low] + (position - low) * (xs[high] - xs[low])


@pytest.fixture
def world(cast):
    """North (granted), south, east (granted too); 8 agents each. Two scheme versions: tenant-wide (csat, frt)
    and one of a scenario (csat, aht)."""
    east = TeamFactory(tenant=cast.tenant, name="East")
    grant(cast.users["supervisor"], east, "view")
    teams = [cast.north, cast.south, east]
    agents = {team.pk: [AgentFactory(team=team, employee_code=f"{team.name[0]}X{i}") for i in range(8)]
              for team in teams}
    scenario = ScenarioFactory(tenant=cast.tenant, code="complaint")
    # the scenario's version is the older one: the tenant-wide breakdown still comes first
    by_scenario = make_version(cast.tenant, name="Complaints", scenario=scenario,
                               kpis=[("csat", 50, 50, 90, 1), ("aht", 50, 600, 300, 1)])
    wide = make_version(cast.tenant, kpis=[("csat", 50, 50, 90, 1), ("frt", 50, 60, 10, 1)])
    return {"teams": teams, "east": east, "agents": agents, "wide": wide, "by_scenario": by_scenario}


def scored_month(cast, world) -> tuple:
    """October's revision: per agent the team when computed, a total (None: unscored) and breakdowns by version.
    Then one north agent moves to south and one south agent to north (the supervisor's score scope follows the
    agent's current team; the report's team column stays the team when computed)."""
    rng = random.Random(7)
    period = month(cast.tenant, date(2026, 10, 1))
    job = ComputationJob.objects.create(tenant=cast.tenant, period=period, status="succeeded",
                                        previous_period_status="open")
    revision = ScoreRevision.objects.create(tenant=cast.tenant, period=period, number=1, job=job, fingerprint="x",
                                            is_complete=True, completed_at=timezone.now())
    wide, by_scenario = world["wide"], world["by_scenario"]
    rows = []
    for team in world["teams"]:
        for i, agent in enumerate(world["agents"][team.pk]):
            computed_team = None if (team == world["east"] and i == 0) else team
            total = None if i == 7 else Decimal(rng.randint(4000, 9900)) / 100

            def value():
                return None if rng.random() < 0.15 else str(Decimal(rng.randint(100, 9999)) / 100)

            breakdowns = {wide: {"csat": value(), "frt": value()}}
            if i % 3 != 0:
                breakdowns[by_scenario] = {"csat": value(), "aht": value()}
            if i == 1:  # the tenant-wide csat is null: the scenario version's counts
                breakdowns[wide]["csat"], breakdowns[by_scenario]["csat"] = None, "77.70"
            rows.append((agent, computed_team, total, breakdowns))
            overall = AgentPeriodScore.objects.create(tenant=cast.tenant, period=period, revision=revision, job=job,
                                                      agent=agent, team=computed_team, total=total, handled=10)
            for version in sorted(breakdowns, key=lambda v: v.pk, reverse=True):
                AgentSchemeScore.objects.create(
                    tenant=cast.tenant, overall=overall, revision=revision, agent=agent, scheme_version=version,
                    total=total, kpis=[{"kpi_code": code, "raw_value": raw, "sample_size": 5}
                                       for code, raw in breakdowns[version].items()])
    period.current_revision = revision
    period.status = "computed"
    period.save()
    moved_north, moved_south = world["agents"][cast.north.pk][2], world["agents"][cast.south.pk][3]
    moved_north.team, moved_south.team = cast.south, cast.north
    moved_north.save()
    moved_south.save()
    return period, rows


def expected_teams(rows, visible_agents: set[int], version_order) -> dict:
    codes = ["total", *(c for c in CATALOG if any(c in b for _, _, _, bs in rows for b in bs.values()))]
    teams: dict = {}
    for agent, team, total, breakdowns in rows:
        if agent.pk not in visible_agents:
            continue
        entry = teams.setdefault(team.pk if team else None, {"head_count": 0, "scored": 0, "values": {}})
        entry["head_count"] += 1
        if total is not None:
            entry["scored"] += 1
            entry["values"].setdefault("total", []).append(total)
        for code in codes[1:]:
            found = [breakdowns[v][code] for v in version_order if v in breakdowns
                     and breakdowns[v].get(code) is not None]
            if found:
                entry["values"].setdefault(code, []).append(Decimal(found[0]))
    result = []
    for team_id in sorted(teams, key=lambda t: (t is None, t or 0)):
        entry = teams[team_id]
        metrics = []
        for code in codes:
            values = entry["values"].get(code, [])
            metrics.append({"metric": code, "n": len(values), "mean": q(mean(values)) if values else None,
                            "median": q(repr(percentile_cont(values, 0.5))) if values else None,
                            "p90": q(repr(percentile_cont(values, 0.9))) if values else None})
        result.append({"team": team_id, "head_count": entry["head_count"], "scored": entry["scored"],
                       "metrics": metrics})
    return {"metrics": codes, "teams": result}


@pytest.mark.parametrize("role", ["admin", "supervisor"])
def test_teams_report_equals_the_figures_recomputed_from_the_rows(cast, client_as, world, role):
    period, rows = scored_month(cast, world)
    granted = {cast.north.pk, world["east"].pk}
    visible = {agent.pk for agent, *_ in rows if role == "admin" or agent.team_id in granted}
    if role == "supervisor":  # by the current team: the agent moved to north counts, the one moved away not
        assert world["agents"][cast.south.pk][3].pk in visible and world["agents"][cast.north.pk][2].pk not in visible
    expected = expected_teams(rows, visible, [world["wide"], world["by_scenario"]])
    body = client_as(cast.users[role]).get(cast.url("reports/teams/"), {"period": period.pk}).json()
    names = {team.pk: team.name for team in world["teams"]}
    assert body["metrics"] == expected["metrics"] == ["total", "frt", "aht", "csat"]
    assert [t["team"] for t in body["teams"]] == [t["team"] for t in expected["teams"]]
    assert body["teams"][-1]["team"] is None  # the agent computed without a team: listed last
    for got, want in zip(body["teams"], expected["teams"], strict=True):
        assert got == {**want, "name": names.get(want["team"], "")}


def test_dashboard_equals_the_figures_recomputed_from_the_rows(cast, client_as, world):
    period, rows = scored_month(cast, world)
    rng = random.Random(11)
    rubric = make_rubric(cast.tenant)
    inspector = cast.users["qa_lead"]  # reviews every team
    everyone = [agent for team in world["teams"] for agent in world["agents"][team.pk]]
    interactions = []
    for n in range(160):
        agent = rng.choice(everyone)
        answered = rng.random() < 0.8
        ix = InteractionFactory(
            agent=agent, team=None if n % 23 == 0 else agent.team,
            started_at=datetime(2026, 10, rng.randint(1, 31), rng.randint(0, 23), tzinfo=SHANGHAI),
            answered=answered, talk_seconds=rng.randint(30, 600), hold_seconds=rng.randint(0, 90),
            acw_seconds=rng.randint(0, 120), first_contact_resolved=rng.random() < 0.6,
            csat=rng.choice([None, 1, 2, 3, 4, 5]))
        interactions.append(ix)
    # outside the period (Shanghai time): not counted
    InteractionFactory(agent=everyone[0], started_at=datetime(2026, 9, 30, 23, 59, tzinfo=SHANGHAI))
    reviewed = rng.sample(interactions, 14)
    for ix in reviewed[:12]:
        published_review(inspector=inspector, interaction=ix, version=rubric,
                         ratings=[rng.randint(1, 5), rng.randint(0, 1), rng.randint(0, 10), rng.randint(1, 3)])
    from feedback.services import reviews as review_services

    for ix in reviewed[12:]:  # submitted, not published: not counted
        review = review_services.qa_review_create(actor=actor_for(inspector, cast.tenant), interaction=ix,
                                                  rubric_version=rubric, answers=answers_for(rubric, [1, 1, 1, 1]))
        review_services.qa_review_submit(actor=actor_for(inspector, cast.tenant), review=review)
    from feedback.models import QAReview

    totals = {r.interaction_id: r.total for r in QAReview.objects.filter(status="published")}
    assert len(totals) == 12

    for role, granted in (("admin", None), ("supervisor", {cast.north.pk, world["east"].pk})):
        body = client_as(cast.users[role]).get(cast.url("reports/dashboard/"), {"period": period.pk}).json()
        shown = [t for t in world["teams"] if granted is None or t.pk in granted]
        seen = [ix for ix in interactions if granted is None or ix.team_id in granted]
        seen_rows = [r for r in rows if granted is None or r[0].team_id in granted]

        def figures(contacts, scored):
            answered = [ix for ix in contacts if ix.answered]
            rated = [ix for ix in contacts if ix.csat is not None]
            qa = [totals[ix.pk] for ix in contacts if ix.pk in totals]

            def ratio(a, b, scale=1):
                return q(Decimal(a) * scale / Decimal(b)) if b else None

            return {"volume": len(contacts), "handled": q(len(answered)),
                    "answer_rate": ratio(len(answered), len(contacts), 100),
                    "aht": ratio(sum(ix.talk_seconds + ix.hold_seconds + ix.acw_seconds for ix in answered),
                                 len(answered)),
                    "fcr": ratio(sum(ix.first_contact_resolved for ix in answered), len(answered), 100),
                    "csat": ratio(sum(ix.csat >= 4 for ix in rated), len(rated), 100),
                    "qa_score": q(sum(qa) / len(qa)) if qa else None, "qa_reviews": len(qa),
                    "scored_agents": sum(total is not None for _, _, total, _ in scored)}

        assert body["tenant"] == {**figures(seen, seen_rows), "open_appeals": 0, "open_alerts": 0}, role
        assert body["teams"] == [
            {"team": t.pk, "name": t.name, **figures([ix for ix in seen if ix.team_id == t.pk],
                                                     [r for r in seen_rows if r[1] == t])}
            for t in sorted(shown, key=lambda t: (t.name, t.pk))], role
        assert body["revision"]["number"] == 1


def test_the_teams_report_reads_each_revisions_metric_codes_once(cast, client_as):
    """The codes a revision scored are cached by revision (a complete revision never changes); a new revision
    has its own."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.reports.conftest import write_revision

    admin = client_as(cast.users["admin"])
    period = month(cast.tenant, date(2026, 10, 1))
    write_revision(period, {agent: (70, {"csat": 80, "frt": 30}) for agent in cast.north_agents})
    url = cast.url("reports/teams/")
    with CaptureQueriesContext(connection) as cold:
        first = admin.get(url, {"period": period.pk}).json()
    with CaptureQueriesContext(connection) as warm:
        again = admin.get(url, {"period": period.pk}).json()
    assert again == first and first["metrics"] == ["total", "frt", "csat"]
    def codes_read(queries):
        return sum("SELECT DISTINCT e->>'kpi_code'" in q["sql"] for q in queries.captured_queries)

    assert (codes_read(cold), codes_read(warm)) == (1, 0) and len(warm) == len(cold) - 1
    aht = make_version(cast.tenant, name="Handle time", kpis=[("aht", 100, 600, 300, 1)])
    write_revision(period, {agent: (60, {"aht": 320}) for agent in cast.south_agents}, version=aht)
    second = admin.get(url, {"period": period.pk}).json()
    assert second["revision"]["number"] == 2 and second["metrics"] == ["total", "aht"]
    assert [t["name"] for t in second["teams"]] == ["South"]


def test_a_supervisor_without_grants_gets_an_empty_teams_report(cast, client_as, world):
    from accounts.models import TeamGrant

    period, _ = scored_month(cast, world)
    TeamGrant.objects.filter(user=cast.users["supervisor"]).delete()
    body = client_as(cast.users["supervisor"]).get(cast.url("reports/teams/"), {"period": period.pk}).json()
    assert body["teams"] == [] and body["metrics"] == ["total", "frt", "aht", "csat"]

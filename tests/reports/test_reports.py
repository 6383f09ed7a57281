"""Report numbers against hand-computed ones: distribution, teams, correlations, trends, channels, dashboard;
exports equal to the JSON; scoping. Tenant "acme" (Asia/Shanghai); north N000-N002 (the supervisor's), south
S000-S002."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.db.models import Q
from openpyxl import load_workbook

from tests.factories import InteractionFactory
from tests.reports.conftest import month, write_revision

D = Decimal
SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def admin(cast, client_as):
    return client_as(cast.users["admin"])


@pytest.fixture
def october(cast):
    """Totals north 50, 60, 60 and south 80, 90, None (unscored); csat and frt per agent."""
    n0, n1, n2 = cast.north_agents
    s0, s1, s2 = cast.south_agents
    period = month(cast.tenant, date(2026, 10, 1))
    write_revision(period, {
        n0: (50, {"csat": 60, "frt": 40}),
        n1: (60, {"csat": 70, "frt": 30}),
        n2: (60, {"csat": 70, "frt": 30}),
        s0: (80, {"csat": 90, "frt": 20}),
        s1: (90, {"csat": 80, "frt": None}),
        s2: (None, {"csat": None, "frt": None}),
    })
    return period


def get(client, cast, report, **params):
    response = client.get(cast.url(f"reports/{report}/"), params)
    assert response.status_code == 200, response.json()
    return response.json()


def test_distribution_of_totals_automatic_and_given_bins(cast, admin, october):
    body = get(admin, cast, "distribution", period=october.pk, bin_count=4)
    # values 50, 60, 60, 80, 90: mean 68; median 60; p10 = 50 + 0.4 × 10 = 54; p90 = 80 + 0.6 × 10 = 86
    assert body["revision"]["number"] == 1 and body["n"] == 5
    assert (body["mean"], body["median"], body["p10"], body["p90"]) == ("68.0000", "60.0000", "54.0000", "86.0000")
    # 4 bins of 10 from 50 to 90: [50,60) 1, [60,70) 2, [70,80) 0, [80,90] 2
    assert [(b["lower"], b["upper"], b["count"]) for b in body["bins"]] == [
        ("50.0000", "60.0000", 1), ("60.0000", "70.0000", 2), ("70.0000", "80.0000", 0), ("80.0000", "90.0000", 2)]
    given = get(admin, cast, "distribution", period=october.pk, bins="55,60,90")
    assert [b["count"] for b in given["bins"]] == [0, 4] and (given["below"], given["above"]) == (1, 0)
    kpi = get(admin, cast, "distribution", period=october.pk, metric="frt")
    assert (kpi["n"], kpi["mean"], kpi["median"]) == (4, "30.0000", "30.0000")


def test_distribution_of_an_uncomputed_period_is_empty_and_says_so(cast, admin):
    period = month(cast.tenant, date(2026, 11, 1))
    body = get(admin, cast, "distribution", period=period.pk)
    assert body["revision"] is None and body["n"] == 0 and body["bins"] == [] and body["mean"] is None


def test_a_single_agent_distribution_has_one_bin(cast, admin):
    period = month(cast.tenant, date(2026, 9, 1))
    write_revision(period, {cast.north_agents[1]: (72.5, {"csat": 80})})
    body = get(admin, cast, "distribution", period=period.pk)
    assert body["n"] == 1 and body["p10"] == body["p90"] == "72.5000"
    assert body["bins"] == [{"lower": "72.5000", "upper": "72.5000", "count": 1}]


def test_teams_report(cast, admin, october):
    body = get(admin, cast, "teams", period=october.pk)
    assert body["metrics"] == ["total", "frt", "csat"]
    north, south = body["teams"]
    assert (north["name"], north["head_count"], north["scored"]) == ("North", 3, 3)
    total = north["metrics"][0]
    # 50, 60, 60: mean 56.6667, median 60, p90 = 60
    assert (total["n"], total["mean"], total["median"], total["p90"]) == (3, "56.6667", "60.0000", "60.0000")
    assert (south["head_count"], south["scored"]) == (3, 2)
    # south totals 80, 90: p90 = 80 + 0.9 × 10 = 89; frt only for s0
    assert south["metrics"][0]["p90"] == "89.0000" and south["metrics"][1]["n"] == 1


def test_a_team_with_no_scored_agent(cast, admin):
    period = month(cast.tenant, date(2026, 8, 1))
    write_revision(period, {cast.south_agents[0]: (None, {"csat": None}), cast.north_agents[0]: (70, {"csat": 75})})
    south = [t for t in get(admin, cast, "teams", period=period.pk)["teams"] if t["name"] == "South"][0]
    assert (south["head_count"], south["scored"]) == (1, 0)
    assert all(m["n"] == 0 and m["mean"] is None for m in south["metrics"])


def test_correlations_pearson_and_spearman_against_hand_computed_values(cast, admin, october):
    body = get(admin, cast, "correlations", period=october.pk, x="frt", y="csat")
    # agents with both: (40, 60), (30, 70), (30, 70), (20, 90). Pearson: x̄ = 30, ȳ = 72.5;
    # Σdxdy = 10·(−12.5) + 0 + 0 + (−10)·17.5 = −300; Σdx² = 200; Σdy² = 156.25 + 6.25 + 6.25 + 306.25 = 475
    # r = −300 / √(200 · 475) = −0.973329…
    assert body["n"] == 4 and body["pearson"] == "-0.973329"
    # average ranks x: 4, 2.5, 2.5, 1; y: 1, 2.5, 2.5, 4 → perfectly reversed: rho = −1
    assert body["spearman"] == "-1.000000"
    assert [p["x"] for p in body["points"]] == ["40.0000", "30.0000", "30.0000", "20.0000"]
    ties = get(admin, cast, "correlations", period=october.pk, x="total", y="csat")
    # totals 50, 60, 60, 80, 90 and csat 60, 70, 70, 90, 80: spearman on ranks (1, 2.5, 2.5, 4, 5) vs
    # (1, 2.5, 2.5, 5, 4): deviations from 3 give Σdxdy = 8.5 and Σdx² = Σdy² = 9.5, rho = 8.5 / 9.5
    assert ties["n"] == 5 and ties["spearman"] == "0.894737"


def test_trends_across_periods_per_tenant_team_and_agent(cast, admin, client_as, october):
    september = month(cast.tenant, date(2026, 9, 1))
    write_revision(september, {cast.north_agents[0]: (40, {"csat": 50}), cast.south_agents[0]: (70, {"csat": 60})})
    body = get(admin, cast, "trends", metric="total")
    assert [(p["name"], p["value"], p["agents"]) for p in body["points"]] == [
        ("2026-09", "55.0000", 2), ("2026-10", "68.0000", 5)]
    team = get(admin, cast, "trends", metric="csat", level="team", team=cast.north.pk)
    assert [p["value"] for p in team["points"]] == ["50.0000", "66.6667"]
    assert team["points"][1]["sample_size"] == 15  # three agents × 5 samples
    own = get(client_as(cast.users["agent"]), cast, "trends", metric="total", level="tenant")
    assert own["level"] == "agent" and own["agent"] == cast.own_agent.pk
    assert [p["value"] for p in own["points"]] == ["40.0000", "50.0000"]
    # the supervisor sees north only
    supervisor = get(client_as(cast.users["supervisor"]), cast, "trends", metric="total")
    assert [p["value"] for p in supervisor["points"]] == ["40.0000", "56.6667"]


def test_daily_and_weekly_series_inside_a_period_from_interactions(cast, admin):
    period = month(cast.tenant, date(2026, 10, 1))
    agent = cast.north_agents[1]
    # 1 Oct 23:30 local is 15:30 UTC: a Shanghai day, not a UTC one
    InteractionFactory(agent=agent, started_at=datetime(2026, 10, 1, 23, 30, tzinfo=SHANGHAI), answered=True)
    InteractionFactory(agent=agent, started_at=datetime(2026, 10, 2, 0, 30, tzinfo=SHANGHAI), answered=False)
    InteractionFactory(agent=agent, started_at=datetime(2026, 10, 2, 9, 0, tzinfo=SHANGHAI), answered=True)
    body = get(admin, cast, "trends", metric="answer_rate", period=period.pk, interval="day")
    points = body["points"]
    assert len(points) == 31 and points[0]["start"] == "2026-10-01"
    assert (points[0]["value"], points[0]["sample_size"]) == ("100.0000", 1)
    assert (points[1]["value"], points[1]["sample_size"]) == ("50.0000", 2)
    assert points[2]["value"] is None and points[2]["sample_size"] == 0
    weekly = get(admin, cast, "trends", metric="handled", period=period.pk, interval="week")
    # ISO weeks from Monday 28 Sep: the first holds all three contacts, two handled
    assert weekly["points"][0]["start"] == "2026-09-28" and weekly["points"][0]["value"] == "2.0000"
    assert len(weekly["points"]) == 5
    refused = admin.get(cast.url("reports/trends/"), {"metric": "total", "period": period.pk, "interval": "day"})
    assert refused.status_code == 400 and refused.json()["errors"][0]["field"] == "metric"


def test_channels_by_channel_scenario_and_direction(cast, admin):
    period = month(cast.tenant, date(2026, 10, 1))
    agent = cast.north_agents[1]
    moment = datetime(2026, 10, 5, 10, tzinfo=SHANGHAI)
    InteractionFactory(agent=agent, started_at=moment, channel="phone", direction="outbound", answered=False)
    InteractionFactory(agent=agent, started_at=moment, channel="phone", direction="outbound")
    InteractionFactory(agent=agent, started_at=moment, channel="chat", talk_seconds=100, hold_seconds=0,
                       acw_seconds=20)
    rows = {(r["dimension"], r["key"]): r for r in get(admin, cast, "channels", period=period.pk)["rows"]}
    assert set(rows) == {("channel", "chat"), ("channel", "phone"), ("scenario", None), ("direction", "inbound"),
                         ("direction", "outbound")}
    assert rows[("channel", "phone")]["answer_rate"] == "50.0000" and rows[("channel", "chat")]["aht"] == "120.0000"
    assert rows[("direction", "outbound")]["connect_rate"] == "50.0000"
    assert rows[("direction", "inbound")]["outbound_calls"] == "0.0000"


def test_channels_sum_each_dimension_over_the_others(cast, admin):
    """Each dimension's figures equal a GROUP BY of that dimension alone, keys in code order, no scenario last."""
    from django.db.models import Count, Sum

    from performance.models import Interaction, Scenario

    period = month(cast.tenant, date(2026, 10, 1))
    moment = datetime(2026, 10, 9, 10, tzinfo=SHANGHAI)
    refund, billing = (Scenario.objects.create(tenant=cast.tenant, code=code) for code in ("refund", "billing"))
    shapes = [("phone", "inbound", refund, True, 5), ("phone", "outbound", None, False, None),
              ("chat", "inbound", billing, True, 2), ("email", "inbound", refund, True, 4),
              ("phone", "inbound", billing, False, None), ("chat", "outbound", None, True, 1)]
    for n, (channel, direction, scenario, answered, csat) in enumerate(shapes * 2):
        InteractionFactory(agent=cast.north_agents[n % 3], started_at=moment, channel=channel, direction=direction,
                           scenario=scenario, answered=answered, csat=csat, talk_seconds=60 + n * 7)
    rows = get(admin, cast, "channels", period=period.pk)["rows"]
    assert [(r["dimension"], r["key"]) for r in rows] == [
        ("channel", "chat"), ("channel", "email"), ("channel", "phone"),
        ("scenario", "billing"), ("scenario", "refund"), ("scenario", None),
        ("direction", "inbound"), ("direction", "outbound")]
    for dimension, field in (("channel", "channel"), ("scenario", "scenario__code"), ("direction", "direction")):
        alone = {row[field]: row for row in Interaction.objects.filter(tenant=cast.tenant).order_by().values(field)
                 .annotate(n=Count("pk"), handled=Count("pk", filter=Q(answered=True)), rated=Count("csat"),
                           talk=Sum("talk_seconds", filter=Q(answered=True)))}
        for row in (r for r in rows if r["dimension"] == dimension):
            expected = alone[row["key"]]
            assert (row["offered"], row["handled"]) == (f"{expected['n']}.0000", f"{expected['handled']}.0000")
            if expected["handled"]:
                handle = Decimal(expected["talk"] + expected["handled"] * 90) / expected["handled"]
                assert row["aht"] == f"{handle.quantize(Decimal('0.0001'))}"


def test_dashboard_headlines(cast, admin, client_as, october):
    moment = datetime(2026, 10, 5, 10, tzinfo=SHANGHAI)
    InteractionFactory(agent=cast.north_agents[1], started_at=moment, csat=5)
    InteractionFactory(agent=cast.north_agents[1], started_at=moment, answered=False)
    InteractionFactory(agent=cast.south_agents[0], started_at=moment, csat=2, first_contact_resolved=True)
    body = get(admin, cast, "dashboard", period=october.pk)
    tenant = body["tenant"]
    assert (tenant["volume"], tenant["answer_rate"], tenant["csat"], tenant["fcr"]) == (
        3, "66.6667", "50.0000", "50.0000")
    assert tenant["aht"] == "330.0000" and tenant["scored_agents"] == 5 and tenant["open_appeals"] == 0
    teams = {t["name"]: t for t in body["teams"]}
    assert (teams["North"]["volume"], teams["North"]["scored_agents"]) == (2, 3)
    supervisor = get(client_as(cast.users["supervisor"]), cast, "dashboard", period=october.pk)
    assert [t["name"] for t in supervisor["teams"]] == ["North"] and supervisor["tenant"]["volume"] == 2


def _csv_rows(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_exports_equal_the_json(cast, admin, october):
    teams = get(admin, cast, "teams", period=october.pk)
    response = admin.get(cast.url("reports/teams/"), {"period": october.pk, "file_format": "csv"})
    assert response.status_code == 200 and response.content.startswith("\ufeff".encode())
    header, *rows = _csv_rows(response)
    assert header == ["Team id", "Team", "Head count", "Scored", "Metric", "Agents", "Mean", "Median", "P90"]
    def number(value):
        return None if value in ("", None) else D(str(value))

    expected = [[t["team"], t["name"], t["head_count"], t["scored"], m["metric"], m["n"], number(m["mean"]),
                 number(m["median"]), number(m["p90"])] for t in teams["teams"] for m in t["metrics"]]
    assert [[int(r[0]), r[1], int(r[2]), int(r[3]), r[4], int(r[5]), *map(number, r[6:])] for r in rows] == expected
    plain = admin.get(cast.url("reports/distribution/"), {"period": october.pk, "file_format": "csv", "bom": "false"})
    assert not plain.content.startswith("\ufeff".encode())
    distribution = get(admin, cast, "distribution", period=october.pk)
    assert [int(r[2]) for r in _csv_rows(plain)[1:]] == [b["count"] for b in distribution["bins"]]
    xlsx = admin.get(cast.url("reports/correlations/"), {"period": october.pk, "x": "frt", "y": "csat",
                                                         "file_format": "xlsx"})
    sheet = list(load_workbook(io.BytesIO(xlsx.content)).active.values)
    points = get(admin, cast, "correlations", period=october.pk, x="frt", y="csat")["points"]
    assert [(r[0], D(str(r[1])), D(str(r[2]))) for r in sheet[1:]] == [
        (p["agent"], D(p["x"]), D(p["y"])) for p in points]


def test_strict_query_parameters_and_scoping(cast, admin, client_as, october):
    assert admin.get(cast.url("reports/teams/"), {"period": october.pk, "colour": "red"}).status_code == 400
    assert admin.get(cast.url("reports/distribution/"), {"period": october.pk, "bins": "5,3"}).status_code == 400
    assert admin.get(cast.url("reports/distribution/"), {"period": october.pk, "revision": 9}).status_code == 400
    supervisor = client_as(cast.users["supervisor"])
    body = get(supervisor, cast, "teams", period=october.pk)
    assert [t["name"] for t in body["teams"]] == ["North"]
    refused = supervisor.get(cast.url("reports/teams/"), {"period": october.pk, "team": cast.south.pk})
    assert refused.status_code == 400
    agent = client_as(cast.users["agent"])
    assert agent.get(cast.url("reports/teams/"), {"period": october.pk}).status_code == 403
    assert client_as(cast.outsider).get(cast.url("reports/teams/"), {"period": october.pk}).status_code == 404

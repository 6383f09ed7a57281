"""The serializers of the most read answers (scores, interactions) build them directly (common/representation.py);
what they give must be what their declared fields give through DRF's generic path, for every shape a row takes:
scored and unscored, two schemes, a tenant KPI, adjustments, the score history; interactions with and without a
scenario, nulls, metadata; in both languages."""

from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st
from rest_framework import serializers as drf

from common.representation import decimal_formatter
from performance.api import ingestion_serializers, scoring_serializers
from performance.models import AgentPeriodScore
from performance.services.scoring import period_close, period_open_review, score_adjustment_create
from tests.factories import InteractionFactory
from tests.performance.conftest import admin_actor, compute_now, make_period, make_version
from tests.performance.tenant_kpi_helpers import define, value

OCT = datetime(2026, 10, 15, 10, tzinfo=ZoneInfo("Asia/Shanghai"))
HAND_BUILT = (scoring_serializers.KpiBreakdownSerializer, scoring_serializers.SchemeScoreSerializer,
              scoring_serializers.ScoreSerializer, scoring_serializers.ScoreHistorySerializer,
              ingestion_serializers.InteractionSerializer)


def fast_and_generic(client, urls, **headers) -> tuple[list, list]:
    """The answers as served, then with DRF's own field walk in place of every hand-built to_representation."""
    fast = [client.get(url, **headers).json() for url in urls]
    patches = [mock.patch.object(cls, "to_representation", drf.Serializer.to_representation) for cls in HAND_BUILT]
    for patch in patches:
        patch.start()
    try:
        return fast, [client.get(url, **headers).json() for url in urls]
    finally:
        for patch in patches:
            patch.stop()


@pytest.fixture
def period(cast):
    """Two schemes (one for north only, with a tenant ratio KPI), scored and unscored agents, a closed period with
    a positive and a negative adjustment."""
    north, south = cast.north_agents, cast.south_agents
    for agent, csats, talk in ((north[0], [5, 5, 4], 200), (north[1], [1, 5], 333), (south[0], [5], 41)):
        for csat in csats:
            InteractionFactory(agent=agent, started_at=OCT, csat=csat, talk_seconds=talk)
    repeat = define(cast.tenant, "repeat_rate", "ratio", unit="percent")
    value(repeat, north[0], date(2026, 10, 3), numerator=3, denominator=7)
    value(repeat, north[1], date(2026, 10, 4), numerator=1, denominator=3)
    make_version(cast.tenant, kpis=[("csat", 60, 0, 100, 2), ("aht", 40, 600, 120, 1)])
    make_version(cast.tenant, name="North desk", teams=[cast.north],
                 kpis=[("repeat_rate", 3, 0, 80, 1), ("aht", 1, 900, 100, 1)])
    period = make_period(cast.tenant)
    compute_now(period)
    actor = admin_actor(cast.tenant)
    period_open_review(actor=actor, period=period)
    period_close(actor=actor, period=period)
    score_adjustment_create(actor=actor, period=period, agent=north[1], points=Decimal("2.5"), reason="Late data")
    score_adjustment_create(actor=actor, period=period, agent=north[1], points=Decimal("-1"), reason="Correction")
    return period


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_scores_answer_as_their_declared_fields_would(cast, client_as, period, language):
    client = client_as(cast.users["admin"])
    headers = {"HTTP_ACCEPT_LANGUAGE": language}
    adjusted = AgentPeriodScore.objects.get(period=period, agent=cast.north_agents[1])
    urls = [cast.url(f"periods/{period.pk}/scores/"), cast.url(f"periods/{period.pk}/scores/{adjusted.pk}/"),
            cast.url(f"agents/{cast.north_agents[1].pk}/score-history/")]
    fast, generic = fast_and_generic(client, urls, **headers)
    assert fast == generic
    listed = fast[0]["results"]
    assert {len(row["schemes"]) for row in listed} == {1, 2}, "north scored by two schemes, south by one"
    assert any(row["unscored_reason"] for row in listed) and any(row["total"] for row in listed)
    assert [a["points"] for a in fast[1]["adjustments"]] == ["2.50", "-1.00"]
    lines = [line for scheme in fast[1]["schemes"] for line in scheme["kpis"]]
    assert "repeat_rate" in {line["kpi_code"] for line in lines}


FIELD_SHAPES = [(6, 2), (5, 2), (7, 2), (14, 4), (18, 4), (4, 4), (3, 0), (None, 2)]


@given(shape=st.sampled_from(FIELD_SHAPES),
       value=st.one_of(st.decimals(allow_nan=False, allow_infinity=False, min_value=-10**7, max_value=10**7),
                       st.decimals(places=4, min_value=-10**5, max_value=10**5), st.integers(-10**6, 10**6),
                       st.floats(-1e5, 1e5, allow_nan=False),
                       st.from_regex(r"-?[0-9]{1,8}(\.[0-9]{0,6})?", fullmatch=True)))
def test_a_decimal_is_formatted_as_its_field_formats_it(shape, value):
    digits, places = shape
    field = drf.DecimalField(max_digits=digits, decimal_places=places)
    formatted = decimal_formatter(field)
    for raw in (value, str(value)):
        try:
            expected = field.to_representation(raw)
        except InvalidOperation:
            with pytest.raises(InvalidOperation):
                formatted(raw)
        else:
            assert formatted(raw) == expected, raw
    assert formatted(None) is None


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_interactions_answer_as_their_declared_fields_would(cast, client_as, language):
    from performance.models import Scenario

    agent = cast.north_agents[0]
    refund = Scenario.objects.create(tenant=cast.tenant, code="refund")
    rows = [
        InteractionFactory(agent=agent, started_at=OCT, scenario=refund, csat=4, resolved=True,
                           first_contact_resolved=False, first_response_seconds=95, customer_ref="C-77",
                           metadata={"queue": "vip", "tags": ["a", "b"]}),
        InteractionFactory(agent=agent, started_at=datetime(2026, 10, 1, 0, 0, 0, 250_000, tzinfo=ZoneInfo("UTC")),
                           answered=False, talk_seconds=0, hold_seconds=0, acw_seconds=0, channel="chat",
                           direction="outbound"),
    ]
    client = client_as(cast.users["admin"])
    urls = [cast.url("interactions/"), cast.url(f"interactions/{rows[0].pk}/"), cast.url(f"interactions/{rows[1].pk}/")]
    fast, generic = fast_and_generic(client, urls, HTTP_ACCEPT_LANGUAGE=language)
    assert fast == generic
    assert fast[1]["scenario_code"] == "refund" and fast[2]["scenario_code"] is None
    assert fast[1]["started_at"] == "2026-10-15T02:00:00Z" and fast[2]["started_at"] == "2026-10-01T00:00:00.250000Z"

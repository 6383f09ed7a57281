"""Published QA reviews flow into a period computation as qa_score and qa_pass_rate."""

from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from feedback.services import reviews as services
from performance.models import AgentPeriodScore, AgentSchemeScore
from tests.factories import InteractionFactory
from tests.feedback.factories import actor_for, answers_for
from tests.performance.conftest import compute_now, make_period
from tests.performance.conftest import make_version as make_scheme_version

D = Decimal
OCT = datetime(2026, 10, 15, 10, tzinfo=ZoneInfo("Asia/Shanghai"))


def publish_via_api(cast, client, interaction, version, ratings):
    response = client.post(cast.url("qa-reviews/"), {"interaction": interaction.pk, "rubric_version": version.pk,
                                                     "answers": answers_for(version, ratings)}, format="json")
    assert response.status_code == 201, response.content
    url = cast.url(f"qa-reviews/{response.json()['id']}/")
    assert client.post(url + "submit/").status_code == 200
    assert client.post(url + "publish/").status_code == 200
    return response.json()["id"]


def test_qa_score_flows_into_the_period_computation(cast, client_as, version):
    n1, n2 = cast.north_agents[1], cast.north_agents[2]
    inspector = client_as(cast.users["qa_inspector"])
    lead = client_as(cast.users["qa_lead"])
    # N001: 100 and 60 (C4 rated 1: 10 + 20 + 30 + 0), then the 60 is amended to 80 (C4 rated 2)
    publish_via_api(cast, inspector, InteractionFactory(agent=n1, started_at=OCT), version, [5, 1, 10, 3])
    sixty = publish_via_api(cast, inspector, InteractionFactory(agent=n1, started_at=OCT), version, [5, 1, 10, 1])
    c4 = version.criteria.order_by("position").last()
    response = lead.post(cast.url(f"qa-reviews/{sixty}/amend/"),
                         {"answers": [{"criterion": c4.pk, "rating": 2}], "reason": "appeal upheld"}, format="json")
    assert response.status_code == 201 and response.json()["total"] == "80.00"
    # N002: 68.5 published; a submitted-only review of 0 does not count
    publish_via_api(cast, inspector, InteractionFactory(agent=n2, started_at=OCT), version, [4, 1, 7, 2])
    pending = services.qa_review_create(actor=actor_for(cast.users["qa_inspector"], cast.tenant),
                                        interaction=InteractionFactory(agent=n2, started_at=OCT),
                                        rubric_version=version, answers=answers_for(version, [1, 0, 0, 1]))
    services.qa_review_submit(actor=actor_for(cast.users["qa_inspector"], cast.tenant), review=pending)

    make_scheme_version(cast.tenant, kpis=[("qa_score", 60, 50, 100, 1), ("qa_pass_rate", 40, 0, 100, 1)])
    period = make_period(cast.tenant)
    job = compute_now(period)
    assert job.status == "succeeded"

    scores = {s.agent_id: s for s in AgentPeriodScore.objects.filter(revision=period.current_revision)}
    lines = {
        s.agent_id: {line["kpi_code"]: line for line in s.kpis}
        for s in AgentSchemeScore.objects.filter(revision=period.current_revision)
    }
    # N001: qa_score mean(100, 80) = 90 -> (90 - 50) / 50 x 100 = 80 points; pass rate 2/2 = 100 -> 100 points;
    #       total (60 x 80 + 40 x 100) / 100 = 88
    assert (D(lines[n1.pk]["qa_score"]["raw_value"]), lines[n1.pk]["qa_score"]["sample_size"],
            D(lines[n1.pk]["qa_score"]["points"])) == (D("90"), 2, D("80"))
    assert (D(lines[n1.pk]["qa_pass_rate"]["raw_value"]), D(lines[n1.pk]["qa_pass_rate"]["points"])) == (100, 100)
    assert (scores[n1.pk].total, scores[n1.pk].rank) == (D("88.00"), 1)
    # N002: qa_score 68.5 -> 37 points; pass rate 0/1 -> 0; total (60 x 37) / 100 = 22.2
    assert (D(lines[n2.pk]["qa_score"]["raw_value"]), lines[n2.pk]["qa_score"]["sample_size"],
            D(lines[n2.pk]["qa_score"]["points"])) == (D("68.5"), 1, D("37"))
    assert D(lines[n2.pk]["qa_pass_rate"]["raw_value"]) == 0
    assert (scores[n2.pk].total, scores[n2.pk].rank) == (D("22.20"), 2)
    # agents without published reviews have no QA data
    assert scores[cast.north_agents[0].pk].total is None

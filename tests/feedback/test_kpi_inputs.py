"""feedback.selectors.qa_kpi_inputs: what the KPI engine reads for qa_score and qa_pass_rate."""

from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from feedback.models import QAReview
from feedback.selectors import QAKpiInputs, qa_kpi_inputs
from feedback.services import reviews as services
from tests.factories import InteractionFactory, ScenarioFactory
from tests.feedback.factories import actor_for, answers_for, published_review

SHANGHAI = ZoneInfo("Asia/Shanghai")
START = datetime(2026, 3, 1, tzinfo=SHANGHAI)
END = datetime(2026, 4, 1, tzinfo=SHANGHAI)


def at(day, hour=10):
    return datetime(2026, 3, day, hour, tzinfo=SHANGHAI)


def test_inputs_per_agent(cast, version, django_assert_num_queries):
    a, b = cast.north_agents[1], cast.north_agents[2]
    inspector, lead = cast.users["qa_inspector"], cast.users["qa_lead"]
    complaint = ScenarioFactory(tenant=cast.tenant, code="complaint")

    def review(agent, ratings, when, by=inspector, **kw):
        return published_review(inspector=by, interaction=InteractionFactory(agent=agent, started_at=when, **kw),
                                version=version, ratings=ratings)

    # agent a: 100, 80 (pass mark 80 counts), 68.5 -> mean 82.83, passed 2
    review(a, [5, 1, 10, 3], at(2))
    review(a, [5, 1, 10, 2], at(3))  # 10 + 20 + 30 + 20 = 80
    review(a, [4, 1, 7, 2], at(4), scenario=complaint)  # 68.5
    # agent b: auto-failed 0 and 100 -> mean 50, passed 1
    review(b, [5, 0, 10, 3], at(5))
    review(b, [5, 1, 10, 3], at(31, 23))
    # not counted: outside the period (in Shanghai time), unpublished, calibration, other tenant
    review(b, [5, 1, 10, 3], datetime(2026, 3, 31, 16, 0, tzinfo=ZoneInfo("UTC")))  # = Apr 1 00:00 Shanghai
    review(b, [5, 1, 10, 3], datetime(2026, 2, 28, 23, 59, tzinfo=SHANGHAI))
    draft = services.qa_review_create(actor=actor_for(inspector, cast.tenant),
                                      interaction=InteractionFactory(agent=a, started_at=at(6)),
                                      rubric_version=version, answers=answers_for(version, [1, 0, 0, 1]))
    services.qa_review_submit(actor=actor_for(inspector, cast.tenant), review=draft)
    # a second inspector's review of an already reviewed interaction counts too (it is another review)
    review(a, [1, 1, 0, 1], QAReview.objects.filter(interaction__agent=a).first().interaction.started_at, by=lead)

    with django_assert_num_queries(1):
        inputs = qa_kpi_inputs(tenant_id=cast.tenant.pk, start=START, end=END)
    # a: 100, 80, 68.5 and the lead's 20 (0 + 20 + 0 + 0 = 20) -> 268.5 / 4 = 67.125 -> 67.13, passed 2
    assert inputs == {
        a.pk: QAKpiInputs(reviews=4, mean_total=Decimal("67.13"), passed=2),
        b.pk: QAKpiInputs(reviews=2, mean_total=Decimal("50.00"), passed=1),
    }
    assert qa_kpi_inputs(tenant_id=cast.tenant.pk, start=START, end=END, scenario_id=complaint.pk) == {
        a.pk: QAKpiInputs(reviews=1, mean_total=Decimal("68.50"), passed=0)}
    assert qa_kpi_inputs(tenant_id=cast.other_tenant.pk, start=START, end=END) == {}


def test_pass_mark_is_the_tenants(cast, version):
    cast.tenant.qa_pass_mark = Decimal("68.50")
    cast.tenant.save()
    published_review(inspector=cast.users["qa_inspector"], version=version, ratings=[4, 1, 7, 2],
                     interaction=InteractionFactory(agent=cast.north_agents[1], started_at=at(2)))
    assert qa_kpi_inputs(tenant_id=cast.tenant.pk, start=START, end=END)[cast.north_agents[1].pk].passed == 1
    cast.tenant.qa_pass_mark = Decimal("68.51")
    cast.tenant.save()
    assert qa_kpi_inputs(tenant_id=cast.tenant.pk, start=START, end=END)[cast.north_agents[1].pk].passed == 0


def test_auto_failed_counts_are_of_the_reviews_the_kpis_count(cast, version):
    """What the no_auto_failed_qa reward gate reads: per agent of the interaction, the published, current,
    non-calibration reviews of the period that a critical criterion failed."""
    from feedback.selectors import qa_auto_failed_counts

    a, b = cast.north_agents[1], cast.north_agents[2]
    inspector, lead = cast.users["qa_inspector"], cast.users["qa_lead"]

    def review(agent, ratings, when):
        return published_review(inspector=inspector, interaction=InteractionFactory(agent=agent, started_at=when),
                                version=version, ratings=ratings)

    review(a, [5, 1, 10, 3], at(2))  # passed
    review(b, [5, 0, 10, 3], at(5))  # auto-failed (critical criterion rated 0)
    failed = review(b, [5, 0, 10, 3], at(6))
    review(b, [5, 0, 10, 3], datetime(2026, 2, 28, 23, 59, tzinfo=SHANGHAI))  # auto-failed, before the period
    # a second inspector's auto-failed review of the same interaction is another review
    published_review(inspector=lead, interaction=failed.interaction, version=version, ratings=[5, 0, 10, 3])
    review(a, [5, 0, 10, 3], at(7))
    assert QAReview.objects.filter(auto_failed=True).count() == 5
    assert qa_auto_failed_counts(tenant_id=cast.tenant.pk, start=START, end=END) == {a.pk: 1, b.pk: 3}
    assert qa_auto_failed_counts(tenant_id=cast.other_tenant.pk, start=START, end=END) == {}

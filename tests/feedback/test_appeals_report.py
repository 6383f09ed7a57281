"""The period appeals report: states, outcomes, time to decision, SLA breaches, per inspector and criterion."""

from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.utils import timezone

from feedback.models import Appeal, AppealDecision
from tests.factories import InteractionFactory
from tests.feedback.appeal_helpers import criteria, decide_all, file_review_appeal, own_review
from tests.performance.conftest import make_period

OCT = datetime(2026, 10, 15, 10, tzinfo=ZoneInfo("Asia/Shanghai"))


def test_the_report_counts_what_happened(cast, client_as, version):
    period = make_period(cast.tenant)
    october = [own_review(cast, version, interaction=InteractionFactory(agent=cast.own_agent, started_at=OCT))
               for _ in range(4)]
    own_review(cast, version, inspector="qa_lead",
               interaction=InteractionFactory(agent=cast.own_agent, started_at=OCT))  # the lead's, never appealed
    outside = own_review(cast, version)  # this month: not in October
    overturned = decide_all(file_review_appeal(cast, october[0]), cast.users["admin"])
    upheld = file_review_appeal(cast, october[1], proposals={0: 5, 1: 0})
    decide_all(upheld, upheld.reviewer, accepted=False)
    open_late = file_review_appeal(cast, october[2])
    Appeal.objects.filter(pk=open_late.pk).update(overdue_at=timezone.now(), due_at=timezone.now())
    file_review_appeal(cast, outside)
    for appeal, hours in ((overturned, 2), (upheld, 6)):
        decided = AppealDecision.objects.get(appeal=appeal)
        Appeal.objects.filter(pk=appeal.pk).update(created_at=decided.decided_at - timedelta(hours=hours))

    response = client_as(cast.users["qa_lead"]).get(cast.url("reports/appeals/"), {"period": period.pk})
    assert response.status_code == 200, response.content
    report = response.json()
    assert (report["appeals"], report["decided"], report["escalated"], report["sla_breaches"]) == (3, 2, 0, 1)
    assert report["by_state"] == [{"key": "in_review", "count": 1}, {"key": "overturned", "count": 1},
                                  {"key": "upheld", "count": 1}]
    assert report["by_outcome"] == [{"key": "overturned", "count": 1}, {"key": "upheld", "count": 1}]
    assert Decimal(report["median_hours_to_decision"]) == Decimal("4.00")
    inspector, lead = cast.users["qa_inspector"].pk, cast.users["qa_lead"].pk
    # the overturned review has a second revision: still one review (chain) of the inspector's
    assert [(r["inspector"], r["reviews"], r["appealed"], r["overturned"], r["appealed_share"],
             r["overturned_share"]) for r in report["inspectors"]] == sorted([
        (inspector, 4, 3, 1, "75.00", "25.00"), (lead, 1, 0, 0, "0.00", "0.00")])
    c1, c2 = criteria(version)[:2]
    assert [(r["criterion"], r["appealed"], r["overturned"]) for r in report["criteria"]] == [
        (c1.pk, 3, 1), (c2.pk, 1, 0)]


def test_the_report_needs_a_visible_period(cast, client_as):
    lead = client_as(cast.users["qa_lead"])
    assert lead.get(cast.url("reports/appeals/")).status_code == 400
    assert lead.get(cast.url("reports/appeals/"), {"period": 999999}).status_code == 400
    assert lead.get(cast.url("reports/appeals/"), {"period": 1, "x": 1}).status_code == 400

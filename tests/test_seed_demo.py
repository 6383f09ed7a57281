"""`manage.py seed_demo`: a demo tenant with data everywhere, the same data on a second run."""

import io
import re
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.db.models import Count
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import Agent, AuditEvent, Invitation, Membership, TeamGrant, Tenant
from common.events import SUBSCRIBABLE
from common.models import Notification, Webhook, WebhookDelivery
from feedback.models import Appeal, CoachingGoal, CoachingSession, QAReview, Rubric, RubricCriterion, RubricVersion
from performance.models import (
    AgentPeriodScore,
    AgentSchemeScore,
    Alert,
    AlertRule,
    Award,
    ComputationJob,
    Connection,
    ConnectionAgent,
    ConnectionRun,
    Interaction,
    KpiPeriod,
    RewardOutcome,
    RewardRule,
    RewardRuleVersion,
    Scenario,
    SchemeKpi,
    SchemeVersion,
    ScoreRevision,
    Shift,
    TenantKpiDefinition,
    TenantKpiValue,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")
PASSWORD = "jixiao-demo-2026"
# A fixed "today": a Tuesday. Previous month February 2026 (1 Feb is a Sunday): 20 working days (2-6, 9-13,
# 16-20, 23-27); March so far, today excluded: 2-6 and 9 March = 6 working days.
TODAY = date(2026, 3, 10)
WORKING_DAYS = 20 + 6
AGENTS = 12

COUNTED = [Interaction, Shift, Scenario, SchemeVersion, SchemeKpi, KpiPeriod, ScoreRevision, AgentPeriodScore,
           AgentSchemeScore, Rubric, RubricVersion, RubricCriterion, QAReview, Agent, Membership, TeamGrant, Invitation,
           Webhook, WebhookDelivery, Appeal, RewardRule, RewardRuleVersion, Award, RewardOutcome, AlertRule, Alert,
           TenantKpiDefinition, TenantKpiValue, CoachingSession, CoachingGoal, Connection, ConnectionAgent,
           ConnectionRun]


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def seed(*args: str) -> str:
    out = io.StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


def counts(tenant) -> dict[str, int]:
    return {model.__name__: model.objects.filter(tenant=tenant).count() for model in COUNTED}


def bearer_client(email: str) -> APIClient:
    client = APIClient()
    response = client.post("/api/v1/auth/token/", {"email": email, "password": PASSWORD}, format="json")
    assert response.status_code == 200, response.content
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {response.json()['access']}")
    return client


@pytest.fixture
def seeded(db):
    """The demo seeded twice for TODAY; the counts after the first run and the output of the second."""
    seed("--today", TODAY.isoformat())
    tenant = Tenant.objects.get(slug="demo")
    first = counts(tenant)
    jobs = ComputationJob.objects.filter(tenant=tenant).count()
    output = seed("--today", TODAY.isoformat())
    return tenant, first, jobs, output


def test_a_second_run_leaves_the_same_data(seeded):
    tenant, first, jobs, output = seeded
    assert counts(tenant) == first
    assert first["Shift"] == AGENTS * WORKING_DAYS == 312
    assert (first["Scenario"], first["SchemeVersion"], first["KpiPeriod"], first["Rubric"]) == (3, 2, 2, 1)
    assert first["ScoreRevision"] == 1 and first["QAReview"] == 6 * 2  # two per agent of the inspector's team
    assert (first["TenantKpiDefinition"], first["TenantKpiValue"]) == (1, AGENTS * WORKING_DAYS)
    assert (first["CoachingSession"], first["CoachingGoal"]) == (1, 1)
    # the second run recomputed: one more job, which found the inputs unchanged and wrote no revision
    latest = ComputationJob.objects.filter(tenant=tenant).latest("pk")
    assert ComputationJob.objects.filter(tenant=tenant).count() == jobs + 1
    assert (latest.status, latest.counts["unchanged"], latest.revision_id) == ("succeeded", True, None)
    assert "0 new, 0 changed) interactions" in output and "0 new QA reviews" in output
    (invitation,) = Invitation.objects.filter(tenant=tenant)
    assert (invitation.email, invitation.current_status) == ("newcomer@demo.jixiao.test", "pending")
    assert f"invitations/{invitation.pk}/resend/" in output  # the second run kept it and says how to get a link


def test_the_first_run_prints_a_working_invitation_link(db):
    output = seed("--today", TODAY.isoformat())
    token = re.search(r"accept it at \S+/api/v1/invitations/([\w-]+)/", output).group(1)
    response = APIClient().get(f"/api/v1/invitations/{token}/")
    assert response.status_code == 200
    assert (response.json()["email"], response.json()["role"]) == ("newcomer@demo.jixiao.test", "agent")


def test_notifications_follow_the_events_and_the_example_webhook_is_inactive(seeded):
    tenant = seeded[0]
    [webhook] = Webhook.objects.filter(tenant=tenant)
    assert (webhook.url, webhook.is_active) == ("https://example.com/jixiao-webhook", False)
    assert set(webhook.events) == set(SUBSCRIBABLE)  # every subscribable event type
    assert not WebhookDelivery.objects.filter(tenant=tenant).exists()
    notices = Notification.objects.filter(tenant=tenant)
    # the admin: the first run's computation and the second run's (unchanged), and the two review appeals given
    # to them; the agent: their two reviews and the decided appeal; the inspector: the appeals on their reviews;
    # the supervisor: the score appeal, later withdrawn (made on the first run only); the coaching session (the
    # agent) and its acknowledgement (the QA lead who coached); the admin: the supervisor's discretionary award
    # proposal; the admin and the phone team's supervisor: the open alert; the agent and their supervisor: the
    # 360 campaign asking each for one assessment, then its results (closed by the admin)
    assert sorted(notices.values_list("recipient__email", "event")) == [
        ("admin@demo.jixiao.test", "alert.raised"),
        ("admin@demo.jixiao.test", "appeal.assigned"), ("admin@demo.jixiao.test", "appeal.assigned"),
        ("admin@demo.jixiao.test", "appeal.commented"), ("admin@demo.jixiao.test", "award.proposed"),
        ("admin@demo.jixiao.test", "period.computed"), ("admin@demo.jixiao.test", "period.computed"),
        ("agent@demo.jixiao.test", "appeal.decided"),
        ("agent@demo.jixiao.test", "assessment.campaign_closed"),
        ("agent@demo.jixiao.test", "assessment.campaign_opened"),
        ("agent@demo.jixiao.test", "coaching.created"),
        ("agent@demo.jixiao.test", "qa_review.published"), ("agent@demo.jixiao.test", "qa_review.published"),
        ("inspector@demo.jixiao.test", "appeal.commented"), ("inspector@demo.jixiao.test", "appeal.decided"),
        ("inspector@demo.jixiao.test", "appeal.filed"), ("inspector@demo.jixiao.test", "appeal.filed"),
        ("qa-lead@demo.jixiao.test", "coaching.acknowledged"),
        ("supervisor@demo.jixiao.test", "alert.raised"),
        ("supervisor@demo.jixiao.test", "appeal.assigned"), ("supervisor@demo.jixiao.test", "appeal.withdrawn"),
        ("supervisor@demo.jixiao.test", "assessment.campaign_closed"),
        ("supervisor@demo.jixiao.test", "assessment.campaign_opened")]
    response = bearer_client("agent@demo.jixiao.test").get("/api/v1/tenants/demo/notifications/unread-count/")
    assert response.json() == {"unread": 6}  # two reviews, the decided appeal, the coaching session, the campaign twice


def test_the_demo_agent_has_appeals_in_different_states(seeded):
    tenant = seeded[0]
    appeals = Appeal.objects.filter(tenant=tenant).order_by("pk")
    assert [(a.kind, a.status) for a in appeals] == [
        ("qa_review", "upheld"), ("qa_review", "in_review"), ("period_score", "withdrawn")]
    response = bearer_client("agent@demo.jixiao.test").get("/api/v1/tenants/demo/appeals/")
    assert response.json()["count"] == 3
    assert "1 new appeals" not in seeded[3] and "0 new appeals" in seeded[3]


def test_interactions_fall_on_working_days_of_the_two_months(seeded):
    tenant = seeded[0]
    start = datetime(2026, 2, 1, tzinfo=SHANGHAI)
    rows = Interaction.objects.filter(tenant=tenant)
    assert not rows.filter(started_at__lt=start).exists()
    assert not rows.filter(started_at__gte=datetime.combine(TODAY, time.min, tzinfo=SHANGHAI)).exists()
    local_days = {value.astimezone(SHANGHAI).date() for value in rows.values_list("started_at", flat=True)}
    assert all(day.weekday() < 5 for day in local_days)
    assert {day.month for day in local_days} == {2, 3}
    february = rows.filter(started_at__lt=datetime(2026, 3, 1, tzinfo=SHANGHAI))
    per_agent = dict(february.values_list("agent__employee_code").annotate(n=Count("pk")))
    assert len(per_agent) == AGENTS and all(110 <= n <= 210 for n in per_agent.values()), per_agent  # ~150 each
    # every channel of the two teams, abandoned contacts and all three scenarios occur
    assert set(rows.values_list("channel", flat=True)) == {"phone", "chat", "email", "ticket", "social"}
    assert rows.filter(answered=False).exists() and rows.filter(csat__isnull=False).exists()
    assert set(rows.values_list("scenario__code", flat=True)) == {"inquiry", "complaint", "tech_support"}
    # some phone calls are outbound (call backs); every other channel is inbound
    outbound = rows.filter(direction="outbound")
    assert 0 < outbound.count() < rows.filter(channel="phone").count()
    assert set(outbound.values_list("channel", flat=True)) == {"phone"}
    # shifts: one per agent and working day, absences recorded as 0 worked minutes
    assert set(Shift.objects.filter(tenant=tenant).values_list("scheduled_minutes", flat=True)) == {480}


def test_the_previous_month_is_computed_and_the_current_one_open(seeded):
    tenant = seeded[0]
    previous = KpiPeriod.objects.get(tenant=tenant, start=date(2026, 2, 1))
    current = KpiPeriod.objects.get(tenant=tenant, start=date(2026, 3, 1))
    assert (previous.kind, previous.end, previous.status) == ("monthly", date(2026, 3, 1), "computed")
    assert (current.kind, current.status, current.current_revision) == ("monthly", "open", None)
    scores = AgentPeriodScore.objects.filter(revision=previous.current_revision)
    with_interactions = set(Interaction.objects.filter(tenant=tenant, started_at__lt=datetime(
        2026, 3, 1, tzinfo=SHANGHAI)).values_list("agent_id", flat=True))
    active = set(Agent.objects.filter(tenant=tenant, is_active=True).values_list("pk", flat=True))
    assert sorted(scores.values_list("agent_id", flat=True)) == sorted(active & with_interactions)
    assert len(active & with_interactions) == AGENTS
    assert all(total is not None for total in scores.values_list("total", flat=True))
    assert sorted(scores.values_list("rank", flat=True)) == list(range(1, AGENTS + 1))  # no ties here
    # skill shows: the star agents finish above the struggling ones
    rank = dict(scores.values_list("agent__employee_code", "rank"))
    assert max(rank["A002"], rank["A005"]) < min(rank["A007"], rank["A010"])
    complaint = SchemeVersion.objects.get(tenant=tenant, scenario__code="complaint")
    csat = SchemeKpi.objects.get(version=complaint, kpi_code="csat")
    assert (csat.weight, complaint.effective_from) == (60, date(2026, 2, 1))
    assert complaint.locked_at is not None  # used by the computed period


def test_qa_reviews_feed_qa_score_of_the_inspectors_team_only(seeded):
    tenant = seeded[0]
    previous = KpiPeriod.objects.get(tenant=tenant, start=date(2026, 2, 1))
    version = RubricVersion.objects.get(tenant=tenant)
    assert version.status == "published"
    criteria = RubricCriterion.objects.filter(version=version)
    assert criteria.filter(is_critical=True).count() == 1 and criteria.filter(allow_na=True).count() == 1
    reviews = QAReview.objects.filter(tenant=tenant)
    assert set(reviews.values_list("status", "inspector__email").distinct()) == {
        ("published", "inspector@demo.jixiao.test")}
    assert set(reviews.values_list("interaction__agent__team__name", flat=True)) == {"Phone support"}
    assert reviews.filter(interaction__agent__employee_code="A007", auto_failed=True).exists()
    tenant_wide = SchemeVersion.objects.get(tenant=tenant, scenario__isnull=True)
    samples = {
        (row.agent.team.name, row.agent.employee_code): {line["kpi_code"]: line for line in row.kpis}["qa_score"]
        for row in AgentSchemeScore.objects.filter(revision=previous.current_revision, scheme_version=tenant_wide)
        .select_related("agent__team")
    }
    north = {key: line for key, line in samples.items() if key[0] == "Phone support"}
    south = {key: line for key, line in samples.items() if key[0] != "Phone support"}
    assert len(north) == len(south) == 6
    assert all(line["sample_size"] == 2 and line["raw_value"] is not None for line in north.values())
    assert all(line["sample_size"] == 0 for line in south.values())


def test_the_supervisor_sees_only_their_teams_scores(seeded):
    tenant = seeded[0]
    previous = KpiPeriod.objects.get(tenant=tenant, start=date(2026, 2, 1))
    url = f"/api/v1/tenants/demo/periods/{previous.pk}/scores/"
    north = set(Agent.objects.filter(tenant=tenant, team__name="Phone support").values_list("pk", flat=True))
    response = bearer_client("supervisor@demo.jixiao.test").get(url, {"page_size": 50})
    assert response.status_code == 200, response.content
    assert {row["agent"]["id"] for row in response.json()["results"]} == north and len(north) == 6
    response = bearer_client("admin@demo.jixiao.test").get(url, {"page_size": 50})
    assert response.json()["count"] == AGENTS
    response = bearer_client("agent@demo.jixiao.test").get(url)
    assert [row["agent"]["display_name"] for row in response.json()["results"]] == ["Wang Agent"]


def test_the_output_names_the_logins_and_starting_urls(seeded):
    tenant, _, _, output = seeded
    previous = KpiPeriod.objects.get(tenant=tenant, start=date(2026, 2, 1))
    logins = output.index("admin@demo.jixiao.test")
    assert logins < output.index(f"/api/v1/tenants/demo/periods/{previous.pk}/scores/")
    assert "/api/v1/tenants/demo/qa-reviews/" in output and "/api/v1/tenants/demo/interactions/" in output
    assert AuditEvent.objects.filter(tenant=tenant, action="scheme_version.created").count() == 2
    assert AuditEvent.objects.filter(tenant=tenant, action="qa_review.published").count() == 12


def test_without_today_the_months_follow_the_tenant_clock(db, client):
    seed()
    tenant = Tenant.objects.get(slug="demo")
    today = timezone.now().astimezone(SHANGHAI).date()
    current = today.replace(day=1)
    previous = (current - timedelta(days=1)).replace(day=1)
    assert set(KpiPeriod.objects.filter(tenant=tenant).values_list("start", "status")) == {
        (previous, "computed"), (current, "open")}
    rows = Interaction.objects.filter(tenant=tenant)
    assert not rows.filter(started_at__gte=datetime.combine(today, time.min, tzinfo=SHANGHAI)).exists()
    assert rows.filter(started_at__lt=datetime.combine(current, time.min, tzinfo=SHANGHAI)).exists()
    assert sorted(Membership.objects.filter(tenant=tenant).values_list("role", flat=True)) == [
        "admin", "agent", "qa_inspector", "qa_lead", "supervisor"]
    assert TeamGrant.objects.filter(tenant=tenant).count() == 2
    response = client.post("/api/v1/auth/token/", {"email": "supervisor@demo.jixiao.test", "password": PASSWORD},
                           content_type="application/json")
    assert response.status_code == 200


def test_today_in_the_future_is_refused(db):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        seed("--today", (timezone.now() + timedelta(days=3)).date().isoformat())


def test_the_demo_admin_is_a_platform_operator_in_the_django_admin(db, client):
    seed("--today", TODAY.isoformat())
    assert client.login(email="admin@demo.jixiao.test", password=PASSWORD)
    index = client.get("/admin/")
    assert index.status_code == 200
    assert "Kpi periods" in index.content.decode() and "Qa reviews" in index.content.decode()
    for url in ("/admin/performance/kpiperiod/", "/admin/feedback/qareview/", "/admin/performance/agentperiodscore/"):
        assert client.get(url).status_code == 200, url
    assert client.login(email="supervisor@demo.jixiao.test", password=PASSWORD)
    assert client.get("/admin/").status_code == 302  # not staff: sent to the admin login


def test_the_demo_tenant_kpi_has_values_in_the_catalog(seeded):
    tenant = seeded[0]
    client = bearer_client("admin@demo.jixiao.test")
    catalog = client.get(f"/api/v1/tenants/{tenant.slug}/kpis/", {"page_size": 100}).json()["results"]
    assert catalog[-1]["code"] == "repurchase_rate" and catalog[-1]["combine_method"] == "ratio"
    values = TenantKpiValue.objects.filter(tenant=tenant)
    assert all(v.numerator <= v.denominator for v in values) and values.filter(numerator__gt=0).exists()


def test_the_demo_agent_has_an_acknowledged_coaching_session(seeded):
    session = CoachingSession.objects.get(tenant=seeded[0])
    assert session.criterion_id is not None and session.acknowledged_at is not None
    response = bearer_client("agent@demo.jixiao.test").get(
        f"/api/v1/tenants/demo/coaching/{session.pk}/effect/")
    assert response.status_code == 200 and response.json()["target"] == "criterion"
def test_the_computed_month_has_tier_and_rank_awards_and_a_discretionary_proposal(seeded):
    tenant, first = seeded[0], seeded[1]
    assert (first["RewardRule"], first["RewardRuleVersion"]) == (2, 2)
    previous = KpiPeriod.objects.get(tenant=tenant, start=date(2026, 2, 1))
    awards = Award.objects.filter(tenant=tenant, period=previous)
    rules = {a.rule_version.rule.name for a in awards.filter(source="rule")}
    assert rules == {"Monthly service tiers", "Top 3 of the month"}
    top = awards.filter(rule_version__rule__name="Top 3 of the month")
    assert 3 <= top.count() and sum(a.amount for a in top) <= 1500  # ties at the cut-off are in; the cap holds
    assert all(a.revision_id == previous.current_revision_id for a in awards.filter(source="rule"))
    (proposal,) = awards.filter(source="discretionary")
    assert (proposal.status, proposal.agent.team.name, proposal.proposed_by.email) == (
        "pending", "Phone support", "supervisor@demo.jixiao.test")
    scoped = AGENTS  # both rules are tenant-wide: every scored agent has an outcome per rule
    assert RewardOutcome.objects.filter(tenant=tenant, period=previous).count() == 2 * scoped
    response = bearer_client("agent@demo.jixiao.test").get(f"/api/v1/tenants/demo/periods/{previous.pk}/leaderboard/")
    assert response.status_code == 200 and response.json()["count"] == AGENTS



def test_two_alert_rules_one_of_which_fires(seeded):
    tenant, first = seeded[0], seeded[1]
    assert (first["AlertRule"], first["Alert"]) == (2, 1)
    (alert,) = Alert.objects.filter(tenant=tenant)
    assert (alert.rule.name, alert.status, alert.kpi) == ("Phone handle time over 5 minutes", "open", "aht")
    assert alert.value > alert.threshold == 300 and alert.sample >= alert.rule.min_sample
    quiet = AlertRule.objects.get(tenant=tenant, name="Abandon rate above 40 %")
    assert quiet.last_value is not None and quiet.last_value <= 40 and quiet.last_sample >= quiet.min_sample
    dashboard = bearer_client("supervisor@demo.jixiao.test").get(
        "/api/v1/tenants/demo/reports/dashboard/", {"period": KpiPeriod.objects.get(
            tenant=tenant, start=date(2026, 2, 1)).pk})
    assert dashboard.json()["tenant"]["open_alerts"] == 1


def test_the_demo_has_a_finished_360_campaign_with_customer_answers_shown_aggregated(seeded):
    from feedback.models import AssessmentCampaign

    campaign = AssessmentCampaign.objects.get(tenant=seeded[0])
    assert campaign.status == "closed" and AssessmentCampaign.objects.filter(tenant=seeded[0]).count() == 1
    agent_id = campaign.requests.first().agent_id
    response = bearer_client("agent@demo.jixiao.test").get(
        f"/api/v1/tenants/demo/assessment-campaigns/{campaign.pk}/results/")
    assert response.status_code == 200, response.content
    groups = {g["rater_kind"]: g for g in response.json()["groups"]}
    assert response.json()["agent"] == agent_id
    assert (groups["customer"]["shown"], groups["customer"]["responses"]) == (True, 3)
    assert groups["supervisor"]["responses"] == 1 and groups["self"]["responses"] == 1
    assert len(groups["customer"]["comments"]) == 2


def test_the_demo_freshdesk_connection_is_synced_with_its_agents_mapped(seeded):
    tenant, _, _, _ = seeded
    connection = Connection.objects.get(tenant=tenant, kind="freshdesk")
    assert (connection.account, connection.enabled, connection.status) == ("jixiao-demo.freshdesk.com", False, "ok")
    client = bearer_client("admin@demo.jixiao.test")
    runs = client.get(f"/api/v1/tenants/demo/connections/{connection.pk}/runs/").json()["results"]
    assert [(run["status"], run["created"]) for run in runs] == [("succeeded", 131)]
    detail = client.get(f"/api/v1/tenants/demo/connections/{connection.pk}/").json()
    assert detail["unmapped_agents"] == 0 and "demo-placeholder-key" not in str(detail)


def test_the_demo_zendesk_connection_is_disabled_with_runs_and_a_waiting_agent(seeded):
    tenant, first, _, _ = seeded
    connection = Connection.objects.get(tenant=tenant, kind="zendesk")
    assert (connection.kind, connection.enabled, connection.status) == ("zendesk", False, "failing")
    assert (first["Connection"], first["ConnectionRun"], first["ConnectionAgent"]) == (2, 3, 7)
    runs = bearer_client("admin@demo.jixiao.test").get(f"/api/v1/tenants/demo/connections/{connection.pk}/runs/")
    assert [run["status"] for run in runs.json()["results"]] == ["failed", "succeeded"]
    detail = bearer_client("admin@demo.jixiao.test").get(f"/api/v1/tenants/demo/connections/{connection.pk}/").json()
    assert (detail["unmapped_agents"], detail["pending_tickets"]) == (1, 1)
    assert "demo-placeholder-token" not in str(detail)

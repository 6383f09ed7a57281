"""Per resource, how to make one object in the other tenant (globex) of the `cast` fixture.

tests/test_isolation.py asks every tenant-scoped detail path for such an object, so each new resource
registers a maker here: MAKERS["<first path segment>"] = lambda cast: <id of a globex object>.
"""

from collections.abc import Callable

MAKERS: dict[str, Callable] = {}


def _scoring_maker(resource: str) -> Callable:
    def make(cast):
        from tests.performance.conftest import globex_scoring_ids

        return globex_scoring_ids(cast)[resource]

    return make


for _resource in ("kpis", "schemes", "periods", "jobs"):
    MAKERS[_resource] = _scoring_maker(_resource)


def _qa_maker(resource: str) -> Callable:
    def make(cast):
        from tests.feedback.factories import globex_qa_ids

        return globex_qa_ids(cast)[resource]

    return make


for _resource in ("rubrics", "rubric-versions", "qa-reviews", "qa-assignments", "qa-assignment-batches",
                  "calibrations"):
    MAKERS[_resource] = _qa_maker(_resource)


def _ingestion_maker(resource: str) -> Callable:
    def make(cast):
        from tests.factories import InteractionFactory, ScenarioFactory, ShiftFactory

        if resource == "scenarios":
            return ScenarioFactory(tenant=cast.other_tenant, code="globex_only").pk
        factory = InteractionFactory if resource == "interactions" else ShiftFactory
        return factory(agent=cast.other_agent).pk

    return make


for _resource in ("interactions", "shifts", "scenarios"):
    MAKERS[_resource] = _ingestion_maker(_resource)


def _invitation_maker(cast):
    from accounts.services import invitation_create
    from common.actor import Actor

    actor = Actor(tenant=cast.other_tenant, role="admin", user=cast.outsider)
    return invitation_create(actor=actor, email="invited@globex.test", role="agent")[0].pk


MAKERS["invitations"] = _invitation_maker


def _notification_maker(cast):
    from common.notifications.services import notify

    return notify(tenant=cast.other_tenant, recipients=[cast.outsider], event="period.computed",
                  message="Period %(period)s is ready.", params={"period": "globex"})[0].pk


def _webhook_maker(cast):
    from common.actor import Actor
    from common.webhooks.services import webhook_create

    actor = Actor(tenant=cast.other_tenant, role="admin", user=cast.outsider)
    return webhook_create(actor=actor, url="https://93.184.216.34/globex", events=["period.computed"])[0].pk


MAKERS["notifications"] = _notification_maker
MAKERS["webhooks"] = _webhook_maker


def _appeal_maker(cast):
    from django.utils import timezone

    from feedback.models import Appeal
    from tests.performance.conftest import globex_scoring_ids

    period_id = globex_scoring_ids(cast)["periods"]
    return Appeal.objects.create(tenant=cast.other_tenant, kind="period_score", period_id=period_id,
                                 agent=cast.other_agent, filed_by=cast.outsider, reason="globex",
                                 due_at=timezone.now()).pk


MAKERS["appeals"] = _appeal_maker


def _tenant_kpi_maker(resource: str) -> Callable:
    def make(cast):
        from datetime import date

        from tests.performance.tenant_kpi_helpers import define, value

        if not hasattr(cast, "_globex_tenant_kpi"):
            cast._globex_tenant_kpi = define(cast.other_tenant, "globex_orders", "sum")
        definition = cast._globex_tenant_kpi
        if resource == "kpi-definitions":
            return definition.pk
        return value(definition, cast.other_agent, date(2026, 10, 1), 1).pk

    return make


def _reward_maker(resource: str) -> Callable:
    def make(cast):
        from performance.models import Award, KpiPeriod, RewardOutcome
        from tests.performance.conftest import compute_now, globex_scoring_ids
        from tests.performance.rewards_helpers import rule_version

        if not hasattr(cast, "_globex_rewards"):
            version = rule_version(cast.other_tenant, "Globex top", kind="rank", params={"top_n": 1},
                                   amount=__import__("decimal").Decimal(10))
            period = KpiPeriod.objects.get(pk=globex_scoring_ids(cast)["periods"])
            from tests.factories import InteractionFactory

            InteractionFactory(agent=cast.other_agent, started_at=__import__("datetime").datetime(
                2026, 10, 5, 9, tzinfo=__import__("datetime").UTC))
            compute_now(period)
            cast._globex_rewards = {"reward-rules": version.rule_id,
                                    "awards": Award.objects.get(tenant=cast.other_tenant).pk,
                                    "reward-outcomes": RewardOutcome.objects.filter(tenant=cast.other_tenant)
                                    .first().pk}
        return cast._globex_rewards[resource]

    return make


for _resource in ("kpi-definitions", "kpi-values"):
    MAKERS[_resource] = _tenant_kpi_maker(_resource)


def _coaching_maker(cast):
    from datetime import UTC, datetime

    from common.actor import Actor
    from feedback.services.coaching import coaching_session_create

    actor = Actor(tenant=cast.other_tenant, role="qa_lead", user=cast.outsider)
    return coaching_session_create(actor=actor, agent=cast.other_agent, held_at=datetime(2026, 10, 1, tzinfo=UTC),
                                   topic="globex").pk


MAKERS["coaching"] = _coaching_maker
for _resource in ("reward-rules", "awards", "reward-outcomes"):
    MAKERS[_resource] = _reward_maker(_resource)


def _alert_maker(resource: str) -> Callable:
    def make(cast):
        from datetime import UTC, datetime
        from decimal import Decimal

        from common.actor import Actor
        from performance.services.alerts import alert_rule_create, alert_rule_evaluate

        if not hasattr(cast, "_globex_alerts"):
            actor = Actor(tenant=cast.other_tenant, role="admin", user=cast.outsider)
            rule = alert_rule_create(actor=actor, name="Globex volume", kpi="offered", comparison="gte",
                                     threshold=Decimal(0), min_sample=0)
            alert = alert_rule_evaluate(rule=rule, now=datetime(2026, 10, 5, 9, tzinfo=UTC)).alert
            cast._globex_alerts = {"alert-rules": rule.pk, "alerts": alert.pk}
        return cast._globex_alerts[resource]
    return make


def _assessment_maker(resource: str) -> Callable:
    def make(cast):
        from datetime import date, timedelta

        from django.utils import timezone

        from common.actor import Actor
        from feedback.models import AssessmentRequest
        from feedback.services import assessments as services
        from performance.models import KpiPeriod
        from tests.feedback.assessment_helpers import QUESTIONS

        if not hasattr(cast, "_globex_assessments"):
            actor = Actor(tenant=cast.other_tenant, role="admin", user=cast.outsider)
            template = services.assessment_template_create(actor=actor, name="globex 360", questions=QUESTIONS)
            period = KpiPeriod.objects.create(tenant=cast.other_tenant, name="globex 360", kind="custom",
                                              start=date(2026, 9, 1), end=date(2026, 9, 15))
            campaign = services.assessment_campaign_create(
                actor=actor, name="globex", period=period, template_version=template.versions.get(),
                deadline=timezone.now() + timedelta(days=7), agents=[cast.other_agent], raters=[])
            cast._globex_assessments = (template, campaign)
        template, campaign = cast._globex_assessments
        if resource == "assessment-templates":
            return template.pk
        if resource == "assessment-campaigns":
            return campaign.pk
        return AssessmentRequest.objects.create(tenant=cast.other_tenant, campaign=campaign, agent=cast.other_agent,
                                                rater_kind="supervisor", rater=cast.outsider).pk

    return make


for _resource in ("alert-rules", "alerts"):
    MAKERS[_resource] = _alert_maker(_resource)
for _resource in ("assessment-templates", "assessment-campaigns", "assessment-requests"):
    MAKERS[_resource] = _assessment_maker(_resource)


def _connection_maker(cast):
    from datetime import date

    from common.actor import Actor
    from performance.services.connectors import connection_create

    actor = Actor(tenant=cast.other_tenant, role="admin", user=cast.outsider)
    return connection_create(actor=actor, kind="zendesk", account="globex", start_date=date(2026, 10, 1),
                             credentials={"email": "ops@globex.test", "api_token": "globex-token-0123456789"}).pk


MAKERS["connections"] = _connection_maker

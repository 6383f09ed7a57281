"""schemathesis over every operation of the live schema, as the admin of a seeded throwaway tenant.

The API is called in-process through its WSGI application, against the test database (committed, hence
transactional_db, so that one failing request cannot poison the others). Path parameters are pinned to the
tenant and to ids of real objects so that detail operations reach their data; everything else is generated.
Deletions run last. Hypothesis is derandomized: the same examples on every run.
"""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime

import pytest
import schemathesis
from django.conf import settings as django_settings
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from rest_framework_simplejwt.tokens import AccessToken

from accounts.models import AuditEvent
from accounts.services import api_key_create, invitation_create
from common.idempotency import HEADER as IDEMPOTENCY_KEY
from common.notifications.services import notify
from common.webhooks.services import webhook_create
from config.celery import app as celery_app
from config.wsgi import application
from feedback.models import QAAssignment
from feedback.services import calibration as calibration_services
from feedback.services import sampling as sampling_services
from tests.factories import (
    AgentFactory,
    InteractionFactory,
    MembershipFactory,
    ScenarioFactory,
    ShiftFactory,
    TeamFactory,
    TenantFactory,
    grant,
)
from tests.feedback.factories import actor_for, published_review
from tests.feedback.factories import make_version as make_rubric_version
from tests.performance.conftest import compute_now, make_period
from tests.performance.conftest import make_version as make_scheme_version

pytestmark = pytest.mark.schemathesis

EXAMPLES = {schemathesis.GenerationMode.POSITIVE: 10, schemathesis.GenerationMode.NEGATIVE: 6}
CHECKS = [
    schemathesis.checks.not_a_server_error,
    schemathesis.checks.status_code_conformance,
    schemathesis.checks.content_type_conformance,
    schemathesis.checks.response_schema_conformance,
]


def _seed_tenant() -> dict:
    """A tenant with a little of everything; returns the admin and the ids to pin path parameters to."""
    tenant = TenantFactory(slug="fuzz", name="Fuzz Support")
    users = {role: MembershipFactory(tenant=tenant, role=role, user__email=f"{role}@fuzz.test").user
             for role in ("admin", "supervisor", "qa_lead", "qa_inspector", "agent")}
    north, south = TeamFactory(tenant=tenant, name="North"), TeamFactory(tenant=tenant, name="South")
    grant(users["supervisor"], north, "manage")
    team_grant = grant(users["qa_inspector"], north, "review")
    agents = [AgentFactory(team=north, employee_code=f"N{i}") for i in range(3)]
    agents += [AgentFactory(team=south, employee_code=f"S{i}") for i in range(2)]
    scenario = ScenarioFactory(tenant=tenant, code="inquiry")
    interactions = [
        InteractionFactory(agent=agent, scenario=scenario, csat=3 + n % 3, resolved=True,
                           started_at=datetime(2026, 10, 2 + n, 9, tzinfo=UTC))
        for agent in agents for n in range(3)
    ]
    shift = None
    for agent in agents:
        shift = ShiftFactory(agent=agent, date=date(2026, 10, 5))
    scheme_version = make_scheme_version(tenant)
    period = make_period(tenant)
    job = compute_now(period)
    rubric_version = make_rubric_version(tenant)
    review = published_review(inspector=users["qa_inspector"], interaction=interactions[0],
                              version=rubric_version, ratings=[4, 1, 8, 3])
    lead = actor_for(users["qa_lead"], tenant)
    batch = sampling_services.qa_assignments_generate(
        actor=lead, date_from=date(2026, 10, 1), date_to=date(2026, 11, 1), teams=[north],
        inspectors=[users["qa_inspector"]], per_agent=1, seed=7)
    session = calibration_services.calibration_create(
        actor=lead, title="October", rubric_version=rubric_version, interactions=interactions[3:5],
        inspectors=[users["qa_inspector"]])
    admin = actor_for(users["admin"], tenant)
    key, _ = api_key_create(actor=admin, name="Importer")
    invitation, token = invitation_create(actor=admin, email="newcomer@fuzz.test", role="agent")
    webhook, _ = webhook_create(actor=admin, url="https://93.184.216.34/hook", events=["period.computed"],
                                resolve_url=False)
    (notification,) = notify(tenant=tenant, recipients=[users["admin"]], event="period.computed", obj=period,
                             message="Period %(period)s is ready.", params={"period": period.name})
    appeal = _seed_appeal(tenant, users, agents[0], rubric_version)
    reward_version, award = _seed_rewards(tenant, users, agents, period)
    alert_rule, alert = _seed_alerts(tenant, users, south)
    score = period.current_revision.scores.filter(total__isnull=False).first()
    tenant_kpis = _seed_tenant_kpis(tenant, agents)
    coaching = _seed_coaching(tenant, users, agents[0])
    assessments = _seed_assessments(tenant, users, agents, period)
    connection, run = _seed_connection(tenant, users)
    ids = {
        "members": tenant.memberships.get(user=users["supervisor"]).pk, "teams": south.pk, "agents": agents[-1].pk,
        "api-keys": key.pk, "grants": team_grant.pk, "invitations": invitation.pk, "token": token,
        "webhooks": webhook.pk, "notifications": notification.pk,
        "audit-log": AuditEvent.objects.filter(tenant=tenant).earliest("at").pk,
        "interactions": interactions[-1].pk, "shifts": shift.pk, "scenarios": scenario.pk,
        "schemes": scheme_version.scheme_id, "periods": period.pk, "jobs": job.pk, "rubrics": rubric_version.rubric_id,
        "rubric-versions": rubric_version.pk, "qa-reviews": review.pk, "qa-assignment-batches": batch.pk,
        "qa-assignments": QAAssignment.objects.filter(batch=batch).first().pk, "calibrations": session.pk,
        "scheme_pk": scheme_version.scheme_id, "versions": scheme_version.pk, "period_pk": period.pk,
        "scores": score.pk, "agent_pk": agents[0].pk, "appeals": appeal.pk,
        "attachment_pk": appeal.attachments.get().pk, **tenant_kpis, "coaching": coaching.pk,
        "reward-rules": reward_version.rule_id, "rule_pk": reward_version.rule_id, "awards": award.pk,
        "reward-rule-versions": reward_version.pk, "alert-rules": alert_rule.pk, "alerts": alert.pk, **assessments,
        "connections": connection.pk, "run_id": run.pk,
    }
    return {"tenant": tenant, "admin": users["admin"], "ids": ids}


def _seed_alerts(tenant, users, team):
    """A team rule that fires at once (volume ≥ 0), so its alert is open (acknowledgeable, resolvable)."""
    from decimal import Decimal

    from performance.services.alerts import alert_rule_create, alert_rule_evaluate
    from tests.feedback.factories import actor_for

    rule = alert_rule_create(actor=actor_for(users["admin"], tenant), name="Fuzz volume", kpi="offered",
                             scope="team", team=team, comparison="gte", threshold=Decimal(0), min_sample=0,
                             recipient_roles=["admin"])
    return rule, alert_rule_evaluate(rule=rule).alert


def _seed_tenant_kpis(tenant, agents) -> dict:
    """A tenant KPI with a value (definitions and values of the tenant's own KPIs)."""
    from tests.performance.tenant_kpi_helpers import define, value

    definition = define(tenant, "repurchase", "ratio", unit="percent")
    return {"kpi-definitions": definition.pk,
            "kpi-values": value(definition, agents[0], date(2026, 10, 3), numerator=1, denominator=4).pk}


def _seed_assessments(tenant, users, agents, period) -> dict:
    """A 360 campaign over the north agents (the admin is asked as a peer of none: requests are the rater's own, so
    the admin's detail is a request addressed to them) and a customer link."""
    from datetime import timedelta

    from django.utils import timezone

    from feedback.models import AssessmentRequest
    from feedback.services import assessments as services
    from tests.feedback.assessment_helpers import QUESTIONS

    admin = actor_for(users["admin"], tenant)
    template = services.assessment_template_create(actor=admin, name="Fuzz 360", questions=QUESTIONS)
    campaign = services.assessment_campaign_create(
        actor=admin, name="Fuzz campaign", period=period, template_version=template.versions.get(),
        deadline=timezone.now() + timedelta(days=30), agents=agents[:3], raters=[])
    request = AssessmentRequest.objects.create(tenant=tenant, campaign=campaign, agent=agents[0],
                                               rater_kind="supervisor", rater=users["admin"])
    _link, token = services.assessment_customer_link_create(actor=admin, campaign=campaign, agent=agents[0])
    return {"assessment-templates": template.pk, "assessment-campaigns": campaign.pk,
            "assessment-requests": request.pk, "link_token": token}


class _RefusingHelpDesk:
    """A local help desk that refuses every request (401), so fuzzed `test/` and `sync/` calls end at once."""

    def __init__(self):
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
        from threading import Thread

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                self.send_response(401)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"{}")

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_port}"


def _seed_connection(tenant, users):
    """A disabled Zendesk connection with one finished run (its account is pointed at a _RefusingHelpDesk)."""
    from performance.models import ConnectionRun
    from performance.services.connectors.connections import connection_create

    connection = connection_create(actor=actor_for(users["admin"], tenant), kind="zendesk", account="fuzzdesk",
                                   credentials={"email": "ops@fuzz.test", "api_token": "fuzz-token"},
                                   start_date=date(2026, 10, 1), enabled=False)
    run = ConnectionRun.objects.create(tenant=tenant, connection=connection, status="succeeded", pages=1)
    return connection, run


def _seed_coaching(tenant, users, agent):
    """A coaching session of the QA lead with an agent, targeting a KPI."""
    from feedback.services.coaching import coaching_session_create

    return coaching_session_create(actor=actor_for(users["qa_lead"], tenant), agent=agent, topic="Fuzz coaching",
                                   held_at=datetime(2026, 10, 20, 9, tzinfo=UTC), kpi="csat",
                                   goals=[{"description": "Fuzz goal", "due_date": date(2026, 11, 1)}])
def _seed_rewards(tenant, users, agents, period):
    """A rank rule computed into awards of the period, and a discretionary proposal (pending: approvable)."""
    from decimal import Decimal

    from performance.services.rewards import award_propose
    from tests.performance.rewards_helpers import rule_version

    version = rule_version(tenant, "Fuzz top", kind="rank", params={"top_n": 2}, amount=Decimal(100),
                           title="Fuzz star")
    compute_now(period)
    award = award_propose(actor=actor_for(users["admin"], tenant), period=period, agent=agents[0], reason="Fuzz",
                          amount=Decimal(5))
    return version, award


def _seed_appeal(tenant, users, agent, rubric_version):
    """An appeal by the fuzz agent on their own review, with a file; assigned to the admin (who fuzzes)."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from accounts.models import Agent
    from feedback.services.appeal_attachments import appeal_attachment_add
    from feedback.services.appeals import appeal_file

    Agent.objects.filter(pk=agent.pk).update(user=users["agent"])
    review = published_review(inspector=users["qa_inspector"], version=rubric_version, ratings=[4, 1, 8, 3],
                              interaction=InteractionFactory(agent=agent, started_at=datetime(2026, 10, 20, 9,
                                                                                            tzinfo=UTC)))
    appeal = appeal_file(actor=actor_for(users["agent"], tenant), review=review, reason="Fuzz appeal.")
    appeal_attachment_add(appeal=appeal, actor=actor_for(users["agent"], tenant),
                          upload=SimpleUploadedFile("notes.txt", b"fuzz"))
    return appeal


def _path_parameters(operation, tenant, ids: dict) -> dict:
    names = [p.name for p in operation.path_parameters]
    segments = [s for s in operation.path.split("/") if s and not s.startswith("{")]
    pinned = {"tenant_slug": tenant.slug}
    for name in names:
        if name in ids:
            pinned[name] = ids[name]
        elif name == "code":
            pinned[name] = "csat"
        elif name == "id" and "reward-rules" in segments and segments[-1] == "versions":
            pinned[name] = ids["reward-rule-versions"]
        elif name == "id":
            resource = segments[-1] if segments[-1] in ids else next(s for s in reversed(segments) if s in ids)
            pinned[name] = ids[resource]
    return {name: value for name, value in pinned.items() if name in names and value is not None}


def test_every_operation_conforms_to_the_schema(transactional_db, monkeypatch):
    monkeypatch.setitem(celery_app.conf, "task_always_eager", True)  # computations run inline, as tests do
    remote = _RefusingHelpDesk()
    monkeypatch.setattr(django_settings, "CONNECTOR_BASE_URL_OVERRIDES", {"zendesk:fuzzdesk": remote.url})
    # A fuzzed PATCH may point the connection at another account (a real remote, unreachable here): one attempt.
    monkeypatch.setattr("performance.connectors.remote.MAX_ATTEMPTS", 1)
    seeded = _seed_tenant()
    tenant = seeded["tenant"]
    headers = {"Authorization": f"Bearer {AccessToken.for_user(seeded['admin'])}"}
    schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", application)
    operations = sorted((result.ok() for result in schema.get_all_operations()),
                        key=lambda op: (op.method.upper() == "DELETE", op.path, op.method))
    failures, keys, calls = [], itertools.count(), []
    for operation in operations:
        pinned = _path_parameters(operation, tenant, seeded["ids"])
        for mode, max_examples in EXAMPLES.items():
            strategy = operation.as_strategy(generation_mode=mode, path_parameters=pinned)

            @settings(max_examples=max_examples, derandomize=True, database=None, deadline=None,
                      phases=[Phase.explicit, Phase.generate, Phase.shrink], suppress_health_check=list(HealthCheck))
            @given(case=strategy)
            def run(case):
                if IDEMPOTENCY_KEY in (case.headers or {}):  # a fresh key each time: reuse (422) is tested elsewhere
                    case.headers[IDEMPOTENCY_KEY] = f"fuzz-{next(keys)}"
                calls.append(case.operation.label)
                case.call_and_validate(headers=headers, checks=CHECKS)

            try:
                run()
            except Unsatisfiable:  # nothing to make invalid (no parameters, no body): no negative examples
                continue
            except (Exception, BaseExceptionGroup) as exc:  # noqa: BLE001 - collect every operation's failures
                failures.append(f"{operation.label} ({mode.value} data): {exc}")
    print(f"schemathesis: {len(operations)} operations, {len(calls)} examples called, {len(failures)} failing")
    assert not failures, f"{len(failures)} operations fail:\n\n" + "\n\n".join(failures)

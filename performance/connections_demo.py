"""The demo tenant's Zendesk connection: disabled (it points at a demo subdomain with placeholder credentials),
with mappings, a remote agent waiting to be mapped and two recorded runs, so the connection screens have data."""

from __future__ import annotations

from datetime import UTC, date, timedelta

from django.utils import timezone

from accounts.models import Agent
from common.actor import Actor
from performance.connectors.freshdesk import CURSOR_VERSION, STREAMS
from performance.models import (
    Connection,
    ConnectionAgent,
    ConnectionRun,
    ConnectionStatus,
    ConnectionTicketFailure,
    PendingRemoteTicket,
    RunStatus,
    RunTrigger,
    Scenario,
)
from performance.services.connectors import connection_create, connection_mappings_replace

DEMO_ACCOUNT = "jixiao-demo"


def demo_connection_seed(*, actor: Actor, agents: list[Agent], start: date) -> Connection:
    """Create it once; a later run finds it and changes nothing."""
    existing = Connection.objects.filter(tenant=actor.tenant, kind="zendesk", account=DEMO_ACCOUNT).first()
    if existing is not None:
        return existing
    connection = connection_create(actor=actor, kind="zendesk", account=DEMO_ACCOUNT, name="Zendesk (demo)",
                                   start_date=start, enabled=False,
                                   credentials={"email": "zendesk-bot@demo.jixiao.test",
                                                "api_token": "demo-placeholder-token-0000"})
    scenarios = set(Scenario.objects.filter(tenant=actor.tenant).values_list("code", flat=True))
    wanted = [("type", "question", "inquiry"), ("tag", "refund", "complaint"), ("tag", "bug", "tech_support")]
    connection_mappings_replace(
        actor=actor, connection=connection,
        channels=[{"remote_value": "web", "channel": "ticket"}, {"remote_value": "whatsapp", "channel": "chat"}],
        scenarios=[{"match": m, "remote_value": v, "scenario": code} for m, v, code in wanted if code in scenarios],
        csat={"good": 5, "bad": 1})
    ConnectionAgent.objects.bulk_create([
        ConnectionAgent(tenant=actor.tenant, connection=connection, remote_id=str(381_000_000 + n),
                        email=f"zd.{agent.employee_code.lower()}@demo.jixiao.test", name=agent.display_name,
                        agent=agent) for n, agent in enumerate(agents[:3])
    ] + [ConnectionAgent(tenant=actor.tenant, connection=connection, remote_id="381000099",
                         email="new.hire@demo.jixiao.test", name="New Hire")])
    now = timezone.now()
    PendingRemoteTicket.objects.create(
        tenant=actor.tenant, connection=connection, external_id="48213", remote_agent_id="381000099",
        remote_updated_at=now - timedelta(hours=1),
        row={"channel": "email", "scenario": None, "source": connection.source, "external_id": "48213",
             "started_at": (now - timedelta(hours=3)).isoformat(), "answered": True, "first_response_seconds": 840,
             "resolved": False, "first_contact_resolved": False, "csat": None, "customer_ref": "77120",
             "metadata": {"status": "open", "via": "email"}})
    ok = ConnectionRun.objects.create(
        tenant=actor.tenant, connection=connection, trigger=RunTrigger.MANUAL, status=RunStatus.SUCCEEDED,
        requested_by=actor.user, pages=3, tickets_read=241, created=212, updated=21, unchanged=4, failed=1,
        pending=1, unassigned=2, fetch_ms=2840, write_ms=610, started_at=now - timedelta(hours=2),
        finished_at=now - timedelta(hours=2) + timedelta(seconds=4), cursor_reached={"after_cursor": "MTc2NDY2"})
    ConnectionTicketFailure.objects.create(tenant=actor.tenant, run=ok, external_id="47001", errors=[
        {"field": "started_at", "message": "Give a moment between 2000-01-01 and 2100-12-31.",
         "code": "date_out_of_range"}])
    ConnectionRun.objects.create(
        tenant=actor.tenant, connection=connection, trigger=RunTrigger.SCHEDULE, status=RunStatus.FAILED,
        pages=0, fetch_ms=61000, started_at=now - timedelta(hours=1), finished_at=now - timedelta(minutes=59),
        error="/api/v2/incremental/tickets/cursor.json: still rate limited after 5 attempts",
        cursor_start={"after_cursor": "MTc2NDY2"})
    Connection.objects.filter(pk=connection.pk).update(
        status=ConnectionStatus.FAILING, cursor={"after_cursor": "MTc2NDY2"}, last_synced_at=ok.finished_at,
        last_error="/api/v2/incremental/tickets/cursor.json: still rate limited after 5 attempts")
    return connection


FRESHDESK_DEMO_ACCOUNT = "jixiao-demo.freshdesk.com"


def demo_freshdesk_connection_seed(*, actor: Actor, agents: list[Agent], start: date) -> Connection:
    """A healthy Freshdesk connection beside the Zendesk one: disabled like it (placeholder key), its agents mapped
    and one successful scheduled run, so a screen shows both kinds. Created once."""
    existing = Connection.objects.filter(tenant=actor.tenant, kind="freshdesk", account=FRESHDESK_DEMO_ACCOUNT).first()
    if existing is not None:
        return existing
    connection = connection_create(actor=actor, kind="freshdesk", account=FRESHDESK_DEMO_ACCOUNT,
                                   name="Freshdesk (demo)", start_date=start, enabled=False,
                                   credentials={"api_key": "demo-placeholder-key-0000"})
    ConnectionAgent.objects.bulk_create([
        ConnectionAgent(tenant=actor.tenant, connection=connection, remote_id=str(73_000_000_100 + n),
                        email=f"fd.{agent.employee_code.lower()}@demo.jixiao.test", name=agent.display_name,
                        agent=agent) for n, agent in enumerate(agents[3:6])
    ])
    now = timezone.now()
    run = ConnectionRun.objects.create(
        tenant=actor.tenant, connection=connection, trigger=RunTrigger.SCHEDULE, status=RunStatus.SUCCEEDED,
        pages=2, tickets_read=148, created=131, updated=15, unchanged=2, fetch_ms=1930, write_ms=420,
        started_at=now - timedelta(minutes=20), finished_at=now - timedelta(minutes=20) + timedelta(seconds=3),
        cursor_reached=_freshdesk_cursor(now - timedelta(minutes=21)))
    Connection.objects.filter(pk=connection.pk).update(
        status=ConnectionStatus.OK, cursor=run.cursor_reached, last_synced_at=run.finished_at)
    return connection


def _freshdesk_cursor(moment) -> dict:
    """A cursor as the Freshdesk adapter saves it at the end of a run (every stream read up to `moment`)."""
    mark = {"since": moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"), "seen": [], "page": 1}
    return {"v": CURSOR_VERSION, "phase": "tickets", "rated_after": 0, "read_rated": [],
            "streams": {name: dict(mark) for name in STREAMS}, "ratings": dict(mark)}

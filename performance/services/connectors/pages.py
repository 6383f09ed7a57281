"""Writing one remote page: remote agents seen, waiting tickets, interactions (through ingestion), deleted tickets.

Called inside the page's transaction (performance/services/connectors/sync.py), which also saves the cursor: a
page is written completely, with its cursor, or not at all.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import F, Func, Value
from django.db.models.fields.json import JSONField

from accounts.models import Agent
from common.actor import INTEGRATION, Actor
from performance.connectors.remote import RemoteTicket
from performance.models import (
    Connection,
    ConnectionAgent,
    ConnectionChannel,
    ConnectionRun,
    ConnectionScenario,
    ConnectionTicketFailure,
    Interaction,
    PendingRemoteTicket,
)
from performance.services.connectors.derivation import Mappings, ticket_row
from performance.services.ingestion.batches import RowsInvalid, interaction_ingest

VIA = "connector"


@dataclass
class PageCounts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    failed: int = 0
    pending: int = 0
    released: int = 0
    deleted: int = 0
    unassigned: int = 0
    failures: list[tuple[str, list[dict[str, str]]]] = field(default_factory=list)

    def add_to(self, run: ConnectionRun) -> None:
        for name in ("created", "updated", "unchanged", "failed", "pending", "released", "deleted", "unassigned"):
            setattr(run, name, getattr(run, name) + getattr(self, name))


def connector_actor(connection: Connection) -> Actor:
    """The connection writes as an integration would: tenant-wide, no user."""
    return Actor(tenant=connection.tenant, role=INTEGRATION)


def mappings_load(*, connection: Connection) -> Mappings:
    """The connection's mappings, in three queries (agents, channels, scenarios)."""
    agents = ConnectionAgent.objects.filter(tenant_id=connection.tenant_id, connection=connection)
    return Mappings(
        agents={remote: code for remote, code in agents.values_list("remote_id", "agent__employee_code")},
        channels=dict(ConnectionChannel.objects.filter(tenant_id=connection.tenant_id, connection=connection)
                      .values_list("remote_value", "channel")),
        scenarios=list(ConnectionScenario.objects.filter(tenant_id=connection.tenant_id, connection=connection)
                       .order_by("position", "id").values_list("match", "remote_value", "scenario__code")),
        csat={str(key).lower(): int(value) for key, value in (connection.csat_mapping or {}).items()},
    )


def remote_agents_register(*, connection: Connection, tickets: Iterable[RemoteTicket], mappings: Mappings) -> None:
    """Record remote agents not seen before; one whose email is a jixiao agent's user email is mapped at once."""
    new: dict[str, str] = {}
    for ticket in tickets:
        if ticket.assignee_id and ticket.assignee_id not in mappings.agents:
            new[ticket.assignee_id] = ticket.assignee_email or new.get(ticket.assignee_id, "")
    if not new:
        return
    emails = {email.lower() for email in new.values() if email}
    by_email = dict(Agent.objects.filter(tenant_id=connection.tenant_id, is_active=True, user__email__in=emails)
                    .values_list("user__email", "pk")) if emails else {}
    by_email = {email.lower(): pk for email, pk in by_email.items()}
    ConnectionAgent.objects.bulk_create(
        [ConnectionAgent(tenant_id=connection.tenant_id, connection=connection, remote_id=remote_id,
                         email=email[:254], agent_id=by_email.get(email.lower()))
         for remote_id, email in sorted(new.items())],
        ignore_conflicts=True,
    )
    codes = dict(Agent.objects.filter(pk__in=by_email.values()).values_list("pk", "employee_code"))
    for remote_id, email in new.items():
        mappings.agents[remote_id] = codes.get(by_email.get(email.lower()))


def page_write(*, connection: Connection, run: ConnectionRun, tickets: list[RemoteTicket],
               mappings: Mappings) -> PageCounts:
    """Write one page's tickets; a ticket repeated in the page counts once (its last version wins)."""
    counts = PageCounts()
    latest = list({ticket.external_id: ticket for ticket in tickets}.values())
    remote_agents_register(connection=connection, tickets=latest, mappings=mappings)
    rows: list[dict[str, Any]] = []
    waiting: list[PendingRemoteTicket] = []
    deleted: list[str] = []
    for ticket in latest:
        if ticket.deleted:
            deleted.append(ticket.external_id)
            continue
        if not ticket.assignee_id:
            counts.unassigned += 1
            continue
        row = ticket_row(ticket, source=connection.source, mappings=mappings)
        code = mappings.agents.get(ticket.assignee_id)
        if code is None:
            waiting.append(PendingRemoteTicket(tenant_id=connection.tenant_id, connection=connection,
                                               external_id=ticket.external_id, remote_agent_id=ticket.assignee_id,
                                               row=row, remote_updated_at=ticket.updated_at))
        else:
            rows.append({"agent": code, **row})
    # A ticket now ingested (or deleted, or unassigned) no longer waits under its earlier assignee.
    PendingRemoteTicket.objects.filter(tenant_id=connection.tenant_id, connection=connection,
                                       external_id__in=[t.external_id for t in latest]).delete()
    PendingRemoteTicket.objects.bulk_create(waiting)
    counts.pending = len(waiting)
    counts.deleted = len(deleted)
    if deleted:
        tickets_mark_deleted(connection=connection, external_ids=deleted)
    rows_ingest(connection=connection, rows=rows, counts=counts)
    failures_record(run=run, counts=counts)
    return counts


def tickets_mark_deleted(*, connection: Connection, external_ids: list[str]) -> int:
    """Deleted remote tickets: the interaction stays (past scores, QA reviews and appeals may rest on it) and its
    metadata says `remote_deleted: true`; a deleted ticket never ingested is not created. One UPDATE."""
    merged = Func(F("metadata"), Value({"remote_deleted": True}, output_field=JSONField()), arg_joiner=" || ",
                  template="%(expressions)s", output_field=JSONField())
    return Interaction.objects.filter(tenant_id=connection.tenant_id, source=connection.source,
                                      external_id__in=external_ids).update(metadata=merged)


def rows_ingest(*, connection: Connection, rows: list[dict[str, Any]], counts: PageCounts) -> None:
    """Ingest `rows`; the rows that fail validation are set aside (recorded in counts) and the others written.
    At most two calls of the ingestion service: the batch, then the batch without its invalid rows."""
    if not rows:
        return
    actor = connector_actor(connection)
    try:
        result = interaction_ingest(actor=actor, rows=[(f"rows.{i}", row) for i, row in enumerate(rows)], via=VIA)
    except RowsInvalid as exc:
        bad: dict[int, list[dict[str, str]]] = {}
        for error in exc.errors:
            index = int(error.field.split(".")[1])
            bad.setdefault(index, []).append(error.as_dict() | {"field": error.field.split(".", 2)[-1]})
        counts.failed += len(bad)
        counts.failures.extend((rows[i]["external_id"], errors) for i, errors in sorted(bad.items()))
        good = [row for i, row in enumerate(rows) if i not in bad]
        if not good:
            return
        result = interaction_ingest(actor=actor, rows=[(f"rows.{i}", row) for i, row in enumerate(good)], via=VIA)
    counts.created += result.created
    counts.updated += result.updated - result.unchanged
    counts.unchanged += result.unchanged


def failures_record(*, run: ConnectionRun, counts: PageCounts) -> None:
    ConnectionTicketFailure.objects.bulk_create([
        ConnectionTicketFailure(tenant_id=run.tenant_id, run=run, external_id=external_id, errors=errors)
        for external_id, errors in counts.failures
    ])


def pending_release(*, connection: Connection, run: ConnectionRun, mappings: Mappings) -> PageCounts:
    """Ingest the waiting tickets whose remote agent is mapped now (in chunks), and forget them."""
    counts = PageCounts()
    mapped = [remote for remote, code in mappings.agents.items() if code]
    waiting = PendingRemoteTicket.objects.filter(tenant_id=connection.tenant_id, connection=connection,
                                                 remote_agent_id__in=mapped).order_by("external_id")
    for chunk in _chunks(list(waiting.values_list("pk", "remote_agent_id", "row")), 1000):
        rows = [{"agent": mappings.agents[remote], **row} for _, remote, row in chunk]
        before = counts.failed
        rows_ingest(connection=connection, rows=rows, counts=counts)
        counts.released += len(rows) - (counts.failed - before)
        PendingRemoteTicket.objects.filter(pk__in=[pk for pk, _, _ in chunk]).delete()
    failures_record(run=run, counts=counts)
    return counts


def _chunks(items: list, size: int) -> Iterable[list]:
    for start in range(0, len(items), size):
        yield items[start:start + size]

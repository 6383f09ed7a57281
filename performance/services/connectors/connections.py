"""Connection writes: create, change, delete, test the credentials, ask for a sync, and the mappings.

Credentials are encrypted (common.crypto) before they reach the database, and never enter the audit trail, a log
line or a response: only `credentials_hint` (e.g. "ops@acme.com · …x9Qa") is shown.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterable, Sequence
from itertools import islice
from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import ValidationError

from accounts.models import Agent
from common import crypto
from common.actor import Actor
from common.audit import audit_record, snapshot
from common.errors import Conflict
from performance.connectors import available_kinds
from performance.connectors.freshdesk import freshdesk_account_clean
from performance.connectors.remote import RemoteError, RemoteUser
from performance.models import (
    Connection,
    ConnectionAgent,
    ConnectionChannel,
    ConnectionRun,
    ConnectionScenario,
    ConnectionStatus,
    PendingRemoteTicket,
    RunStatus,
    RunTrigger,
    Scenario,
)
from performance.services.connectors.client import help_desk_build
from performance.services.connectors.sync import connection_run_enqueue

FIELDS = ["kind", "account", "name", "schedule_minutes", "start_date", "enabled", "csat_mapping", "status"]
CREDENTIAL_KEYS = {"zendesk": ("email", "api_token"), "freshdesk": ("api_key",)}
ACCOUNTS = {
    "zendesk": re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$"),
    "freshdesk": re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.freshdesk\.com)?$"),
}
ACCOUNT_HELP = {
    "zendesk": _("The Zendesk subdomain: \"acme\" for https://acme.zendesk.com (letters, digits and hyphens)."),
    "freshdesk": _("The Freshdesk domain: \"acme\" or \"acme.freshdesk.com\"."),
}


def _checked_kind(kind: str) -> str:
    if kind not in available_kinds():
        raise ValidationError({"kind": [_("No connector for %(kind)s in this installation.") % {"kind": kind}]})
    return kind


def _checked_account(kind: str, account: str) -> str:
    account = account.strip().lower()
    if not ACCOUNTS[kind].match(account):
        raise ValidationError({"account": [ACCOUNT_HELP[kind]]})
    return freshdesk_account_clean(account) if kind == "freshdesk" else account  # "acme" → acme.freshdesk.com


def _checked_credentials(kind: str, credentials: dict[str, Any]) -> dict[str, str]:
    keys = CREDENTIAL_KEYS[kind]
    errors = {f"credentials.{key}": [_("This field is required.")] for key in keys
              if not str(credentials.get(key) or "").strip()}
    errors |= {f"credentials.{key}": [_("Unknown field.")] for key in credentials if key not in keys}
    if errors:
        raise ValidationError(errors)
    return {key: str(credentials[key]).strip() for key in keys}


def credentials_hint(kind: str, credentials: dict[str, str]) -> str:
    """What the API shows of the credentials: the Zendesk email and the secret's last four characters."""
    secret = credentials.get("api_token") or credentials.get("api_key") or ""
    tail = f"…{secret[-4:]}" if len(secret) >= 12 else "…"
    return f"{credentials['email']} · {tail}" if kind == "zendesk" else tail


def _set_credentials(connection: Connection, credentials: dict[str, Any]) -> None:
    clean = _checked_credentials(connection.kind, credentials)
    connection.credentials_encrypted = crypto.encrypt(json.dumps(clean))
    connection.credentials_hint = credentials_hint(connection.kind, clean)


def _checked_csat(mapping: dict[str, Any] | None) -> dict[str, int]:
    mapping = mapping or {}
    bad = [key for key, value in mapping.items() if type(value) is not int or not 1 <= value <= 5]
    if bad:
        raise ValidationError({"csat_mapping": [_("Map each satisfaction value to a whole number from 1 to 5.")]})
    return {str(key).lower(): value for key, value in mapping.items()}


def _save(connection: Connection) -> Connection:
    connection.full_clean(exclude=["tenant", "created_by", "running_run"], validate_unique=False)
    if Connection.objects.filter(tenant_id=connection.tenant_id, kind=connection.kind,
                                 account=connection.account).exclude(pk=connection.pk).exists():
        raise ValidationError({"account": [_("This tenant already has a connection to this account.")]})
    connection.save()
    return connection


@transaction.atomic
def connection_create(*, actor: Actor, kind: str, account: str, credentials: dict[str, Any], start_date: dt.date,
                      name: str = "", schedule_minutes: int = 15, enabled: bool = True,
                      csat_mapping: dict[str, int] | None = None) -> Connection:
    """A new connection; the first run is due at once (the beat sweep picks it up) when enabled."""
    kind = _checked_kind(kind)
    connection = Connection(tenant=actor.tenant, kind=kind, account=_checked_account(kind, account), name=name,
                            schedule_minutes=schedule_minutes, start_date=start_date, enabled=enabled,
                            csat_mapping=_checked_csat(csat_mapping), created_by=actor.user)
    _set_credentials(connection, credentials)
    _save(connection)
    audit_record(actor=actor, action="connection.created", obj=connection, after=snapshot(connection, FIELDS))
    return connection


@transaction.atomic
def connection_update(*, actor: Actor, connection: Connection, **changes: Any) -> Connection:
    """Change settings or credentials. New credentials clear needs_attention (the next run tries them)."""
    connection = Connection.objects.select_for_update().get(pk=connection.pk)
    before = snapshot(connection, FIELDS)
    credentials_changed = "credentials" in changes
    if credentials_changed:
        _set_credentials(connection, changes.pop("credentials"))
        if connection.status == ConnectionStatus.NEEDS_ATTENTION:
            connection.status, connection.last_error, connection.next_run_at = ConnectionStatus.NEW, "", None
    if "csat_mapping" in changes:
        changes["csat_mapping"] = _checked_csat(changes["csat_mapping"])
    if "start_date" in changes and connection.cursor is not None and changes["start_date"] != connection.start_date:
        raise ValidationError({"start_date": [_("The first sync already ran; the start date can no longer change.")]})
    for name, value in changes.items():
        setattr(connection, name, value)
    _save(connection)
    audit_record(actor=actor, action="connection.updated", obj=connection, before=before,
                 after=snapshot(connection, FIELDS) | ({"credentials": "changed"} if credentials_changed else {}))
    return connection


@transaction.atomic
def connection_delete(*, actor: Actor, connection: Connection) -> None:
    """Delete the connection, its mappings, runs and waiting tickets; the interactions it wrote stay."""
    if connection.running_run_id is not None and ConnectionRun.objects.filter(
            pk=connection.running_run_id, status=RunStatus.RUNNING).exists():
        raise Conflict(_("A sync is running; delete the connection once it has finished."), code="run_in_progress")
    audit_record(actor=actor, action="connection.deleted", obj=connection, before=snapshot(connection, FIELDS))
    Connection.objects.filter(pk=connection.pk).update(running_run=None)
    connection.delete()


def connection_test(*, actor: Actor, connection: Connection) -> dict[str, Any]:
    """Call the remote with the saved credentials: {ok, remote_user, error, remote_agents}. When they work, the
    remote's agents are listed too (remote-agents/), so they can be mapped before the first sync."""
    help_desk = help_desk_build(connection=connection)
    remote_agents = 0
    try:
        remote_user, error = help_desk.check(), ""
        remote_agents = remote_agents_refresh(connection=connection, users=help_desk.users())
    except RemoteError as exc:  # RemoteAuthError included: the message says the credentials were refused
        remote_user, error = "", str(exc)
    audit_record(actor=actor, action="connection.tested", obj=connection, after={"ok": not error})
    return {"ok": not error, "remote_user": remote_user, "error": error, "remote_agents": remote_agents}


MAX_REMOTE_AGENTS = 5000


def remote_agents_refresh(*, connection: Connection, users: Iterable[RemoteUser]) -> int:
    """Record the remote's agents not seen yet (auto-mapped when their email is a jixiao agent's user email);
    how many the remote listed (at most MAX_REMOTE_AGENTS are read)."""
    listed = list(islice(users, MAX_REMOTE_AGENTS))
    emails = {user.email.lower() for user in listed if user.email}
    agents = {email.lower(): pk for email, pk in Agent.objects.filter(
        tenant_id=connection.tenant_id, is_active=True, user__email__in=emails).values_list("user__email", "pk")}
    ConnectionAgent.objects.bulk_create([
        ConnectionAgent(tenant_id=connection.tenant_id, connection=connection, remote_id=user.remote_id[:64],
                        email=user.email[:254], name=user.name[:200], agent_id=agents.get(user.email.lower()))
        for user in listed], ignore_conflicts=True)
    return len(listed)


@transaction.atomic
def connection_sync_request(*, actor: Actor, connection: Connection) -> ConnectionRun:
    """Queue a run now (on demand); 409 while one is queued or running."""
    connection = Connection.objects.select_for_update().get(pk=connection.pk)
    if ConnectionRun.objects.filter(connection=connection, status__in=[RunStatus.QUEUED, RunStatus.RUNNING]).exists():
        raise Conflict(_("A sync of this connection is already queued or running."), code="run_in_progress")
    run = connection_run_enqueue(connection=connection, trigger=RunTrigger.MANUAL, requested_by=actor.user)
    audit_record(actor=actor, action="connection.sync_requested", obj=connection, after={"run": run.pk})
    return run


@transaction.atomic
def connection_mappings_replace(*, actor: Actor, connection: Connection, channels: Sequence[dict[str, str]],
                                scenarios: Sequence[dict[str, Any]], csat: dict[str, int]) -> Connection:
    """Replace the channel, scenario and csat mappings as a whole; they apply to tickets synced from now on."""
    connection = Connection.objects.select_for_update().get(pk=connection.pk)
    codes = {item["scenario"] for item in scenarios}
    known = dict(Scenario.objects.filter(tenant_id=connection.tenant_id, code__in=codes).values_list("code", "pk"))
    missing = sorted(codes - set(known))
    if missing:
        raise ValidationError({"scenarios": [_("Unknown scenario codes: %(codes)s.") % {"codes": ", ".join(missing)}]})
    ConnectionChannel.objects.filter(connection=connection).delete()
    ConnectionScenario.objects.filter(connection=connection).delete()
    ConnectionChannel.objects.bulk_create([
        ConnectionChannel(tenant_id=connection.tenant_id, connection=connection, remote_value=item["remote_value"],
                          channel=item["channel"]) for item in channels])
    ConnectionScenario.objects.bulk_create([
        ConnectionScenario(tenant_id=connection.tenant_id, connection=connection, match=item["match"],
                           remote_value=item["remote_value"], scenario_id=known[item["scenario"]], position=position)
        for position, item in enumerate(scenarios)])
    connection.csat_mapping = _checked_csat(csat)
    connection.save(update_fields=["csat_mapping", "updated_at"])
    audit_record(actor=actor, action="connection.mappings_replaced", obj=connection, after={
        "channels": list(channels), "scenarios": list(scenarios), "csat": connection.csat_mapping})
    return connection


@transaction.atomic
def connection_agent_map(*, actor: Actor, connection: Connection, remote_id: str, email: str = "",
                         agent: Agent | None) -> ConnectionAgent:
    """Map a remote agent (by remote id; created if not seen yet) to a jixiao agent, or unmap it (agent None).
    When the agent has tickets waiting, a run is queued to ingest them."""
    if agent is not None and agent.tenant_id != connection.tenant_id:
        raise ValidationError({"agent": [_("No such agent in this tenant.")]})
    remote, _created = ConnectionAgent.objects.select_for_update().get_or_create(
        tenant_id=connection.tenant_id, connection=connection, remote_id=remote_id, defaults={"email": email})
    before = {"agent": remote.agent_id}
    remote.agent = agent
    if email:
        remote.email = email
    remote.full_clean(exclude=["tenant", "connection", "agent"])
    remote.save()
    audit_record(actor=actor, action="connection.agent_mapped", obj=connection, before=before,
                 after={"remote_id": remote_id, "agent": remote.agent_id})
    waiting = PendingRemoteTicket.objects.filter(connection=connection, remote_agent_id=remote_id).exists()
    busy = ConnectionRun.objects.filter(connection=connection, status=RunStatus.QUEUED).exists()
    if agent is not None and waiting and not busy:
        connection_run_enqueue(connection=connection, trigger=RunTrigger.MAPPING, requested_by=actor.user)
    return remote

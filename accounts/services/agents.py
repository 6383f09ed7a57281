from __future__ import annotations

from typing import Any

from django.db import transaction
from rest_framework.exceptions import ValidationError

from accounts.models import Agent
from common.actor import Actor
from common.audit import audit_record, snapshot

FIELDS = ["team", "employee_code", "display_name", "user", "is_active", "hired_on"]


def _build(actor: Actor, data: dict[str, Any]) -> Agent:
    agent = Agent(tenant=actor.tenant, **data)
    agent.full_clean()
    return agent


@transaction.atomic
def agent_create(*, actor: Actor, **data: Any) -> Agent:
    agent = _build(actor, data)
    agent.save()
    audit_record(actor=actor, action="agent.created", obj=agent, after=snapshot(agent, FIELDS))
    return agent


@transaction.atomic
def agent_bulk_create(*, actor: Actor, rows: list[dict[str, Any]]) -> list[Agent]:
    """Create all rows or none; errors come back per row index."""
    codes = [row["employee_code"] for row in rows]
    errors: dict[str, Any] = {}
    seen: set[str] = set()
    for index, code in enumerate(codes):
        if code in seen:
            errors[str(index)] = {"employee_code": ["Duplicate employee code in this batch."]}
        seen.add(code)
    existing = Agent.objects.filter(tenant=actor.tenant, employee_code__in=codes)
    taken = set(existing.values_list("employee_code", flat=True))
    for index, code in enumerate(codes):
        if code in taken:
            errors[str(index)] = {"employee_code": ["An agent with this employee code already exists."]}
    if errors:
        raise ValidationError({"agents": errors})
    agents = Agent.objects.bulk_create([Agent(tenant=actor.tenant, **row) for row in rows])
    for agent in agents:
        audit_record(actor=actor, action="agent.created", obj=agent, after=snapshot(agent, FIELDS))
    return agents


@transaction.atomic
def agent_update(*, actor: Actor, agent: Agent, **changes: Any) -> Agent:
    before = snapshot(agent, FIELDS)
    for name, value in changes.items():
        setattr(agent, name, value)
    agent.full_clean()
    agent.save()
    audit_record(actor=actor, action="agent.updated", obj=agent, before=before, after=snapshot(agent, FIELDS))
    return agent


@transaction.atomic
def agent_delete(*, actor: Actor, agent: Agent) -> None:
    audit_record(actor=actor, action="agent.deleted", obj=agent, before=snapshot(agent, FIELDS))
    agent.delete()

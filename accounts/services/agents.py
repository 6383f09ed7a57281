from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import PermissionDenied, ValidationError

from accounts.models import AGENT_LOGIN_RULE, Agent, User, agent_logins_refused
from common.actor import Actor
from common.audit import audit_record, snapshot

FIELDS = ["team", "employee_code", "display_name", "user", "is_active", "hired_on"]


def _check_login_change(actor: Actor, current_user_id: int | None, user: User | None) -> None:
    """Only admins link an agent record to a login (or change or remove the link)."""
    if (user.pk if user else None) != current_user_id and not actor.is_admin:
        raise PermissionDenied(_("Only admins may link an agent record to a login: your role, %(label)s (%(role)s), "
                                 "cannot set or change the field 'user'.") % {"label": actor.role_label,
                                                                              "role": actor.role})


def _build(actor: Actor, data: dict[str, Any]) -> Agent:
    _check_login_change(actor, None, data.get("user"))
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
            errors[str(index)] = {"employee_code": [_("This employee code appears more than once in this batch.")]}
        seen.add(code)
    existing = Agent.objects.filter(tenant=actor.tenant, employee_code__in=codes)
    taken = set(existing.values_list("employee_code", flat=True))
    for index, code in enumerate(codes):
        if code in taken:
            errors[str(index)] = {"employee_code": [_("An agent with this employee code already exists.")]}
    for index, row_errors in _bulk_login_errors(actor, rows).items():
        errors.setdefault(index, {}).update(row_errors)
    if errors:
        raise ValidationError({"agents": errors})
    agents = Agent.objects.bulk_create([Agent(tenant=actor.tenant, **row) for row in rows])
    for agent in agents:
        audit_record(actor=actor, action="agent.created", obj=agent, after=snapshot(agent, FIELDS))
    return agents


def _bulk_login_errors(actor: Actor, rows: list[dict[str, Any]]) -> dict[str, Any]:
    """The login rules of single creates (Agent.clean, unique link), checked for the whole batch in two queries."""
    for row in rows:
        _check_login_change(actor, None, row.get("user"))
    user_ids = [row["user"].pk for row in rows if row.get("user")]
    if not user_ids:
        return {}
    refused = agent_logins_refused(actor.tenant.pk, user_ids)
    linked = set(Agent.objects.filter(tenant=actor.tenant, user_id__in=user_ids).values_list("user_id", flat=True))
    errors, seen = {}, set()
    for index, row in enumerate(rows):
        user_id = row["user"].pk if row.get("user") else None
        if user_id in refused:
            errors[str(index)] = {"user": [AGENT_LOGIN_RULE]}
        elif user_id in linked or user_id in seen:
            errors[str(index)] = {"user": [_("This login is already linked to another agent record.")]}
        if user_id:
            seen.add(user_id)
    return errors


@transaction.atomic
def agent_update(*, actor: Actor, agent: Agent, **changes: Any) -> Agent:
    if "user" in changes:
        _check_login_change(actor, agent.user_id, changes["user"])
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

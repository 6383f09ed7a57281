from __future__ import annotations

from django.db import transaction

from accounts.models import Team
from common.actor import Actor
from common.audit import audit_record, snapshot

FIELDS = ["name", "description"]


@transaction.atomic
def team_create(*, actor: Actor, name: str, description: str = "") -> Team:
    team = Team(tenant=actor.tenant, name=name, description=description)
    team.full_clean()
    team.save()
    audit_record(actor=actor, action="team.created", obj=team, after=snapshot(team, FIELDS))
    return team


@transaction.atomic
def team_update(*, actor: Actor, team: Team, **changes) -> Team:
    before = snapshot(team, FIELDS)
    for name, value in changes.items():
        setattr(team, name, value)
    team.full_clean()
    team.save()
    audit_record(actor=actor, action="team.updated", obj=team, before=before, after=snapshot(team, FIELDS))
    return team


@transaction.atomic
def team_delete(*, actor: Actor, team: Team) -> None:
    """Delete an empty team; a team with agents is refused (409) by the PROTECT foreign key."""
    before = snapshot(team, FIELDS)
    audit_record(actor=actor, action="team.deleted", obj=team, before=before)
    team.delete()

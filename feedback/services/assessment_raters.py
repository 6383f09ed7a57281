"""Who rates whom in a 360 assessment campaign: the supervisors granted `manage` on the agent's team, the chosen
peers (other agents of the same team with a login) and the agent itself (when linked to a login). Used when a
campaign starts and when raters are added to an open one."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import ValidationError

from accounts.models import Agent, Membership, TeamGrant
from feedback.models import AssessmentCampaign, AssessmentRequest, RaterKind


def supervisors_of(tenant_id: int, team_ids: set[int]) -> dict[int, list[int]]:
    """Team id -> user ids of the active supervisors granted `manage` on it (one query)."""
    supervisors = Membership.objects.active().filter(tenant_id=tenant_id, role="supervisor").values("user_id")
    rows = TeamGrant.objects.filter(tenant_id=tenant_id, content_object_id__in=team_ids,
                                    permission__codename="manage_team", user_id__in=supervisors).values_list(
        "content_object_id", "user_id").order_by("content_object_id", "user_id").distinct()
    out: dict[int, list[int]] = {}
    for team_id, user_id in rows:
        out.setdefault(team_id, []).append(user_id)
    return out


def requests_for(campaign: AssessmentCampaign, agents: list[Agent],
                 peers: dict[int, list[Agent]]) -> list[AssessmentRequest]:
    """Unsaved requests: for each of `agents` its supervisors and itself, and for every agent in `peers` its peers."""
    supervisors = supervisors_of(campaign.tenant_id, {a.team_id for a in agents if a.team_id})
    rows = []

    def request(agent_id: int, kind: str, user_id: int) -> AssessmentRequest:
        return AssessmentRequest(tenant_id=campaign.tenant_id, campaign=campaign, agent_id=agent_id, rater_kind=kind,
                                 rater_id=user_id)

    for agent in agents:
        rows += [request(agent.pk, RaterKind.SUPERVISOR, user_id) for user_id in supervisors.get(agent.team_id, [])
                 if user_id != agent.user_id]
        if agent.user_id:
            rows.append(request(agent.pk, RaterKind.SELF, agent.user_id))
    for agent_id, chosen in peers.items():
        rows += [request(agent_id, RaterKind.PEER, peer.user_id) for peer in chosen]
    return rows


def check_peers(agents: dict[int, Agent], raters: list[dict]) -> dict[int, list[Agent]]:
    """Assessed agent id -> its chosen peers (deduplicated), or a 400 naming the rows that break the rules."""
    errors: dict[str, Any] = {}
    peers: dict[int, list[Agent]] = {}
    for index, row in enumerate(raters):
        agent = row["agent"]
        if agent.pk not in agents:
            errors[f"raters.{index}.agent"] = [_("This agent is not assessed in the campaign.")]
            continue
        for peer in row["peers"]:
            if peer.pk == agent.pk or peer.team_id != agent.team_id or peer.team_id is None or not peer.user_id:
                errors[f"raters.{index}.peers"] = [_("Peers are other agents of the same team with a login.")]
        peers.setdefault(agent.pk, [])
        peers[agent.pk] += [p for p in {p.pk: p for p in row["peers"]}.values() if p not in peers[agent.pk]]
    if errors:
        raise ValidationError(errors)
    return peers

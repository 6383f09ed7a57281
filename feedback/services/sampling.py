"""QA sampling: pick K interactions (or P%) per agent, seeded and reproducible, and share them out evenly
over the chosen inspectors.

Every random choice is a SHA-256 of the seed and the ids involved, so the same seed over the same
interactions always gives the same picks and the same inspectors, on any machine or Python version.
"""

from __future__ import annotations

import hashlib
import math
import secrets
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.db.models import Count, Exists, OuterRef
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext_lazy
from rest_framework.exceptions import ValidationError

from accounts.models import Agent, Team, User
from common.actor import Actor
from common.audit import audit_record
from common.errors import Conflict
from feedback.models import AssignmentStatus, QAAssignment, QAAssignmentBatch, QAReview
from performance.models import Interaction

MAX_DAYS = 366
# How an assignment's status reads at the end of a refusal ("...; this one is skipped.").
STATUS_WORDS = {
    AssignmentStatus.DONE: pgettext_lazy("assignment status in a sentence", "done"),
    AssignmentStatus.SKIPPED: pgettext_lazy("assignment status in a sentence", "skipped"),
}


@dataclass(frozen=True)
class Candidate:
    id: int
    agent_id: int
    team_id: int | None
    channel: str
    day: date


def _rank(seed: int, *parts: Any) -> bytes:
    return hashlib.sha256(":".join(str(p) for p in (seed, *parts)).encode()).digest()


def _round_robin(iterators: list[Iterator]) -> Iterator:
    while iterators:
        for iterator in list(iterators):
            item = next(iterator, None)
            if item is None:
                iterators.remove(iterator)
            else:
                yield item


def pick_for_agent(candidates: Sequence[Candidate], k: int, seed: int) -> list[Candidate]:
    """Up to `k` of one agent's candidates, spread over channels first and days second.

    Channels take turns (in a seeded order); within a channel, days take turns; within a day the
    interactions come in a seeded order.
    """
    by_channel: dict[str, dict[date, list[Candidate]]] = defaultdict(lambda: defaultdict(list))
    for candidate in candidates:
        by_channel[candidate.channel][candidate.day].append(candidate)
    agent = candidates[0].agent_id if candidates else None
    channel_streams = []
    for channel in sorted(by_channel, key=lambda c: _rank(seed, agent, c)):
        days = by_channel[channel]
        ordered_days = sorted(days, key=lambda d: _rank(seed, agent, channel, d))
        day_streams = [iter(sorted(days[d], key=lambda c: _rank(seed, c.id))) for d in ordered_days]
        channel_streams.append(_round_robin(day_streams))
    picks = []
    for candidate in _round_robin(channel_streams):
        if len(picks) == k:
            break
        picks.append(candidate)
    return picks


def distribute(
    picks_per_agent: dict[int, list[Candidate]], inspector_ids: Sequence[int], agent_users: dict[int, int | None],
    seed: int,
) -> list[tuple[Candidate, int | None]]:
    """Deal the picks, agent after agent, to the inspectors in turn (the least-loaded eligible inspector,
    ties going to the next in turn), skipping an inspector for their own interactions (None when nobody
    else can take one). Loads end up within one of each other whenever the exclusions allow it, and each
    agent's picks are spread over the inspectors."""
    inspectors = sorted(inspector_ids, key=lambda i: _rank(seed, "inspector", i))
    load = dict.fromkeys(inspectors, 0)
    turn = 0
    out = []
    # Agents who are also inspectors go first: their picks have fewer takers, the others then even out.
    constrained = set(load)
    agents = sorted(picks_per_agent, key=lambda a: (agent_users.get(a) not in constrained, _rank(seed, "agent", a)))
    for agent in agents:
        for candidate in picks_per_agent[agent]:
            eligible = [
                (load[i], (position - turn) % len(inspectors), position)
                for position, i in enumerate(inspectors) if i != agent_users.get(agent)
            ]
            if not eligible:
                out.append((candidate, None))
                continue
            _, _, position = min(eligible)
            chosen = inspectors[position]
            load[chosen] += 1
            turn = position + 1
            out.append((candidate, chosen))
    return out


def _bounds(actor: Actor, date_from: date, date_to: date) -> tuple[datetime, datetime]:
    if date_to <= date_from:
        raise ValidationError({"date_to": [_("Must be after date_from.")]})
    if (date_to - date_from).days > MAX_DAYS:
        raise ValidationError({"date_to": [ngettext("The range may cover at most %(n)d day.",
                                                    "The range may cover at most %(n)d days.", MAX_DAYS)
                                           % {"n": MAX_DAYS}]})
    zone = actor.tenant.zone
    return datetime.combine(date_from, time.min, zone), datetime.combine(date_to, time.min, zone)


def _candidates(actor: Actor, start: datetime, end: datetime, team_ids: list[int]) -> list[Candidate]:
    reviewed = QAReview.objects.filter(interaction=OuterRef("pk"), is_current=True, calibration__isnull=True)
    assigned = QAAssignment.objects.filter(interaction=OuterRef("pk")).exclude(status=AssignmentStatus.SKIPPED)
    rows = (
        Interaction.objects.filter(tenant=actor.tenant, team_id__in=team_ids, answered=True,
                                   started_at__gte=start, started_at__lt=end)
        .filter(~Exists(reviewed), ~Exists(assigned))
        .annotate(day=TruncDate("started_at", tzinfo=actor.tenant.zone))
        .order_by("agent_id", "id")
        .values_list("id", "agent_id", "team_id", "channel", "day")
    )
    return [Candidate(*row) for row in rows]


def _quota(per_agent: int | None, percent: Decimal | None, handled: int) -> int:
    if per_agent is not None:
        return per_agent
    return math.ceil(Decimal(handled) * percent / 100)


@transaction.atomic
def qa_assignments_generate(
    *, actor: Actor, date_from: date, date_to: date, teams: Sequence[Team], inspectors: Sequence[User],
    per_agent: int | None = None, percent: Decimal | None = None, seed: int | None = None,
) -> QAAssignmentBatch:
    """Sample the answered interactions of `teams` started in [date_from, date_to) (tenant time zone) and
    assign them to `inspectors`.

    Per agent: `per_agent` interactions, or `percent` of the agent's answered interactions in the range
    (rounded up) — at most what is eligible. Interactions already reviewed (outside calibration) or
    assigned are skipped. No inspector gets an interaction they handled. The seed (random when not
    given) is stored with the batch: the same seed over the same data gives the same batch.
    """
    if (per_agent is None) == (percent is None):
        raise ValidationError({"per_agent": [_("Give either per_agent or percent.")]})
    start, end = _bounds(actor, date_from, date_to)
    if not inspectors:
        raise ValidationError({"inspectors": [_("Choose at least one inspector.")]})
    seed = secrets.randbelow(2**31) if seed is None else seed
    team_ids = sorted({team.pk for team in teams})
    inspector_ids = sorted({user.pk for user in inspectors})
    with connection.cursor() as cursor:  # one sampler per tenant at a time: picks must not overlap
        cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [1_071_001, actor.tenant.pk])

    candidates = _candidates(actor, start, end, team_ids)
    per_agent_candidates: dict[int, list[Candidate]] = defaultdict(list)
    for candidate in candidates:
        per_agent_candidates[candidate.agent_id].append(candidate)
    handled = {}
    if percent is not None:
        handled = dict(
            Interaction.objects.filter(tenant=actor.tenant, team_id__in=team_ids, answered=True,
                                       started_at__gte=start, started_at__lt=end)
            .values("agent_id").order_by().annotate(n=Count("pk")).values_list("agent_id", "n")
        )
    picks = {
        agent_id: pick_for_agent(rows, _quota(per_agent, percent, handled.get(agent_id, 0)), seed)
        for agent_id, rows in per_agent_candidates.items()
    }
    agent_users = dict(Agent.objects.filter(pk__in=list(picks)).values_list("pk", "user_id"))
    dealt = distribute(picks, inspector_ids, agent_users, seed)

    batch = QAAssignmentBatch(
        tenant=actor.tenant, date_from=date_from, date_to=date_to, team_ids=team_ids, inspector_ids=inspector_ids,
        per_agent=per_agent, percent=percent, seed=seed, candidates=len(candidates),
        picked=sum(1 for _, inspector in dealt if inspector is not None),
        unassigned=sum(1 for _, inspector in dealt if inspector is None), created_by=actor.user,
    )
    batch.full_clean()
    batch.save()
    QAAssignment.objects.bulk_create(
        QAAssignment(tenant=actor.tenant, batch=batch, interaction_id=c.id, agent_id=c.agent_id, team_id=c.team_id,
                     inspector_id=inspector)
        for c, inspector in dealt if inspector is not None
    )
    audit_record(actor=actor, action="qa_assignments.generated", obj=batch, after={
        "date_from": date_from, "date_to": date_to, "teams": team_ids, "inspectors": inspector_ids,
        "per_agent": per_agent, "percent": percent, "seed": seed, "candidates": batch.candidates,
        "picked": batch.picked, "unassigned": batch.unassigned,
    })
    return batch


@transaction.atomic
def qa_assignment_skip(*, actor: Actor, assignment: QAAssignment, reason: str) -> QAAssignment:
    """Take a pending assignment out of the queue, with a reason (the interaction may be sampled again)."""
    if not reason or not reason.strip():
        raise ValidationError({"reason": [_("Say why the assignment is skipped.")]})
    assignment = QAAssignment.objects.select_for_update().get(pk=assignment.pk)
    if assignment.status != AssignmentStatus.PENDING:
        raise Conflict(_("Only a pending assignment can be skipped; this one is %(status)s.")
                       % {"status": STATUS_WORDS[assignment.status]})
    assignment.status = AssignmentStatus.SKIPPED
    assignment.skip_reason = reason.strip()
    assignment.completed_at = timezone.now()
    assignment.save(update_fields=["status", "skip_reason", "completed_at", "updated_at"])
    audit_record(actor=actor, action="qa_assignment.skipped", obj=assignment,
                 after={"status": assignment.status, "reason": assignment.skip_reason})
    return assignment

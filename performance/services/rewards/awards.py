"""Awards: written by the computation job, corrected after close, proposed by supervisors, approved and paid.

| status   | → to       | by                          | when                                                      |
| -------- | ---------- | --------------------------- | --------------------------------------------------------- |
| pending  | approved   | admin (one or in bulk)      | rule and adjustment awards: once the period is closed      |
| pending  | rejected   | admin                       | discretionary proposals only                              |
| approved | paid       | admin (one or in bulk)      | any time                                                  |

Rule awards of a period that is not closed are provisional: each computation (and each appeal adjustment)
evaluates the rules again and replaces them when anything differs. After close they never change: a score
adjustment adds `adjustment` awards for the differences the rules now give (never a silent change).
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop
from rest_framework.exceptions import PermissionDenied, ValidationError

from accounts.models import Agent
from accounts.querysets import granted_teams
from common.actor import Actor
from common.audit import audit_record
from common.errors import Conflict
from common.notifications.selectors import tenant_admin_ids
from common.notifications.services import notify
from common.webhooks.services import webhook_emit
from performance.models import (
    Award,
    AwardSource,
    AwardStatus,
    KpiPeriod,
    PeriodStatus,
    RewardOutcome,
    ScoreAdjustment,
    ScoreRevision,
)
from performance.services.rewards.evaluation import RuleResult, evaluate_rules
from performance.services.rewards.inputs import reward_inputs
from performance.services.rewards.money import money_round
from performance.services.rewards.rules import rule_spec_of, rule_versions_effective

MESSAGES = {
    "award.proposed": gettext_noop("A discretionary award for %(agent)s in period %(period)s awaits approval."),
    "award.approved": gettext_noop("Your award in period %(period)s was approved: %(amount)s %(currency)s "
                                   "%(title)s."),
    "award.rejected": gettext_noop("The award you proposed for %(agent)s in period %(period)s was rejected."),
    "award.paid": gettext_noop("Your award in period %(period)s was paid: %(amount)s %(currency)s."),
}
MAX_BULK = 1000


def evaluate_period(*, period: KpiPeriod, revision: ScoreRevision, versions=None) -> list[RuleResult]:
    """The rule versions in effect on the period's first day (or `versions`: RuleSpecs), evaluated on `revision`."""
    specs = versions if versions is not None else [
        rule_spec_of(v) for v in rule_versions_effective(tenant_id=period.tenant_id, on=period.start)]
    if not specs:
        return []
    return evaluate_rules(specs, reward_inputs(period=period, revision=revision, rules=specs))


def _key(award, explanation, currency: str) -> tuple:
    return (award.rule_version_id, award.agent_id, award.team_id, str(money_round(award.amount, currency)),
            award.title, explanation)


def _normalized(value):
    # What JSON storage gives back: the same comparison for drafts and stored rows.
    import json

    return json.loads(json.dumps(value, default=str))


def period_awards_refresh(*, period: KpiPeriod, revision: ScoreRevision | None) -> int:
    """The computation's award step (inside its last transaction, period row locked): evaluate the rules on the
    revision and replace the period's provisional rule awards and outcomes if anything differs. Returns the number
    of rule awards. Closed periods are never touched here."""
    if revision is None or period.status == PeriodStatus.CLOSED:
        return 0
    results = evaluate_period(period=period, revision=revision)
    currency = period.tenant.currency
    drafts = [(a, _normalized(a.explanation)) for r in results for a in r.awards]
    existing = Award.objects.filter(period=period, source=AwardSource.RULE)
    stored = sorted((_key(a, a.explanation, currency) for a in existing), key=str)
    fresh = sorted((_key(a, e, currency) for a, e in drafts), key=str)
    outcome_rows = [o for r in results for o in r.outcomes]
    if stored == fresh and RewardOutcome.objects.filter(period=period).count() == len(outcome_rows):
        existing.update(revision=revision)
        return len(drafts)
    existing.delete()
    RewardOutcome.objects.filter(period=period).delete()
    Award.objects.bulk_create([
        Award(tenant_id=period.tenant_id, period=period, agent_id=a.agent_id, team_id=a.team_id,
              source=AwardSource.RULE, rule_version_id=a.rule_version_id, revision=revision, amount=a.amount,
              currency=currency, title=a.title, explanation=explanation, position=a.position)
        for a, explanation in drafts
    ])
    RewardOutcome.objects.bulk_create([
        RewardOutcome(tenant_id=period.tenant_id, period=period, rule_version_id=o.rule_version_id,
                      agent_id=o.agent_id, team_id=o.team_id, code=o.code, awarded=o.awarded,
                      explanation=_normalized(o.explanation))
        for o in outcome_rows
    ])
    return len(drafts)


def awards_after_score_adjustment(*, actor: Actor, period: KpiPeriod, adjustment: ScoreAdjustment) -> list[Award]:
    """A score changed by an adjustment: an open period's provisional awards are evaluated again; a closed
    period gets adjustment awards for every difference (amount or title) the rules now give, next to the frozen
    ones. Returns the adjustment awards written."""
    revision = period.current_revision
    if period.status != PeriodStatus.CLOSED:
        period_awards_refresh(period=period, revision=revision)
        return []
    versions = [rule_spec_of(v) for v in rule_versions_effective(tenant_id=period.tenant_id, on=period.start)
                if Award.objects.filter(period=period, rule_version=v).exists()
                or RewardOutcome.objects.filter(period=period, rule_version=v).exists()]
    results = evaluate_period(period=period, revision=revision, versions=versions)
    current: dict[tuple, list[Award]] = {}
    for award in Award.objects.filter(period=period, source__in=[AwardSource.RULE, AwardSource.ADJUSTMENT]).exclude(
            status=AwardStatus.REJECTED).order_by("created_at", "id"):
        current.setdefault((award.rule_version_id, award.agent_id, award.team_id), []).append(award)
    wanted = {(a.rule_version_id, a.agent_id, a.team_id): a for r in results for a in r.awards}
    written = []
    for key in sorted(set(current) | set(wanted), key=str):
        rows, draft = current.get(key, []), wanted.get(key)
        had = sum((row.amount for row in rows), Decimal(0))
        had_title = next((row.title for row in reversed(rows) if row.title), "")
        amount, title = (draft.amount, draft.title) if draft else (Decimal(0), "")
        if amount == had and title == had_title:
            continue
        original = next((row for row in rows if row.source == AwardSource.RULE), None)
        written.append(Award(
            tenant_id=period.tenant_id, period=period, agent_id=key[1], team_id=key[2], source=AwardSource.ADJUSTMENT,
            rule_version_id=key[0], revision=revision, adjusts=original, score_adjustment=adjustment,
            amount=amount - had, currency=period.tenant.currency, title=title if title != had_title else "",
            explanation=_normalized({"score_adjustment": adjustment.pk, "previous_amount": str(had),
                                     "new_amount": str(amount), "previous_title": had_title, "new_title": title,
                                     "now": draft.explanation if draft else None}),
            proposed_by=actor.user))
    Award.objects.bulk_create(written)
    RewardOutcome.objects.filter(period=period).delete()
    RewardOutcome.objects.bulk_create([
        RewardOutcome(tenant_id=period.tenant_id, period=period, rule_version_id=o.rule_version_id,
                      agent_id=o.agent_id, team_id=o.team_id, code=o.code, awarded=o.awarded,
                      explanation=_normalized(o.explanation))
        for r in results for o in r.outcomes])
    for award in written:
        audit_record(actor=actor, action="award.adjusted", obj=award, after=_snapshot(award))
    return written


def _snapshot(award: Award) -> dict:
    return {"period": award.period_id, "agent": award.agent_id, "team": award.team_id, "source": award.source,
            "rule_version": award.rule_version_id, "status": award.status, "amount": str(award.amount),
            "currency": award.currency, "title": award.title}


def award_payload(award: Award) -> dict:
    return {"award": {"id": award.pk, **_snapshot(award), "amount": str(money_round(award.amount, award.currency))}}


def _recipients(award: Award) -> list[int]:
    if award.agent_id:
        return [award.agent.user_id] if award.agent.user_id else []
    return list(Agent.objects.filter(team_id=award.team_id, user__isnull=False).values_list("user_id", flat=True))


def _announce(award: Award, event: str, recipients: Iterable[int], actor: Actor) -> None:
    users = [u for u in dict.fromkeys(recipients) if u is not None and u != (actor.user.pk if actor.user else None)]
    who = award.agent.display_name if award.agent_id else (award.team.name if award.team_id else "")
    notify(tenant=actor.tenant, recipients=users, event=event, obj=award, message=MESSAGES[event],
           params={"period": award.period.name, "agent": who, "title": award.title,
                   "amount": str(money_round(award.amount, award.currency)), "currency": award.currency})
    webhook_emit(tenant=actor.tenant, event=event, payload=award_payload(award))


def _locked(awards: Iterable[Award]) -> list[Award]:
    ids = [a.pk for a in awards]
    rows = Award.objects.select_for_update(of=("self",)).select_related("period", "agent", "team").filter(pk__in=ids)
    return list(rows.order_by("pk"))


def _refuse(awards: list[Award], allowed_from: str, message, code: str, check=None) -> None:
    wrong = [a.pk for a in awards if a.status != allowed_from or (check and not check(a))]
    if wrong:
        raise Conflict(message % {"ids": ", ".join(map(str, wrong))}, code=code)


def _provisional(award: Award) -> bool:
    return award.source != AwardSource.DISCRETIONARY and award.period.status != PeriodStatus.CLOSED


@transaction.atomic
def awards_approve(*, actor: Actor, awards: list[Award], note: str = "") -> list[Award]:
    """pending → approved, all or nothing (409 naming the ones that cannot be approved)."""
    rows = _locked(awards)
    _refuse(rows, AwardStatus.PENDING, _("Only pending awards can be approved (not: %(ids)s)."), "award_wrong_state")
    provisional = [a.pk for a in rows if _provisional(a)]
    if provisional:
        raise Conflict(_("Awards %(ids)s are provisional: their period is not closed yet, so a recomputation may "
                         "still change them. Close the period first.") % {"ids": ", ".join(map(str, provisional))},
                       code="award_provisional")
    return _transition(actor, rows, AwardStatus.APPROVED, "award.approved", note=note,
                       decided_by=actor.user, decided_at=timezone.now())


@transaction.atomic
def award_reject(*, actor: Actor, award: Award, note: str = "") -> Award:
    rows = _locked([award])
    _refuse(rows, AwardStatus.PENDING, _("Only pending awards can be rejected (not: %(ids)s)."), "award_wrong_state")
    if rows[0].source != AwardSource.DISCRETIONARY:
        raise Conflict(_("Only discretionary proposals can be rejected; rule awards follow their rule."),
                       code="award_not_discretionary")
    (award,) = _transition(actor, rows, AwardStatus.REJECTED, "award.rejected", note=note,
                           decided_by=actor.user, decided_at=timezone.now())
    return award


@transaction.atomic
def awards_pay(*, actor: Actor, awards: list[Award]) -> list[Award]:
    """approved → paid, all or nothing."""
    rows = _locked(awards)
    _refuse(rows, AwardStatus.APPROVED, _("Only approved awards can be marked paid (not: %(ids)s)."),
            "award_wrong_state")
    return _transition(actor, rows, AwardStatus.PAID, "award.paid", paid_by=actor.user, paid_at=timezone.now())


def _transition(actor: Actor, rows: list[Award], status: str, event: str, note: str | None = None,
                **fields) -> list[Award]:
    for award in rows:
        before = {"status": award.status}
        award.status = status
        for name, value in fields.items():
            setattr(award, name, value)
        if note:
            award.decision_note = note
        award.save(update_fields=["status", "decision_note", "updated_at", *fields])
        audit_record(actor=actor, action=event, obj=award, before=before, after=_snapshot(award))
        recipients = [award.proposed_by_id] if event == "award.rejected" else _recipients(award)
        _announce(award, event, recipients, actor)
    return rows


@transaction.atomic
def award_propose(*, actor: Actor, period: KpiPeriod, agent: Agent, reason: str, amount: Decimal | None = None,
                  title: str = "") -> Award:
    """A discretionary award for an agent of a team the supervisor manages (admins: any agent), pending approval."""
    if not actor.is_admin and not granted_teams(actor, "manage").filter(pk=agent.team_id).exists():
        raise PermissionDenied(_("You may propose awards only for agents of teams you manage."))
    if amount is None and not title.strip():
        raise ValidationError({"amount": [_("Give an amount, a title, or both.")]})
    if amount is not None and amount < 0:
        raise ValidationError({"amount": [_("The amount cannot be negative.")]})
    if not reason.strip():
        raise ValidationError({"reason": [_("Say why the agent deserves it.")]})
    award = Award(tenant=actor.tenant, period=period, agent=agent, team_id=agent.team_id,
                  source=AwardSource.DISCRETIONARY, amount=money_round(amount or Decimal(0), actor.tenant.currency),
                  currency=actor.tenant.currency, title=title.strip(), reason=reason.strip(), proposed_by=actor.user,
                  explanation={"kind": "discretionary", "reason": reason.strip()})
    award.full_clean()
    award.save()
    audit_record(actor=actor, action="award.proposed", obj=award, after=_snapshot(award))
    _announce(award, "award.proposed", tenant_admin_ids(tenant=actor.tenant), actor)
    return award

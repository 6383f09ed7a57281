"""Reward rules and their versions: validation (clear errors with field paths, warnings for tier gaps) and writes.

A version is in effect on [effective_from, effective_to); a period uses the version of each rule in effect on its
first day. Versions of one rule never overlap: a new version ends its predecessor (still in effect on the new
effective_from) there. A version with awards or outcomes in a closed period is frozen: it cannot be edited or
deleted (409 reward_rule_version_frozen); add a new version with a later effective date instead.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import ValidationError

from common.actor import Actor
from common.audit import audit_record, snapshot
from common.errors import Conflict
from performance.models import (
    Award,
    PeriodStatus,
    RewardOutcome,
    RewardRule,
    RewardRuleVersion,
    RewardRuleVersionTeam,
)
from performance.services.rewards.evaluation import Gates, RuleSpec, Tier
from performance.services.tenant_kpis.catalog import unknown_kpi_codes

RULE_FIELDS = ["name", "description"]
VERSION_FIELDS = ["number", "effective_from", "effective_to", "kind", "scheme", "amount_type", "amount", "title",
                  "budget_cap", "params", "gates", "note"]
MAX_TIERS = 20

NEGATIVE = _("The amount cannot be negative.")
NAME_TAKEN = _("A reward rule with this name already exists.")
END_BEFORE_START = _("effective_to (exclusive) must be after effective_from.")
FROZEN = _("Version %(number)s has awards in a closed period; it cannot change. Add a new version with a later "
           "effective date instead.")


def _dec(value) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def _tier_errors(tiers: list[dict], amount_type: str) -> tuple[dict, list[str]]:
    """Errors by tier index, and warnings about gaps between consecutive tiers."""
    errors: dict[str, Any] = {}
    for index, tier in enumerate(tiers):
        row = {}
        lower, upper = tier.get("lower"), tier.get("upper")
        if lower is None and upper is None:
            row["lower"] = [_("A tier needs a lower or an upper bound.")]
        elif lower is not None and upper is not None and (
                lower > upper or (lower == upper and not (tier["lower_inclusive"] and tier["upper_inclusive"]))):
            row["upper"] = [_("The upper bound must be above the lower bound.")]
        if tier.get("amount") is not None and tier["amount"] < 0:
            row["amount"] = [NEGATIVE]
        if amount_type == "percent_of_base" and tier.get("amount") is not None and tier["amount"] > 1000:
            row["amount"] = [_("A percentage of the base amount is at most 1000.")]
        if amount_type != "none" and tier.get("amount") is None:
            row["amount"] = [_("Each tier needs an amount (or choose amount_type none).")]
        if amount_type == "none" and not tier.get("title"):
            row["title"] = [_("A tier without money needs a title.")]
        if row:
            errors[str(index)] = row
    if errors:
        return errors, []
    parsed = [_tier(t) for t in tiers]
    order = sorted(range(len(parsed)), key=lambda i: (parsed[i].lower is not None, parsed[i].lower or 0))
    warnings = []
    for a_index, b_index in zip(order, order[1:], strict=False):
        a, b = parsed[a_index], parsed[b_index]
        if a.upper is None or (a.upper > b.lower) or (a.upper == b.lower and a.upper_inclusive and b.lower_inclusive):
            errors[str(b_index)] = {"lower": [_("Tier '%(tier)s' (%(bounds)s) overlaps tier '%(other)s' "
                                                "(%(other_bounds)s).") % {
                "tier": b.name, "bounds": b.bounds(), "other": a.name, "other_bounds": a.bounds()}]}
        elif a.upper < b.lower or (a.upper == b.lower and not a.upper_inclusive and not b.lower_inclusive):
            warnings.append(str(_("Gap between tier '%(tier)s' (%(bounds)s) and tier '%(other)s' (%(other_bounds)s): "
                                  "values in between get no tier.") % {
                "tier": a.name, "bounds": a.bounds(), "other": b.name, "other_bounds": b.bounds()}))
    names = [t.name for t in parsed]
    for index, name in enumerate(names):
        if names.index(name) != index:
            errors.setdefault(str(index), {})["name"] = [_("Tier names are unique within a version.")]
    return errors, warnings


def _tier(data: dict) -> Tier:
    return Tier(data["name"], _dec(data.get("lower")), bool(data.get("lower_inclusive", True)), _dec(data.get("upper")),
                bool(data.get("upper_inclusive", False)), _dec(data.get("amount")), data.get("title", ""))


def _validate_params(kind: str, params: dict, amount_type: str, tenant_id: int) -> tuple[dict, list[str]]:
    errors: dict[str, Any] = {}
    warnings: list[str] = []
    if kind == "tiers":
        metric = params.get("metric", "total")
        if metric != "total" and unknown_kpi_codes(tenant_id=tenant_id, codes=[metric]):
            errors["metric"] = [_("Unknown KPI '%(code)s': use total or a KPI code of the catalog.") % {"code": metric}]
        tiers = params.get("tiers") or []
        if not 1 <= len(tiers) <= MAX_TIERS:
            errors["tiers"] = [_("A tier rule has 1 to %(max)s tiers.") % {"max": MAX_TIERS}]
        else:
            tier_errors, warnings = _tier_errors(tiers, amount_type)
            if tier_errors:
                errors["tiers"] = tier_errors
    if kind == "rank":
        top_n, top_percent = params.get("top_n"), params.get("top_percent")
        if (top_n is None) == (top_percent is None):
            errors["top_n"] = [_("Give either top_n or top_percent.")]
        if top_n is not None and top_n < 1:
            errors["top_n"] = [_("top_n is at least 1.")]
        if top_percent is not None and not 0 < top_percent <= 100:
            errors["top_percent"] = [_("top_percent is a percentage above 0 and at most 100.")]
    if kind == "improvement":
        if params.get("top_n") is not None and params["top_n"] < 1:
            errors["top_n"] = [_("top_n is at least 1.")]
        if params.get("min_previous_handled") is not None and params["min_previous_handled"] < 0:
            errors["min_previous_handled"] = [_("The minimum cannot be negative.")]
    if kind == "team":
        if params.get("award_to") == "team" and amount_type == "percent_of_base":
            errors["award_to"] = [_("A team award cannot be a percent of a base amount; use a fixed amount.")]
        if params.get("min_members") is not None and params["min_members"] < 1:
            errors["min_members"] = [_("min_members is at least 1.")]
    return errors, warnings


def _validate_gates(gates: dict) -> dict:
    errors = {}
    if gates.get("min_attendance") is not None and not 0 <= gates["min_attendance"] <= 100:
        errors["min_attendance"] = [_("Attendance is a percentage from 0 to 100.")]
    for key in ("min_handled", "min_tenure_days"):
        if gates.get(key) is not None and gates[key] < 0:
            errors[key] = [_("The minimum cannot be negative.")]
    return errors


def validate_version(data: dict, *, tenant_id: int) -> list[str]:
    """Raise a ValidationError (field paths) for an invalid version definition; return warnings (tier gaps).
    A tier metric is total or a KPI code of the tenant's catalog (built in or the tenant's own)."""
    errors: dict[str, Any] = {}
    kind, amount_type = data["kind"], data.get("amount_type", "fixed")
    params_errors, warnings = _validate_params(kind, data.get("params") or {}, amount_type, tenant_id)
    if params_errors:
        errors["params"] = params_errors
    gate_errors = _validate_gates(data.get("gates") or {})
    if gate_errors:
        errors["gates"] = gate_errors
    for key in ("amount", "budget_cap"):
        if data.get(key) is not None and data[key] < 0:
            errors[key] = [NEGATIVE]
    if kind != "tiers" and amount_type != "none" and data.get("amount") is None and "amount" not in errors:
        errors["amount"] = [_("Give the amount (fixed, or the percent of the base amount).")]
    if amount_type == "percent_of_base" and data.get("amount") is not None and data["amount"] > 1000:
        errors["amount"] = [_("A percentage of the base amount is at most 1000.")]
    if amount_type == "none" and kind != "tiers" and not data.get("title"):
        errors["title"] = [_("A rule without money needs a title.")]
    end = data.get("effective_to")
    if end is not None and data.get("effective_from") and end <= data["effective_from"]:
        errors["effective_to"] = [END_BEFORE_START]
    if errors:
        raise ValidationError(errors)
    return warnings


def _json(value):
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dict):
        return {k: _json(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_json(v) for v in value]
    if hasattr(value, "pk"):
        return value.pk
    return value


def rule_spec(data: dict, *, id: int | None = None, rule_id: int | None = None, rule_name: str = "(simulation)",
              number: int | None = None, team_ids=frozenset(), scheme_id: int | None = None) -> RuleSpec:
    """A RuleSpec from a version definition (validated input, or a stored version's JSON)."""
    params, gates = data.get("params") or {}, data.get("gates") or {}
    excluded = frozenset(getattr(a, "pk", a) for a in gates.get("excluded_agents") or [])
    return RuleSpec(
        id=id, rule_id=rule_id, rule_name=rule_name, number=number, kind=data["kind"], scheme_id=scheme_id,
        team_ids=frozenset(team_ids),
        gates=Gates(gates.get("min_handled"), _dec(gates.get("min_attendance")), bool(gates.get("no_auto_failed_qa")),
                    gates.get("min_tenure_days"), excluded),
        amount_type=data.get("amount_type", "fixed"), amount=_dec(data.get("amount")), title=data.get("title", ""),
        budget_cap=_dec(data.get("budget_cap")), metric=params.get("metric", "total"),
        tiers=tuple(_tier(t) for t in params.get("tiers") or []), top_n=params.get("top_n"),
        top_percent=_dec(params.get("top_percent")), statistic=params.get("statistic", "mean"),
        award_to=params.get("award_to", "member"), min_members=params.get("min_members") or 1,
        min_previous_handled=params.get("min_previous_handled", 1) if params.get("min_previous_handled") is not None
        else 1, min_gain=_dec(params.get("min_gain")) or Decimal(0),
    )


def rule_spec_of(version: RewardRuleVersion) -> RuleSpec:
    """From a saved version with `rule` and `team_links` loaded."""
    data = {"kind": version.kind, "params": version.params, "gates": version.gates, "amount_type": version.amount_type,
            "amount": version.amount, "title": version.title, "budget_cap": version.budget_cap}
    return rule_spec(data, id=version.pk, rule_id=version.rule_id, rule_name=version.rule.name,
                     number=version.number, team_ids={link.team_id for link in version.team_links.all()},
                     scheme_id=version.scheme_id)


def rule_versions_effective(*, tenant_id: int, on: date):
    versions = RewardRuleVersion.objects.filter(tenant_id=tenant_id, effective_from__lte=on).filter(
        Q(effective_to__isnull=True) | Q(effective_to__gt=on)).select_related("rule").prefetch_related("team_links")
    return list(versions.order_by("rule__name", "rule_id", "number"))


def version_is_frozen(version: RewardRuleVersion) -> bool:
    closed = Q(period__status=PeriodStatus.CLOSED)
    return (Award.objects.filter(closed, rule_version=version).exists()
            or RewardOutcome.objects.filter(closed, rule_version=version).exists())


def _describe(version: RewardRuleVersion) -> dict:
    out = snapshot(version, VERSION_FIELDS)
    out["teams"] = sorted(link.team_id for link in version.team_links.all())
    return out


@transaction.atomic
def reward_rule_create(*, actor: Actor, name: str, description: str = "") -> RewardRule:
    if RewardRule.objects.filter(tenant=actor.tenant, name=name).exists():
        raise ValidationError({"name": [NAME_TAKEN]})
    rule = RewardRule(tenant=actor.tenant, name=name, description=description, created_by=actor.user)
    rule.full_clean()
    rule.save()
    audit_record(actor=actor, action="reward_rule.created", obj=rule, after=snapshot(rule, RULE_FIELDS))
    return rule


@transaction.atomic
def reward_rule_update(*, actor: Actor, rule: RewardRule, **changes: Any) -> RewardRule:
    if "name" in changes and RewardRule.objects.filter(
            tenant=actor.tenant, name=changes["name"]).exclude(pk=rule.pk).exists():
        raise ValidationError({"name": [NAME_TAKEN]})
    before = snapshot(rule, RULE_FIELDS)
    for name, value in changes.items():
        setattr(rule, name, value)
    rule.full_clean()
    rule.save()
    audit_record(actor=actor, action="reward_rule.updated", obj=rule, before=before, after=snapshot(rule, RULE_FIELDS))
    return rule


@transaction.atomic
def reward_rule_delete(*, actor: Actor, rule: RewardRule) -> None:
    if Award.objects.filter(rule_version__rule=rule).exists() or RewardOutcome.objects.filter(
            rule_version__rule=rule).exists():
        raise Conflict(_("This rule has given awards; it cannot be deleted. End its latest version instead."),
                       code="reward_rule_in_use")
    audit_record(actor=actor, action="reward_rule.deleted", obj=rule, before=snapshot(rule, RULE_FIELDS))
    rule.delete()


def _set_teams(version: RewardRuleVersion, teams) -> None:
    RewardRuleVersionTeam.objects.filter(version=version).delete()
    RewardRuleVersionTeam.objects.bulk_create(
        [RewardRuleVersionTeam(tenant_id=version.tenant_id, version=version, team=team) for team in teams])


def _check_no_overlap(rule: RewardRule, start: date, end: date | None, exclude: list[int]) -> None:
    others = rule.versions.exclude(pk__in=exclude).filter(Q(effective_to__isnull=True) | Q(effective_to__gt=start))
    if end is not None:
        others = others.filter(effective_from__lt=end)
    other = others.order_by("effective_from").first()
    if other is not None:
        raise ValidationError({"effective_from": [_("Overlaps version %(number)s of this rule (from %(start)s). "
                                                    "Choose other dates.") % {"number": other.number,
                                                                             "start": other.effective_from}]})


def _stored(data: dict) -> dict:
    fields = {key: data.get(key) for key in ("kind", "amount_type", "amount", "title", "budget_cap", "note")
              if key in data}
    fields["params"] = _json(data.get("params") or {})
    fields["gates"] = _json(data.get("gates") or {})
    return {k: ("" if v is None and k in ("title", "note") else v) for k, v in fields.items()}


@transaction.atomic
def reward_rule_version_create(*, actor: Actor, rule: RewardRule, data: dict) -> tuple[RewardRuleVersion, list[str]]:
    """Add a version; it ends the rule's version still in effect on its effective_from there."""
    rule = RewardRule.objects.select_for_update().get(pk=rule.pk)
    warnings = validate_version(data, tenant_id=rule.tenant_id)
    start, end = data["effective_from"], data.get("effective_to")
    predecessor = rule.versions.filter(effective_from__lt=start).filter(
        Q(effective_to__isnull=True) | Q(effective_to__gt=start)).first()
    if predecessor is not None:
        if Award.objects.filter(rule_version=predecessor, period__start__gte=start).exists():
            raise ValidationError({"effective_from": [_(
                "Version %(number)s gave awards in a period starting on or after %(date)s; a new version can only "
                "take over after it.") % {"number": predecessor.number, "date": start}]})
        before = {"effective_to": predecessor.effective_to}
        RewardRuleVersion.objects.filter(pk=predecessor.pk).update(effective_to=start)
        audit_record(actor=actor, action="reward_rule_version.superseded", obj=predecessor, before=before,
                     after={"effective_to": start})
    _check_no_overlap(rule, start, end, exclude=[predecessor.pk] if predecessor else [])
    number = (rule.versions.order_by("-number").values_list("number", flat=True).first() or 0) + 1
    version = RewardRuleVersion(tenant=actor.tenant, rule=rule, number=number, effective_from=start, effective_to=end,
                                scheme=data.get("scheme"), created_by=actor.user, **_stored(data))
    version.full_clean()
    version.save()
    _set_teams(version, data.get("teams") or [])
    audit_record(actor=actor, action="reward_rule_version.created", obj=version, after=_describe(version))
    return version, warnings


def _ensure_unfrozen(version: RewardRuleVersion) -> RewardRuleVersion:
    version = RewardRuleVersion.objects.select_for_update().get(pk=version.pk)
    if version_is_frozen(version):
        raise Conflict(FROZEN % {"number": version.number}, code="reward_rule_version_frozen")
    return version


@transaction.atomic
def reward_rule_version_update(*, actor: Actor, version: RewardRuleVersion,
                               data: dict) -> tuple[RewardRuleVersion, list[str]]:
    """Replace an unfrozen version's definition (the whole definition is sent again)."""
    version = _ensure_unfrozen(version)
    before = _describe(version)
    warnings = validate_version(data, tenant_id=version.tenant_id)
    _check_no_overlap(version.rule, data["effective_from"], data.get("effective_to"), exclude=[version.pk])
    for key, value in _stored(data).items():
        setattr(version, key, value)
    version.effective_from, version.effective_to = data["effective_from"], data.get("effective_to")
    version.scheme = data.get("scheme")
    version.full_clean()
    version.save()
    _set_teams(version, data.get("teams") or [])
    audit_record(actor=actor, action="reward_rule_version.updated", obj=version, before=before,
                 after=_describe(version))
    return version, warnings


@transaction.atomic
def reward_rule_version_delete(*, actor: Actor, version: RewardRuleVersion) -> None:
    version = _ensure_unfrozen(version)
    if Award.objects.filter(rule_version=version).exclude(status="pending").exists():
        raise Conflict(_("Version %(number)s has approved or paid awards; it cannot be deleted.")
                       % {"number": version.number}, code="reward_rule_version_in_use")
    audit_record(actor=actor, action="reward_rule_version.deleted", obj=version, before=_describe(version))
    Award.objects.filter(rule_version=version).delete()
    RewardOutcome.objects.filter(rule_version=version).delete()
    version.delete()

"""Scoring schemes and their versions.

Rules a version obeys: 1–8 KPIs (a warning above 5), distinct KPI codes, weights > 0, floor != target,
effective_to after effective_from, and no two versions of the same scope (scenario, or none, and overlapping
teams, no teams meaning all) in effect on the same day anywhere in the tenant — an agent is never scored twice on
the same interactions. A new version of a scheme supersedes the scheme's version of the same scope that is still
in effect on its start date: that one ends (effective_to) where the new one begins, provided no computed period
already used it from that date on. A version a computed period used is locked: it cannot be edited or deleted.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import ValidationError

from accounts.models import Team
from common.actor import Actor
from common.audit import audit_record, snapshot
from common.errors import Conflict
from performance.models import (
    AgentSchemeScore,
    Scenario,
    SchemeKpi,
    SchemeVersion,
    SchemeVersionTeam,
    ScoringScheme,
)
from performance.services.tenant_kpis.catalog import unknown_kpi_codes

SCHEME_FIELDS = ["name", "description"]
VERSION_FIELDS = ["number", "effective_from", "effective_to", "scenario", "missing_data_policy", "note"]
MAX_KPIS = 8
WARN_ABOVE_KPIS = 5
KPI_KEYS = ("kpi_code", "weight", "floor", "target", "min_sample")

KPI_COUNT = _("A version has 1 to %(max)s KPIs; %(count)s given.")
NAME_TAKEN = _("A scheme with this name already exists.")
KPI_TWICE = _("Each KPI appears at most once in a version.")
WEIGHT_NOT_POSITIVE = _("The weight must be greater than 0.")
FLOOR_IS_TARGET = _("The target must differ from the floor (floor scores 0 points, target 100).")
END_BEFORE_START = _("effective_to (exclusive) must be after effective_from.")
OVERLAPS_UNTIL = _("Overlaps version %(number)s of scheme '%(scheme)s' (same scenario, overlapping teams, from "
                   "%(start)s until %(end)s). End that version first or choose other dates.")
OVERLAPS_OPEN_ENDED = _("Overlaps version %(number)s of scheme '%(scheme)s' (same scenario, overlapping teams, "
                        "from %(start)s, open-ended). End that version first or choose other dates.")


def version_warnings(kpi_count: int) -> list[str]:
    if kpi_count > WARN_ABOVE_KPIS:
        return [str(_("%(count)s KPIs: more than %(limit)s make a formula hard to explain and to steer by.")
                    % {"count": kpi_count, "limit": WARN_ABOVE_KPIS})]
    return []


def _describe_version(version: SchemeVersion) -> dict[str, Any]:
    out = snapshot(version, VERSION_FIELDS)
    out["teams"] = sorted(link.team_id for link in version.team_links.all())
    out["kpis"] = [{key: getattr(k, key) for key in KPI_KEYS} for k in version.kpis.all()]
    return out


@transaction.atomic
def scheme_create(*, actor: Actor, name: str, description: str = "") -> ScoringScheme:
    if ScoringScheme.objects.filter(tenant=actor.tenant, name=name).exists():
        raise ValidationError({"name": [NAME_TAKEN]})
    scheme = ScoringScheme(tenant=actor.tenant, name=name, description=description, created_by=actor.user)
    scheme.full_clean()
    scheme.save()
    audit_record(actor=actor, action="scheme.created", obj=scheme, after=snapshot(scheme, SCHEME_FIELDS))
    return scheme


@transaction.atomic
def scheme_update(*, actor: Actor, scheme: ScoringScheme, **changes: Any) -> ScoringScheme:
    if "name" in changes and ScoringScheme.objects.filter(
            tenant=actor.tenant, name=changes["name"]).exclude(pk=scheme.pk).exists():
        raise ValidationError({"name": [NAME_TAKEN]})
    before = snapshot(scheme, SCHEME_FIELDS)
    for name, value in changes.items():
        setattr(scheme, name, value)
    scheme.full_clean()
    scheme.save()
    audit_record(actor=actor, action="scheme.updated", obj=scheme, before=before,
                 after=snapshot(scheme, SCHEME_FIELDS))
    return scheme


@transaction.atomic
def scheme_delete(*, actor: Actor, scheme: ScoringScheme) -> None:
    if scheme.versions.filter(locked_at__isnull=False).exists():
        raise Conflict(_("This scheme has versions used by computed periods; it cannot be deleted."),
                       code="scheme_in_use")
    audit_record(actor=actor, action="scheme.deleted", obj=scheme, before=snapshot(scheme, SCHEME_FIELDS))
    scheme.delete()


def _validate_kpis(kpis: list[dict[str, Any]], tenant_id: int) -> None:
    if not 1 <= len(kpis) <= MAX_KPIS:
        raise ValidationError({"kpis": [KPI_COUNT % {"max": MAX_KPIS, "count": len(kpis)}]})
    errors: dict[str, Any] = {}
    seen: set[str] = set()
    unknown = unknown_kpi_codes(tenant_id=tenant_id, codes=[kpi["kpi_code"] for kpi in kpis])
    for index, kpi in enumerate(kpis):
        row: dict[str, list[str]] = {}
        if kpi["kpi_code"] in unknown:
            row["kpi_code"] = [_("Unknown KPI '%(code)s'.") % {"code": kpi["kpi_code"]}]
        elif kpi["kpi_code"] in seen:
            row["kpi_code"] = [KPI_TWICE]
        seen.add(kpi["kpi_code"])
        if kpi["weight"] <= 0:
            row["weight"] = [WEIGHT_NOT_POSITIVE]
        if kpi["floor"] == kpi["target"]:
            row["target"] = [FLOOR_IS_TARGET]
        if kpi.get("min_sample", 1) < 0:
            row["min_sample"] = [_("The minimum sample size cannot be negative.")]
        if row:
            errors[str(index)] = row
    if errors:
        raise ValidationError({"kpis": errors})


def _overlaps(a_from: date, a_to: date | None, b_from: date, b_to: date | None) -> bool:
    return (b_to is None or a_from < b_to) and (a_to is None or b_from < a_to)


def _same_scope_candidates(tenant_id: int, scenario_id: int | None, start: date, end: date | None,
                           exclude: Iterable[int]):
    """Versions with the same scenario (or none) in effect on some day of [start, end)."""
    rows = SchemeVersion.objects.filter(tenant_id=tenant_id, scenario_id=scenario_id).exclude(pk__in=list(exclude))
    rows = rows.filter(Q(effective_to__isnull=True) | Q(effective_to__gt=start))
    if end is not None:
        rows = rows.filter(effective_from__lt=end)
    return rows.select_related("scheme").prefetch_related("team_links")


def _teams_intersect(a: set[int], b: set[int]) -> bool:
    return not a or not b or bool(a & b)


def _superseded(scheme: ScoringScheme, scenario_id: int | None, team_ids: set[int],
                start: date) -> SchemeVersion | None:
    """The scheme's version of exactly this scope that started before `start` and is still in effect then."""
    candidates = _same_scope_candidates(scheme.tenant_id, scenario_id, start, None, exclude=())
    for version in candidates.filter(scheme=scheme, effective_from__lt=start):
        if {link.team_id for link in version.team_links.all()} == team_ids:
            return version
    return None


def _check_no_overlap(tenant_id: int, scenario_id: int | None, team_ids: set[int], start: date,
                      end: date | None, exclude: Iterable[int]) -> None:
    for other in _same_scope_candidates(tenant_id, scenario_id, start, end, exclude):
        other_teams = {link.team_id for link in other.team_links.all()}
        if _teams_intersect(team_ids, other_teams):
            params = {"number": other.number, "scheme": other.scheme.name, "start": other.effective_from,
                      "end": other.effective_to}
            message = OVERLAPS_UNTIL if other.effective_to else OVERLAPS_OPEN_ENDED
            raise ValidationError({"effective_from": [message % params]})


def _set_details(version: SchemeVersion, teams: list[Team], kpis: list[dict[str, Any]] | None) -> None:
    SchemeVersionTeam.objects.filter(version=version).delete()
    SchemeVersionTeam.objects.bulk_create(
        [SchemeVersionTeam(tenant_id=version.tenant_id, version=version, team=team) for team in teams])
    if kpis is not None:
        SchemeKpi.objects.filter(version=version).delete()
        SchemeKpi.objects.bulk_create([
            SchemeKpi(tenant_id=version.tenant_id, version=version, position=index,
                      **{key: kpi[key] for key in KPI_KEYS if key in kpi})
            for index, kpi in enumerate(kpis)
        ])


@transaction.atomic
def scheme_version_create(
    *, actor: Actor, scheme: ScoringScheme, effective_from: date, kpis: list[dict[str, Any]],
    effective_to: date | None = None, scenario: Scenario | None = None, teams: list[Team] | tuple = (),
    missing_data_policy: str = "redistribute", note: str = "",
) -> tuple[SchemeVersion, list[str]]:
    """Add a version (superseding the scheme's same-scope version still in effect on `effective_from`).

    Returns the version and warnings (e.g. more than 5 KPIs)."""
    scheme = ScoringScheme.objects.select_for_update().get(pk=scheme.pk)
    _validate_kpis(kpis, scheme.tenant_id)
    if effective_to is not None and effective_to <= effective_from:
        raise ValidationError({"effective_to": [END_BEFORE_START]})
    team_ids = {team.pk for team in teams}
    scenario_id = scenario.pk if scenario else None
    predecessor = _superseded(scheme, scenario_id, team_ids, effective_from)
    exclude = [predecessor.pk] if predecessor else []
    _check_no_overlap(scheme.tenant_id, scenario_id, team_ids, effective_from, effective_to, exclude)
    if predecessor is not None:
        _end_predecessor(actor, predecessor, effective_from)
    number = (scheme.versions.order_by("-number").values_list("number", flat=True).first() or 0) + 1
    version = SchemeVersion(tenant=actor.tenant, scheme=scheme, number=number, effective_from=effective_from,
                            effective_to=effective_to, scenario=scenario, missing_data_policy=missing_data_policy,
                            note=note, created_by=actor.user)
    version.full_clean()
    version.save()
    _set_details(version, list(teams), kpis)
    audit_record(actor=actor, action="scheme_version.created", obj=version, after=_describe_version(version))
    return version, version_warnings(len(kpis))


def _end_predecessor(actor: Actor, predecessor: SchemeVersion, end: date) -> None:
    used_later = AgentSchemeScore.objects.filter(scheme_version=predecessor, revision__period__start__gte=end)
    if used_later.exists():
        raise ValidationError({"effective_from": [
            _("Version %(number)s was used by a computed period starting on or after %(date)s; a new version can "
              "only take over after the last period that used it.") % {"number": predecessor.number, "date": end}]})
    before = {"effective_to": predecessor.effective_to}
    SchemeVersion.objects.filter(pk=predecessor.pk).update(effective_to=end)
    audit_record(actor=actor, action="scheme_version.superseded", obj=predecessor, before=before,
                 after={"effective_to": end})


def _ensure_unlocked(version: SchemeVersion) -> SchemeVersion:
    version = SchemeVersion.objects.select_for_update().get(pk=version.pk)
    if version.locked_at is not None:
        raise Conflict(_("Version %(number)s was used by a computed period; it cannot change. "
                         "Add a new version to supersede it.") % {"number": version.number},
                       code="scheme_version_locked")
    return version


@transaction.atomic
def scheme_version_update(*, actor: Actor, version: SchemeVersion, **changes: Any) -> tuple[SchemeVersion, list]:
    """Change an unlocked version; `kpis` (if given) replace the version's KPIs, `teams` its teams."""
    version = _ensure_unlocked(version)
    before = _describe_version(version)
    kpis = changes.pop("kpis", None)
    teams = changes.pop("teams", None)
    if kpis is not None:
        _validate_kpis(kpis, version.tenant_id)
    for name, value in changes.items():
        setattr(version, name, value)
    if version.effective_to is not None and version.effective_to <= version.effective_from:
        raise ValidationError({"effective_to": [END_BEFORE_START]})
    team_list = list(teams) if teams is not None else [link.team for link in version.team_links.all()]
    _check_no_overlap(version.tenant_id, version.scenario_id, {t.pk for t in team_list}, version.effective_from,
                      version.effective_to, exclude=[version.pk])
    version.full_clean()
    version.save()
    _set_details(version, team_list, kpis)
    version = SchemeVersion.objects.prefetch_related("kpis", "team_links").get(pk=version.pk)
    audit_record(actor=actor, action="scheme_version.updated", obj=version, before=before,
                 after=_describe_version(version))
    return version, version_warnings(len(version.kpis.all()))


@transaction.atomic
def scheme_version_delete(*, actor: Actor, version: SchemeVersion) -> None:
    version = _ensure_unlocked(version)
    audit_record(actor=actor, action="scheme_version.deleted", obj=version, before=_describe_version(version))
    version.delete()

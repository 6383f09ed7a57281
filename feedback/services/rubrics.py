"""Rubric writes. Draft versions are edited in place; publishing freezes a version and retires the one
it replaces; a change to a published rubric is a new version (a copy plus the changes)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy
from rest_framework.exceptions import ValidationError

from common.actor import Actor
from common.audit import audit_record, snapshot
from common.errors import Conflict
from feedback.models import (
    Rubric,
    RubricCriterion,
    RubricSection,
    RubricVersion,
    RubricVersionScenario,
    RubricVersionStatus,
)
from performance.models import Scenario

RUBRIC_FIELDS = ["name", "description"]
CRITERION_FIELDS = ["label", "description", "weight", "scale", "allow_na", "is_critical"]
# How a version's status reads inside a refusal ("Version 2 is published and can no longer change ...").
STATUS_WORDS = {
    RubricVersionStatus.PUBLISHED: pgettext_lazy("rubric version status in a sentence", "published"),
    RubricVersionStatus.RETIRED: pgettext_lazy("rubric version status in a sentence", "retired"),
}


def _describe(version: RubricVersion) -> dict[str, Any]:
    return {"rubric": version.rubric_id, "number": version.number, "status": version.status}


def _write_content(version: RubricVersion, sections: Sequence[dict[str, Any]]) -> None:
    """Replace the version's sections and criteria with `sections` ([{title, description, criteria: [...]}])."""
    if not sections or any(not section.get("criteria") for section in sections):
        raise ValidationError({"sections": [
            _("A version needs at least one section, each with at least one criterion.")]})
    RubricCriterion.objects.filter(version=version).delete()
    RubricSection.objects.filter(version=version).delete()
    rows = RubricSection.objects.bulk_create(
        RubricSection(tenant_id=version.tenant_id, version=version, position=position,
                      title=section["title"], description=section.get("description", ""))
        for position, section in enumerate(sections, start=1)
    )
    criteria = []
    for section, data in zip(rows, sections, strict=True):
        for position, item in enumerate(data["criteria"], start=1):
            criterion = RubricCriterion(tenant_id=version.tenant_id, version=version, section=section,
                                        position=position, **{k: item[k] for k in CRITERION_FIELDS if k in item})
            criterion.full_clean(exclude=["version", "section", "tenant"])
            criteria.append(criterion)
    RubricCriterion.objects.bulk_create(criteria)


def _write_scenarios(version: RubricVersion, scenarios: Sequence[Scenario]) -> None:
    RubricVersionScenario.objects.filter(version=version).delete()
    RubricVersionScenario.objects.bulk_create(
        RubricVersionScenario(tenant_id=version.tenant_id, version=version, scenario=scenario)
        for scenario in {s.pk: s for s in scenarios}.values()
    )


def _check_name_free(rubric: Rubric) -> None:
    if Rubric.objects.filter(tenant_id=rubric.tenant_id, name=rubric.name).exclude(pk=rubric.pk).exists():
        raise ValidationError({"name": [_("A rubric with this name already exists.")]})


def _content_of(version: RubricVersion) -> list[dict[str, Any]]:
    sections = version.sections.prefetch_related("criteria").order_by("position")
    return [
        {"title": s.title, "description": s.description,
         "criteria": [{k: getattr(c, k) for k in CRITERION_FIELDS} for c in s.criteria.order_by("position")]}
        for s in sections
    ]


def _new_version(
    *, actor: Actor, rubric: Rubric, number: int, sections, channels, scenarios, notes: str, based_on=None
) -> RubricVersion:
    version = RubricVersion(tenant=actor.tenant, rubric=rubric, number=number, notes=notes, based_on=based_on,
                            channels=sorted(set(channels)), created_by=actor.user)
    version.full_clean()
    version.save()
    _write_scenarios(version, scenarios)
    _write_content(version, sections)
    return version


@transaction.atomic
def rubric_create(
    *, actor: Actor, name: str, description: str = "", sections: Sequence[dict[str, Any]],
    channels: Sequence[str] = (), scenarios: Sequence[Scenario] = (), notes: str = "",
) -> Rubric:
    """Create a rubric with its first version as a draft."""
    rubric = Rubric(tenant=actor.tenant, name=name, description=description, created_by=actor.user)
    _check_name_free(rubric)
    rubric.full_clean(exclude=["published_version"])
    rubric.save()
    version = _new_version(actor=actor, rubric=rubric, number=1, sections=sections, channels=channels,
                           scenarios=scenarios, notes=notes)
    audit_record(actor=actor, action="rubric.created", obj=rubric,
                 after=snapshot(rubric, RUBRIC_FIELDS) | {"version": version.pk})
    return rubric


@transaction.atomic
def rubric_update(*, actor: Actor, rubric: Rubric, **changes: Any) -> Rubric:
    before = snapshot(rubric, RUBRIC_FIELDS)
    for name, value in changes.items():
        setattr(rubric, name, value)
    _check_name_free(rubric)
    rubric.full_clean(exclude=["published_version"])
    rubric.save()
    audit_record(actor=actor, action="rubric.updated", obj=rubric, before=before,
                 after=snapshot(rubric, RUBRIC_FIELDS))
    return rubric


@transaction.atomic
def rubric_delete(*, actor: Actor, rubric: Rubric) -> None:
    """Delete a rubric that was never published (a published one may be in use; it stays for history)."""
    rubric = Rubric.objects.select_for_update().get(pk=rubric.pk)
    if rubric.versions.exclude(status=RubricVersionStatus.DRAFT).exists():
        raise Conflict(_("A rubric that has been published cannot be deleted."))
    audit_record(actor=actor, action="rubric.deleted", obj=rubric, before=snapshot(rubric, RUBRIC_FIELDS))
    rubric.delete()


@transaction.atomic
def rubric_version_create(
    *, actor: Actor, rubric: Rubric, based_on: RubricVersion | None = None,
    sections: Sequence[dict[str, Any]] | None = None, channels: Sequence[str] | None = None,
    scenarios: Sequence[Scenario] | None = None, notes: str = "",
) -> RubricVersion:
    """Start the next version as a draft: a copy of `based_on` (default: the latest version) with whatever
    content is given replacing the copied one. A rubric has at most one draft at a time."""
    rubric = Rubric.objects.select_for_update().get(pk=rubric.pk)
    if rubric.versions.filter(status=RubricVersionStatus.DRAFT).exists():
        raise Conflict(_("This rubric already has a draft version; edit or delete it first."))
    latest = rubric.versions.order_by("-number").first()
    based_on = based_on or latest
    if based_on.rubric_id != rubric.pk:
        raise ValidationError({"based_on": [_("That version belongs to another rubric.")]})
    version = _new_version(
        actor=actor, rubric=rubric, number=latest.number + 1, based_on=based_on, notes=notes,
        sections=_content_of(based_on) if sections is None else sections,
        channels=based_on.channels if channels is None else channels,
        scenarios=list(based_on.scenarios.all()) if scenarios is None else scenarios,
    )
    audit_record(actor=actor, action="rubric_version.created", obj=version,
                 after=_describe(version) | {"based_on": based_on.pk})
    return version


def _locked_draft(version: RubricVersion) -> RubricVersion:
    version = RubricVersion.objects.select_for_update().get(pk=version.pk)
    if not version.is_draft:
        raise Conflict(_("Version %(number)s is %(status)s and can no longer change; create a new version instead.")
                       % {"number": version.number, "status": STATUS_WORDS[version.status]})
    return version


@transaction.atomic
def rubric_version_update(
    *, actor: Actor, version: RubricVersion, sections: Sequence[dict[str, Any]] | None = None,
    channels: Sequence[str] | None = None, scenarios: Sequence[Scenario] | None = None, notes: str | None = None,
) -> RubricVersion:
    """Change a draft version; what is given replaces what was there (sections replace all sections)."""
    version = _locked_draft(version)
    if notes is not None:
        version.notes = notes
    if channels is not None:
        version.channels = sorted(set(channels))
    if scenarios is not None:
        _write_scenarios(version, scenarios)
    if sections is not None:
        _write_content(version, sections)
    version.save()
    audit_record(actor=actor, action="rubric_version.updated", obj=version, after=_describe(version))
    return version


@transaction.atomic
def rubric_version_publish(*, actor: Actor, version: RubricVersion) -> RubricVersion:
    """Freeze a draft and make it the version new reviews use; the previously published one is retired
    (reviews made with it keep it)."""
    version = _locked_draft(version)
    rubric = Rubric.objects.select_for_update().get(pk=version.rubric_id)
    retired = list(rubric.versions.filter(status=RubricVersionStatus.PUBLISHED).values_list("pk", flat=True))
    rubric.versions.filter(pk__in=retired).update(status=RubricVersionStatus.RETIRED, updated_at=timezone.now())
    version.status = RubricVersionStatus.PUBLISHED
    version.published_at = timezone.now()
    version.published_by = actor.user
    version.save(update_fields=["status", "published_at", "published_by", "updated_at"])
    rubric.published_version = version
    rubric.save(update_fields=["published_version", "updated_at"])
    audit_record(actor=actor, action="rubric_version.published", obj=version,
                 after=_describe(version) | {"retired": retired})
    return version


@transaction.atomic
def rubric_version_delete(*, actor: Actor, version: RubricVersion) -> None:
    version = _locked_draft(version)
    if version.number == 1:
        raise Conflict(_("The first version of a rubric cannot be deleted."))
    audit_record(actor=actor, action="rubric_version.deleted", obj=version, before=_describe(version))
    version.delete()

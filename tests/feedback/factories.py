"""Factories and helpers for QA tests; they build on tests/factories.py."""

from __future__ import annotations

from decimal import Decimal

import factory
from django.utils import timezone

from accounts.models import Membership
from common.actor import Actor
from feedback.models import Rubric, RubricCriterion, RubricSection, RubricVersion
from feedback.services import reviews as review_services
from tests.factories import TenantFactory


class RubricFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Rubric

    tenant = factory.SubFactory(TenantFactory)
    name = factory.Sequence(lambda n: f"Rubric {n}")


class RubricVersionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RubricVersion

    rubric = factory.SubFactory(RubricFactory)
    tenant = factory.SelfAttribute("rubric.tenant")
    number = 1
    status = "published"
    published_at = factory.LazyFunction(timezone.now)


class RubricSectionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RubricSection

    version = factory.SubFactory(RubricVersionFactory)
    tenant = factory.SelfAttribute("version.tenant")
    title = factory.Sequence(lambda n: f"Section {n}")
    position = factory.Sequence(lambda n: n + 1)


class RubricCriterionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RubricCriterion

    section = factory.SubFactory(RubricSectionFactory)
    version = factory.SelfAttribute("section.version")
    tenant = factory.SelfAttribute("section.tenant")
    label = factory.Sequence(lambda n: f"Criterion {n}")
    weight = Decimal("10")
    scale = "1-5"
    position = factory.Sequence(lambda n: n + 1)


# The rubric most tests use: weights 10 (1-5), 20 (binary, critical), 30 (0-10, N/A allowed), 40 (1-3).
STANDARD = [
    {"weight": "10", "scale": "1-5"},
    {"weight": "20", "scale": "binary", "is_critical": True},
    {"weight": "30", "scale": "0-10", "allow_na": True},
    {"weight": "40", "scale": "1-3"},
]


def make_version(tenant, specs=STANDARD, *, status="published", name=None, channels=(), **kwargs) -> RubricVersion:
    """A rubric with one version holding one section with `specs` criteria (in order)."""
    rubric = RubricFactory(tenant=tenant, **({"name": name} if name else {}))
    version = RubricVersionFactory(rubric=rubric, status=status, channels=list(channels),
                                   published_at=timezone.now() if status != "draft" else None, **kwargs)
    if status == "published":
        rubric.published_version = version
        rubric.save(update_fields=["published_version"])
    section = RubricSectionFactory(version=version, position=1, title="Service")
    for position, spec in enumerate(specs, start=1):
        RubricCriterionFactory(section=section, position=position, label=f"C{position}",
                               **{k: (Decimal(v) if k == "weight" else v) for k, v in spec.items()})
    return version


def actor_for(user, tenant) -> Actor:
    membership = Membership.objects.get(tenant=tenant, user=user)
    return Actor(tenant=tenant, role=membership.role, user=user, membership=membership)


def answers_for(version: RubricVersion, ratings: list) -> list[dict]:
    """Answers in criterion order; a rating of None means N/A."""
    criteria = list(version.criteria.order_by("section__position", "position"))
    return [
        {"criterion": c.pk, "rating": r, "na": r is None} for c, r in zip(criteria, ratings, strict=True)
    ]


def published_review(*, inspector, interaction, version, ratings, publisher=None):
    """A review of `interaction` made, submitted and published through the services."""
    tenant = interaction.tenant
    actor = actor_for(inspector, tenant)
    review = review_services.qa_review_create(actor=actor, interaction=interaction, rubric_version=version,
                                              answers=answers_for(version, ratings))
    review = review_services.qa_review_submit(actor=actor, review=review)
    return review_services.qa_review_publish(actor=actor_for(publisher or inspector, tenant), review=review)


def globex_qa_ids(cast) -> dict:
    """QA objects of the other tenant (globex), for tests/test_isolation.py: made once per cast."""
    from datetime import date

    from feedback.models import CalibrationSession, QAAssignment, QAAssignmentBatch, QAReview
    from tests.factories import InteractionFactory

    if not hasattr(cast, "_globex_qa"):
        version = make_version(cast.other_tenant, name="Globex rubric")
        interaction = InteractionFactory(agent=cast.other_agent)
        review = QAReview.objects.create(tenant=cast.other_tenant, interaction=interaction, rubric_version=version,
                                         inspector=cast.outsider)
        batch = QAAssignmentBatch.objects.create(
            tenant=cast.other_tenant, date_from=date(2026, 3, 1), date_to=date(2026, 4, 1),
            team_ids=[cast.other_team.pk], inspector_ids=[cast.outsider.pk], per_agent=1, seed=1)
        assignment = QAAssignment.objects.create(tenant=cast.other_tenant, batch=batch, interaction=interaction,
                                                 agent=cast.other_agent, inspector=cast.outsider)
        session = CalibrationSession.objects.create(tenant=cast.other_tenant, title="g", rubric_version=version,
                                                    lead=cast.outsider)
        cast._globex_qa = {
            "rubrics": version.rubric_id, "rubric-versions": version.pk, "qa-reviews": review.pk,
            "qa-assignments": assignment.pk, "qa-assignment-batches": batch.pk, "calibrations": session.pk,
        }
    return cast._globex_qa

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

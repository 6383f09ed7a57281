"""QA rubrics: a rubric has numbered versions; a version holds sections of weighted criteria.

A draft version is editable; publishing freezes it (later changes are a new version), and reviews keep
the version they were scored with.
"""

from __future__ import annotations

from decimal import Decimal

from django.contrib.postgres.fields import ArrayField
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from common.models import TenantOwnedModel
from feedback.querysets import RubricCriterionQuerySet, RubricQuerySet, RubricVersionQuerySet
from performance.models import Channel


class RatingScale(models.TextChoices):
    BINARY = "binary", _("Pass (1) / fail (0)")
    ONE_TO_THREE = "1-3", _("1 to 3")
    ONE_TO_FIVE = "1-5", _("1 to 5")
    ZERO_TO_TEN = "0-10", _("0 to 10")


# (lowest, highest) rating of each scale.
SCALE_BOUNDS: dict[str, tuple[int, int]] = {
    RatingScale.BINARY: (0, 1),
    RatingScale.ONE_TO_THREE: (1, 3),
    RatingScale.ONE_TO_FIVE: (1, 5),
    RatingScale.ZERO_TO_TEN: (0, 10),
}


class RubricVersionStatus(models.TextChoices):
    DRAFT = "draft", _("Draft (editable)")
    PUBLISHED = "published", _("Published (in use for new reviews)")
    RETIRED = "retired", _("Retired (superseded by a later published version)")


class Rubric(TenantOwnedModel):
    tenant = models.ForeignKey("accounts.Tenant", on_delete=models.CASCADE, related_name="rubrics")
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    published_version = models.ForeignKey(
        "feedback.RubricVersion", on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        help_text="The version new reviews use; null until a version is published.",
    )
    created_by = models.ForeignKey("accounts.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = RubricQuerySet.as_manager()

    class Meta:
        ordering = ["tenant_id", "name", "id"]
        constraints = [models.UniqueConstraint(fields=["tenant", "name"], name="rubric_unique_tenant_name")]

    def __str__(self) -> str:
        return self.name


class RubricVersion(TenantOwnedModel):
    tenant = models.ForeignKey("accounts.Tenant", on_delete=models.CASCADE, related_name="+")
    rubric = models.ForeignKey(Rubric, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    status = models.CharField(max_length=16, choices=RubricVersionStatus.choices, default=RubricVersionStatus.DRAFT)
    notes = models.TextField(blank=True, help_text="What changed in this version.")
    channels = ArrayField(
        models.CharField(max_length=16, choices=Channel.choices), default=list, blank=True,
        help_text="Channels this version may score; empty means every channel.",
    )
    scenarios = models.ManyToManyField(
        "performance.Scenario", through="feedback.RubricVersionScenario", related_name="+", blank=True,
        help_text="Scenarios this version may score; empty means every scenario.",
    )
    based_on = models.ForeignKey("self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_by = models.ForeignKey("accounts.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        "accounts.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = RubricVersionQuerySet.as_manager()

    class Meta:
        ordering = ["tenant_id", "rubric_id", "number"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "rubric", "number"], name="rubricversion_unique_number"),
            models.UniqueConstraint(
                fields=["tenant", "rubric"], condition=Q(status="draft"), name="rubricversion_one_draft"
            ),
            models.UniqueConstraint(
                fields=["tenant", "rubric"], condition=Q(status="published"), name="rubricversion_one_published"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.rubric_id} v{self.number}"

    @property
    def is_draft(self) -> bool:
        return self.status == RubricVersionStatus.DRAFT


class RubricVersionScenario(TenantOwnedModel):
    tenant = models.ForeignKey("accounts.Tenant", on_delete=models.CASCADE, related_name="+")
    version = models.ForeignKey(RubricVersion, on_delete=models.CASCADE, related_name="+")
    scenario = models.ForeignKey("performance.Scenario", on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tenant", "version", "scenario"], name="rubricversionscenario_unique")
        ]


class RubricSection(TenantOwnedModel):
    """A group of criteria (e.g. professional knowledge, communication, service attitude, compliance)."""

    tenant = models.ForeignKey("accounts.Tenant", on_delete=models.CASCADE, related_name="+")
    version = models.ForeignKey(RubricVersion, on_delete=models.CASCADE, related_name="sections")
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    position = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["tenant_id", "version_id", "position"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "version", "position"], name="rubricsection_unique_position")
        ]

    def __str__(self) -> str:
        return self.title


class RubricCriterion(TenantOwnedModel):
    tenant = models.ForeignKey("accounts.Tenant", on_delete=models.CASCADE, related_name="+")
    version = models.ForeignKey(RubricVersion, on_delete=models.CASCADE, related_name="criteria")
    section = models.ForeignKey(RubricSection, on_delete=models.CASCADE, related_name="criteria")
    label = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    weight = models.DecimalField(
        max_digits=7, decimal_places=2, validators=[MinValueValidator(Decimal("0.01"))],
        help_text="Points this criterion is worth.",
    )
    scale = models.CharField(max_length=8, choices=RatingScale.choices)
    allow_na = models.BooleanField(default=False, help_text="May be answered N/A (then it leaves the score).")
    is_critical = models.BooleanField(
        default=False, help_text="Rated below 50% of its scale, it fails the whole review (total 0)."
    )
    position = models.PositiveSmallIntegerField(help_text="Order within the section.")

    objects = RubricCriterionQuerySet.as_manager()

    class Meta:
        ordering = ["tenant_id", "version_id", "section__position", "position"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "section", "position"], name="rubriccriterion_unique_position"),
            models.CheckConstraint(condition=Q(weight__gt=0), name="rubriccriterion_weight_positive"),
        ]
        indexes = [models.Index(fields=["tenant", "version"], name="rubriccriterion_tenant_version")]

    def __str__(self) -> str:
        return self.label

    @property
    def bounds(self) -> tuple[int, int]:
        return SCALE_BOUNDS[self.scale]

"""One row of every tenant-owned model per tenant, built from the models' fields (so a new model is covered
without writing a maker): required fields get a value of their type, foreign keys a row of the same tenant
(built first), the tenant foreign key the tenant. A few check constraints need a specific value (OVERRIDES)."""

from __future__ import annotations

import itertools
import uuid
from datetime import timedelta
from decimal import Decimal

from django.apps import apps
from django.db import models
from django.utils import timezone

from accounts.models import Tenant

_counter = itertools.count(1)


def _related(label: str):
    return lambda tenant, made: row_for(apps.get_model(label), tenant, made)


# Values a table's check constraints need (field -> value, or a function of the tenant and the rows made).
OVERRIDES: dict[str, dict[str, object]] = {
    "feedback.QAAssignmentBatch": {"per_agent": 1, "percent": None},
    "feedback.QAReviewAnswer": {"is_na": True, "rating": None},
    "feedback.Appeal": {"level": 1, "review": _related("feedback.QAReview")},
    "performance.Award": {"agent": _related("accounts.Agent"), "source": "discretionary"},
    "feedback.AssessmentQuestion": {"scale_min": 1, "scale_max": 5},
    "feedback.AssessmentRequest": {"rater_kind": "customer", "hashed_token": lambda tenant, made: f"rls{tenant.pk}"},
    "feedback.AssessmentResponse": {"rater_kind": "peer"},
    "performance.TenantKpiValue": {"value": Decimal(1)},
    "performance.AlertRule": {"scope": "tenant", "channel": ""},
}


def tenant_models() -> list[type[models.Model]]:
    """Every concrete model with a tenant_id column."""
    return [model for model in apps.get_models()
            if not model._meta.proxy and any(f.column == "tenant_id" for f in model._meta.concrete_fields)]


def _scalar(field: models.Field, n: int):
    if field.choices:
        return field.flatchoices[0][0]
    kind = field.get_internal_type()
    if kind in ("CharField", "TextField", "SlugField"):
        return f"rls{n}"[: field.max_length or 40]
    if kind == "EmailField":
        return f"rls{n}@rls.test"
    if kind in ("IntegerField", "BigIntegerField", "SmallIntegerField", "PositiveIntegerField",
                "PositiveSmallIntegerField", "PositiveBigIntegerField"):
        return n % 30 + 1
    if kind == "DecimalField":
        return Decimal(n % 9 + 1)
    if kind == "FloatField":
        return float(n)
    if kind == "BooleanField":
        return False
    if kind == "DateTimeField":
        return timezone.now() + timedelta(minutes=n)
    if kind == "DateField":
        return timezone.now().date() + timedelta(days=n)
    if kind == "DurationField":
        return timedelta(seconds=n)
    if kind == "JSONField":
        return {}
    if kind == "UUIDField":
        return uuid.uuid4()
    if kind in ("FileField", "ImageField"):
        return f"rls/{n}.txt"
    if kind == "GenericIPAddressField":
        return "127.0.0.1"
    if kind == "BinaryField":
        return b"rls"
    if kind == "ArrayField":
        return []
    raise NotImplementedError(f"tests/rls/rows.py: no value for a {kind} ({field.model.__name__}.{field.name})")


def row_for(model: type[models.Model], tenant: Tenant, made: dict) -> models.Model:
    """The row of `model` for `tenant` (made once, with its required foreign keys)."""
    key = (model._meta.label, tenant.pk)
    if key in made:
        return made[key]
    if model is Tenant:
        return tenant
    values = {}
    for field in model._meta.concrete_fields:
        if field.primary_key or (field.null and not field.is_relation) or field.has_default() or (
                getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False)):
            continue
        if field.is_relation:
            if field.null or field.related_model is model:
                continue
            values[field.name] = row_for(field.related_model, tenant, made)
        else:
            values[field.name] = _scalar(field, next(_counter))
    for name, value in OVERRIDES.get(model._meta.label, {}).items():
        values[name] = value(tenant, made) if callable(value) else value
    made[key] = model._base_manager.bulk_create([model(**values)])[0]
    return made[key]


def rows_for_tenants(*tenants: Tenant) -> dict:
    made: dict = {}
    for tenant in tenants:
        for model in tenant_models():
            row_for(model, tenant, made)
    return made

"""The base of every tenant-owned model, the one queryset that scopes it, and idempotency records."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import models

if TYPE_CHECKING:
    from common.actor import Actor


class TenantScopedQuerySet(models.QuerySet):
    """A queryset that knows how to narrow itself to what one actor may see or change.

    Subclasses implement `restrict(actor, action)`; callers use `for_actor`, which first
    pins the tenant so no rule can leak another tenant's rows.
    """

    def for_actor(self, actor: Actor, action: str = "view") -> TenantScopedQuerySet:
        return self.filter(tenant_id=actor.tenant.pk).restrict(actor, action)

    def restrict(self, actor: Actor, action: str) -> TenantScopedQuerySet:
        return self if actor.is_admin else self.none()


class TenantOwnedModel(models.Model):
    tenant = models.ForeignKey("accounts.Tenant", on_delete=models.CASCADE, related_name="+")

    objects = TenantScopedQuerySet.as_manager()

    class Meta:
        abstract = True


class IdempotencyRecord(models.Model):
    """The stored outcome of a POST sent with an Idempotency-Key, so a retry replays it instead of acting twice."""

    tenant = models.ForeignKey("accounts.Tenant", on_delete=models.CASCADE, related_name="+")
    principal = models.CharField(max_length=40, help_text='"user:<id>" or "key:<id>"')
    key = models.CharField(max_length=255)
    method = models.CharField(max_length=8)
    path = models.CharField(max_length=512)
    request_hash = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    response_body = models.JSONField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tenant", "principal", "key"], name="idempotency_unique_key"),
        ]
        indexes = [models.Index(fields=["created_at"], name="idempotency_created")]

    def __str__(self) -> str:
        return f"{self.principal} {self.key}"

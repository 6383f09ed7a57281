"""Input fields of the QA API."""

from rest_framework import serializers


class TenantPrimaryKeyRelatedField(serializers.PrimaryKeyRelatedField):
    """A foreign key that must point into the actor's tenant; which rows the actor may use is checked by
    the service (e.g. an interaction may be reviewable through a grant, an assignment or a calibration)."""

    def get_queryset(self):
        actor = self.context.get("actor")
        queryset = super().get_queryset()
        return queryset.none() if actor is None else queryset.filter(tenant_id=actor.tenant.pk)

import django_filters

from accounts.models import (
    Agent,
    APIKey,
    AuditEvent,
    GrantPermission,
    Invitation,
    InvitationStatus,
    Membership,
    Team,
    TeamGrant,
    Tenant,
    User,
)
from common.filters import BoundedDateTimeFilter, ScopedFilterSet, ScopedModelChoiceFilter


class MembershipFilter(ScopedFilterSet):
    email = django_filters.CharFilter(field_name="user__email", lookup_expr="icontains")

    class Meta:
        model = Membership
        fields = ["role", "is_active"]


class InvitationFilter(ScopedFilterSet):
    email = django_filters.CharFilter(lookup_expr="icontains")
    status = django_filters.ChoiceFilter(choices=InvitationStatus.choices, method="filter_status")

    class Meta:
        model = Invitation
        fields = ["email", "role", "status"]

    def filter_status(self, queryset, name, value):
        return queryset.with_status(value)


class AgentFilter(ScopedFilterSet):
    class Meta:
        model = Agent
        fields = ["team", "is_active"]


class GrantFilter(ScopedFilterSet):
    team = ScopedModelChoiceFilter(field_name="content_object", model=Team)
    user = ScopedModelChoiceFilter(model=User)
    permission = django_filters.ChoiceFilter(choices=GrantPermission.choices, method="filter_permission")

    class Meta:
        model = TeamGrant
        fields = ["team", "user", "permission"]

    def filter_permission(self, queryset, name, value):
        return queryset.filter(permission__codename=GrantPermission(value).codename)


class AuditEventFilter(ScopedFilterSet):
    actor_user = ScopedModelChoiceFilter(model=User)
    actor_api_key = ScopedModelChoiceFilter(model=APIKey)
    action = django_filters.CharFilter()
    action_prefix = django_filters.CharFilter(field_name="action", lookup_expr="startswith")
    object_type = django_filters.CharFilter()
    object_id = django_filters.CharFilter()
    since = BoundedDateTimeFilter(field_name="at", lookup_expr="gte")
    until = BoundedDateTimeFilter(field_name="at", lookup_expr="lt")

    class Meta:
        model = AuditEvent
        fields = ["actor_user", "actor_api_key", "action", "object_type", "object_id"]


class TenantFilter(ScopedFilterSet):
    class Meta:
        model = Tenant
        fields = ["is_active"]

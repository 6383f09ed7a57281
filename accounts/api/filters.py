import django_filters

from accounts.models import Agent, AuditEvent, GrantPermission, Invitation, InvitationStatus, Membership, TeamGrant


class MembershipFilter(django_filters.FilterSet):
    email = django_filters.CharFilter(field_name="user__email", lookup_expr="icontains")

    class Meta:
        model = Membership
        fields = ["role", "is_active"]


class InvitationFilter(django_filters.FilterSet):
    email = django_filters.CharFilter(lookup_expr="icontains")
    status = django_filters.ChoiceFilter(choices=InvitationStatus.choices, method="filter_status")

    class Meta:
        model = Invitation
        fields = ["email", "role", "status"]

    def filter_status(self, queryset, name, value):
        return queryset.with_status(value)


class AgentFilter(django_filters.FilterSet):
    class Meta:
        model = Agent
        fields = ["team", "is_active"]


class GrantFilter(django_filters.FilterSet):
    team = django_filters.NumberFilter(field_name="content_object_id")
    user = django_filters.NumberFilter(field_name="user_id")
    permission = django_filters.ChoiceFilter(choices=GrantPermission.choices, method="filter_permission")

    class Meta:
        model = TeamGrant
        fields = ["team", "user", "permission"]

    def filter_permission(self, queryset, name, value):
        return queryset.filter(permission__codename=GrantPermission(value).codename)


class AuditEventFilter(django_filters.FilterSet):
    actor_user = django_filters.NumberFilter(field_name="actor_user_id")
    actor_api_key = django_filters.NumberFilter(field_name="actor_api_key_id")
    action = django_filters.CharFilter()
    action_prefix = django_filters.CharFilter(field_name="action", lookup_expr="startswith")
    object_type = django_filters.CharFilter()
    object_id = django_filters.CharFilter()
    since = django_filters.IsoDateTimeFilter(field_name="at", lookup_expr="gte")
    until = django_filters.IsoDateTimeFilter(field_name="at", lookup_expr="lt")

    class Meta:
        model = AuditEvent
        fields = ["actor_user", "actor_api_key", "action", "object_type", "object_id"]

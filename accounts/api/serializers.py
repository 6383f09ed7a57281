from __future__ import annotations

from django.contrib.auth.password_validation import validate_password
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.models import Agent, APIKey, AuditEvent, GrantPermission, Membership, Role, Team, TeamGrant, User
from common.fields import ScopedPrimaryKeyRelatedField


@extend_schema_field(OpenApiTypes.INT)
class MemberUserField(serializers.PrimaryKeyRelatedField):
    """A user id that must belong to an active member of the actor's tenant."""

    def get_queryset(self):
        actor = self.context.get("actor")
        if actor is None:
            return User.objects.none()
        return User.objects.filter(memberships__tenant=actor.tenant, memberships__is_active=True)


class UserSummarySerializer(serializers.ModelSerializer):
    class Meta:
        model = User
        fields = ["id", "email", "full_name"]


class MeTenantSerializer(serializers.Serializer):
    slug = serializers.CharField(source="tenant.slug")
    name = serializers.CharField(source="tenant.name")
    time_zone = serializers.CharField(source="tenant.time_zone")
    currency = serializers.CharField(source="tenant.currency")
    role = serializers.ChoiceField(choices=Role.choices)


class MeSerializer(serializers.ModelSerializer):
    id = serializers.IntegerField(read_only=True, allow_null=True, help_text="null for an integration key.")
    email = serializers.EmailField(read_only=True, allow_null=True, help_text="null for an integration key.")
    tenants = serializers.SerializerMethodField()

    class Meta:
        model = User
        fields = ["id", "email", "full_name", "tenants"]

    @extend_schema_field(MeTenantSerializer(many=True))
    def get_tenants(self, user: User) -> list[dict]:
        return MeTenantSerializer(self.context["memberships"], many=True).data


class MembershipSerializer(serializers.ModelSerializer):
    user = UserSummarySerializer(read_only=True)

    class Meta:
        model = Membership
        fields = ["id", "user", "role", "is_active", "created_at", "updated_at"]
        read_only_fields = fields


class MembershipCreateSerializer(serializers.Serializer):
    email = serializers.EmailField()
    role = serializers.ChoiceField(choices=Role.choices)
    full_name = serializers.CharField(max_length=200, required=False, default="")
    password = serializers.CharField(
        write_only=True, required=False, allow_null=True, default=None,
        help_text="Initial password when the email has no account yet; ignored for existing users.",
    )

    def validate_password(self, value: str | None) -> str | None:
        if value:
            validate_password(value)
        return value


class MembershipRoleSerializer(serializers.Serializer):
    role = serializers.ChoiceField(choices=Role.choices)


class TeamSerializer(serializers.ModelSerializer):
    agent_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Team
        fields = ["id", "name", "description", "agent_count", "created_at", "updated_at"]
        read_only_fields = ["id", "agent_count", "created_at", "updated_at"]


class AgentSerializer(serializers.ModelSerializer):
    team = ScopedPrimaryKeyRelatedField(queryset=Team.objects.all(), scope_action="manage", allow_null=True,
                                        required=False)
    user = MemberUserField(allow_null=True, required=False,
                           help_text="A member of this tenant whose login sees this agent's results.")

    class Meta:
        model = Agent
        fields = ["id", "team", "employee_code", "display_name", "user", "is_active", "hired_on", "created_at",
                  "updated_at"]
        read_only_fields = ["id", "created_at", "updated_at"]

    def validate(self, attrs):
        actor = self.context["actor"]
        if not actor.is_admin and "team" in attrs and attrs["team"] is None:
            raise serializers.ValidationError({"team": ["Only admins may leave an agent without a team."]})
        if not actor.is_admin and self.instance is None and "team" not in attrs:
            raise serializers.ValidationError({"team": ["This field is required."]})
        return attrs


class AgentBulkCreateSerializer(serializers.Serializer):
    agents = AgentSerializer(many=True, allow_empty=False, max_length=1000)


class APIKeySerializer(serializers.ModelSerializer):
    created_by = UserSummarySerializer(read_only=True)

    class Meta:
        model = APIKey
        fields = ["id", "name", "prefix", "created_by", "created_at", "last_used_at", "revoked_at"]
        read_only_fields = fields


class APIKeyCreateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=120)


class APIKeyCreatedSerializer(APIKeySerializer):
    key = serializers.CharField(read_only=True, help_text="The full key. Shown once; store it now.")

    class Meta(APIKeySerializer.Meta):
        fields = [*APIKeySerializer.Meta.fields, "key"]
        read_only_fields = fields


class GrantSerializer(serializers.ModelSerializer):
    user = UserSummarySerializer(read_only=True)
    team = serializers.PrimaryKeyRelatedField(source="content_object", read_only=True)
    permission = serializers.CharField(source="grant", read_only=True)
    granted_by = UserSummarySerializer(read_only=True)

    class Meta:
        model = TeamGrant
        fields = ["id", "user", "team", "permission", "granted_by", "created_at"]
        read_only_fields = fields


class GrantCreateSerializer(serializers.Serializer):
    user = MemberUserField(help_text="Id of an active member of this tenant.")
    team = ScopedPrimaryKeyRelatedField(queryset=Team.objects.all(), scope_action="manage")
    permission = serializers.ChoiceField(choices=GrantPermission.choices)


class AuditEventSerializer(serializers.ModelSerializer):
    actor_user = UserSummarySerializer(read_only=True)
    actor_api_key = serializers.SlugRelatedField(slug_field="prefix", read_only=True)

    class Meta:
        model = AuditEvent
        fields = ["id", "at", "actor_user", "actor_api_key", "action", "object_type", "object_id", "changes",
                  "request_id"]
        read_only_fields = fields

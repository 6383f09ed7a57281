from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.contrib.rest_framework_simplejwt import (
    TokenObtainPairSerializerExtension,
    TokenRefreshSerializerExtension,
)
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework_simplejwt import serializers as jwt

from accounts.models import (
    Agent,
    APIKey,
    AuditEvent,
    GrantPermission,
    Invitation,
    InvitationStatus,
    LeaderboardVisibility,
    Membership,
    Role,
    Team,
    TeamGrant,
    Tenant,
    User,
)
from accounts.services.tenants import LANGUAGES, tenant_settings
from common.fields import ScopedPrimaryKeyRelatedField
from common.serializers import StrictFieldsMixin, StrictModelSerializer, StrictSerializer


class TokenObtainPairSerializer(StrictFieldsMixin, jwt.TokenObtainPairSerializer):
    """simplejwt's login body, strict like every other input (same name, so the schema is unchanged)."""


class TokenRefreshSerializer(StrictFieldsMixin, jwt.TokenRefreshSerializer):
    """simplejwt's refresh body, strict like every other input."""


class TokenObtainPairSchema(TokenObtainPairSerializerExtension):
    target_class = TokenObtainPairSerializer


class TokenRefreshSchema(TokenRefreshSerializerExtension):
    target_class = TokenRefreshSerializer


@extend_schema_field(OpenApiTypes.INT)
class MemberUserField(serializers.PrimaryKeyRelatedField):
    """A user id that must belong to an active member of the actor's tenant."""

    def get_queryset(self):
        actor = self.context.get("actor")
        if actor is None:
            return User.objects.none()
        return User.objects.filter(memberships__tenant=actor.tenant, memberships__is_active=True)


class UserSummarySerializer(StrictModelSerializer):
    class Meta:
        model = User
        fields = ["id", "email", "full_name"]


class MeTenantSerializer(StrictSerializer):
    slug = serializers.CharField(source="tenant.slug")
    name = serializers.CharField(source="tenant.name")
    time_zone = serializers.CharField(source="tenant.time_zone")
    currency = serializers.CharField(source="tenant.currency")
    default_language = serializers.CharField(source="tenant.default_language")
    role = serializers.ChoiceField(choices=Role.choices)


class MeSerializer(StrictModelSerializer):
    id = serializers.IntegerField(read_only=True, allow_null=True, help_text="null for an integration key.")
    email = serializers.EmailField(read_only=True, allow_null=True, help_text="null for an integration key.")
    tenants = serializers.SerializerMethodField()

    class Meta:
        model = User
        fields = ["id", "email", "full_name", "language", "tenants"]

    @extend_schema_field(MeTenantSerializer(many=True))
    def get_tenants(self, user: User) -> list[dict]:
        return MeTenantSerializer(self.context["memberships"], many=True).data


class MeUpdateSerializer(StrictModelSerializer):
    class Meta:
        model = User
        fields = ["full_name", "language"]
        extra_kwargs = {"language": {"help_text": "en or zh-hans; blank: use the tenant's default language."}}


class MembershipSerializer(StrictModelSerializer):
    user = UserSummarySerializer(read_only=True)

    class Meta:
        model = Membership
        fields = ["id", "user", "role", "is_active", "created_at", "updated_at"]
        read_only_fields = fields


class MembershipRoleSerializer(StrictSerializer):
    role = serializers.ChoiceField(choices=Role.choices)


class TeamSerializer(StrictModelSerializer):
    agent_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Team
        fields = ["id", "name", "description", "agent_count", "created_at", "updated_at"]
        read_only_fields = ["id", "agent_count", "created_at", "updated_at"]


class AgentSerializer(StrictModelSerializer):
    team = ScopedPrimaryKeyRelatedField(queryset=Team.objects.all(), scope_action="manage", allow_null=True,
                                        required=False)
    user = MemberUserField(allow_null=True, required=False,
                           help_text="A member of this tenant with the agent role whose login sees this agent's "
                                     "results. Only admins may set or change it.")

    class Meta:
        model = Agent
        fields = ["id", "team", "employee_code", "display_name", "user", "is_active", "hired_on", "base_amount",
                  "created_at", "updated_at"]
        read_only_fields = ["id", "created_at", "updated_at"]

    def validate(self, attrs):
        actor = self.context["actor"]
        if not actor.is_admin and "base_amount" in attrs:
            raise serializers.ValidationError({"base_amount": [_("Only admins may set the base amount.")]})
        if not actor.is_admin and "team" in attrs and attrs["team"] is None:
            raise serializers.ValidationError({"team": [_("Only admins may leave an agent without a team.")]})
        if not actor.is_admin and self.instance is None and "team" not in attrs:
            raise serializers.ValidationError({"team": [self.fields["team"].error_messages["required"]]})
        return attrs


class AgentBulkCreateSerializer(StrictSerializer):
    agents = AgentSerializer(many=True, allow_empty=False, max_length=1000)


class APIKeySerializer(StrictModelSerializer):
    created_by = UserSummarySerializer(read_only=True)

    class Meta:
        model = APIKey
        fields = ["id", "name", "prefix", "created_by", "created_at", "last_used_at", "revoked_at"]
        read_only_fields = fields


class APIKeyCreateSerializer(StrictSerializer):
    name = serializers.CharField(max_length=120)


class APIKeyCreatedSerializer(APIKeySerializer):
    key = serializers.CharField(read_only=True, allow_null=True, help_text=(
        "The full key. Shown once; store it now. Null in a replay of the request (Idempotency-Key): the key is not "
        "kept."))

    class Meta(APIKeySerializer.Meta):
        fields = [*APIKeySerializer.Meta.fields, "key"]
        read_only_fields = fields


class GrantSerializer(StrictModelSerializer):
    user = UserSummarySerializer(read_only=True)
    team = serializers.PrimaryKeyRelatedField(source="content_object", read_only=True)
    permission = serializers.CharField(source="grant", read_only=True)
    granted_by = UserSummarySerializer(read_only=True)

    class Meta:
        model = TeamGrant
        fields = ["id", "user", "team", "permission", "granted_by", "created_at"]
        read_only_fields = fields


class GrantCreateSerializer(StrictSerializer):
    user = MemberUserField(help_text="Id of an active member of this tenant.")
    team = ScopedPrimaryKeyRelatedField(queryset=Team.objects.all(), scope_action="manage")
    permission = serializers.ChoiceField(choices=GrantPermission.choices)


class AuditEventSerializer(StrictModelSerializer):
    actor_user = UserSummarySerializer(read_only=True)
    actor_api_key = serializers.SlugRelatedField(slug_field="prefix", read_only=True)

    class Meta:
        model = AuditEvent
        fields = ["id", "at", "actor_user", "actor_api_key", "action", "object_type", "object_id", "changes",
                  "request_id"]
        read_only_fields = fields


class InvitationSerializer(StrictModelSerializer):
    status = serializers.ChoiceField(source="current_status", choices=InvitationStatus.choices, read_only=True,
                                     help_text="`expired` once `expires_at` has passed without the invitation "
                                               "being accepted.")
    invited_by = UserSummarySerializer(read_only=True, allow_null=True)
    accepted_by = UserSummarySerializer(read_only=True, allow_null=True)

    class Meta:
        model = Invitation
        fields = ["id", "email", "role", "full_name", "status", "expires_at", "sent_at", "invited_by", "accepted_at",
                  "accepted_by", "created_at", "updated_at"]
        read_only_fields = fields


class InvitationCreateSerializer(StrictSerializer):
    email = serializers.EmailField()
    role = serializers.ChoiceField(choices=Role.choices)
    full_name = serializers.CharField(max_length=200, required=False, default="",
                                      help_text="Suggested name for the account, if the person has none yet.")


class InvitationPreviewSerializer(StrictModelSerializer):
    tenant = serializers.CharField(source="tenant.name", read_only=True, help_text="The inviting tenant's name.")

    class Meta:
        model = Invitation
        fields = ["tenant", "role", "email", "expires_at"]
        read_only_fields = fields


class InvitationAcceptSerializer(StrictSerializer):
    full_name = serializers.CharField(max_length=200, required=False, default="",
                                      help_text="For a new account (defaults to the name the admin suggested).")
    password = serializers.CharField(write_only=True, required=False, allow_null=True, default=None,
                                     style={"input_type": "password"},
                                     help_text="For a new account. Not used when the email already has an account: "
                                               "log in as it and accept without a password.")


class AcceptedMembershipSerializer(MeTenantSerializer):
    email = serializers.EmailField(source="user.email")


class TenantSettingsSerializer(StrictSerializer):
    appeal_window_days = serializers.IntegerField(min_value=1, required=False)
    appeal_sla_days = serializers.IntegerField(min_value=1, required=False)
    max_appeals_per_review = serializers.IntegerField(min_value=1, required=False)
    qa_pass_mark = serializers.DecimalField(max_digits=5, decimal_places=2, min_value=0, max_value=100,
                                            required=False)
    invitation_expiry_days = serializers.IntegerField(min_value=1, max_value=90, required=False)
    default_language = serializers.ChoiceField(
        choices=LANGUAGES, required=False,
        help_text="Language of messages and mail for members without a preference of their own.")
    appeal_attachment_max_bytes = serializers.IntegerField(min_value=1024, max_value=50 * 2**20, required=False)
    appeal_attachment_types = serializers.ListField(child=serializers.CharField(max_length=16), required=False,
                                                    help_text="File extensions, e.g. pdf, png.")
    leaderboard_visibility = serializers.ChoiceField(
        choices=LeaderboardVisibility.choices, required=False,
        help_text="What agents see on leaderboards: names (everyone's names) or own_position (only their own "
                  "row, with anonymized neighbours).")
    assessment_min_responses = serializers.IntegerField(
        min_value=2, max_value=50, required=False,
        help_text="Peer and customer assessment answers are shown (and scored) only from this many responses on.")


@extend_schema_field(TenantSettingsSerializer)
class TenantSettingsField(serializers.DictField):
    """Any object in; the service checks the keys and types, so unknown settings are refused by name."""


class TenantSerializer(StrictModelSerializer):
    settings = serializers.SerializerMethodField()

    class Meta:
        model = Tenant
        fields = ["id", "slug", "name", "time_zone", "currency", "settings", "is_active", "created_at"]
        read_only_fields = fields

    @extend_schema_field(TenantSettingsSerializer)
    def get_settings(self, tenant: Tenant) -> dict:
        return TenantSettingsSerializer(tenant_settings(tenant)).data


class FirstAdminSerializer(StrictSerializer):
    email = serializers.EmailField(help_text="Receives an invitation to become the tenant's admin.")
    full_name = serializers.CharField(max_length=200, required=False, default="")


class TenantCreateSerializer(StrictSerializer):
    slug = serializers.CharField(max_length=60)
    name = serializers.CharField(max_length=200)
    time_zone = serializers.CharField(max_length=64, default="UTC", help_text="An IANA time zone, e.g. Asia/Shanghai.")
    currency = serializers.CharField(max_length=3, default="CNY", help_text="An ISO 4217 code, e.g. CNY.")
    settings = TenantSettingsField(required=False, default=dict)
    first_admin = FirstAdminSerializer()


class TenantCreatedSerializer(TenantSerializer):
    first_admin_invitation = InvitationSerializer(read_only=True, allow_null=True)

    class Meta(TenantSerializer.Meta):
        fields = [*TenantSerializer.Meta.fields, "first_admin_invitation"]
        read_only_fields = fields

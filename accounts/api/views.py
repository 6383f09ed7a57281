from __future__ import annotations

from django.db.models import Count
from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework_simplejwt.views import TokenObtainPairView, TokenRefreshView

from accounts import services
from accounts.api import filters, serializers
from accounts.models import Agent, APIKey, AuditEvent, Invitation, Membership, Team, TeamGrant
from common import rls
from common.idempotency import shown_once
from common.pagination import NewestFirstCursorPagination
from common.query import StrictQueryParamsMixin
from common.viewsets import ADMIN_ONLY, ALL_MEMBER_ROLES, TenantScopedViewSet

STAFF_ROLES = frozenset({"admin", "supervisor", "qa_lead", "qa_inspector"})
TEAM_MANAGERS = frozenset({"admin", "supervisor"})


@extend_schema_view(post=extend_schema(
    summary="Log in with email and password",
    description="Returns an access token (send it as `Authorization: Bearer <access>`) and a refresh token. "
                "Wrong credentials are 401; attempts are rate-limited per client (429)."))
class ThrottledTokenObtainPairView(StrictQueryParamsMixin, TokenObtainPairView):
    """Log in with email and password; returns an access and a refresh token."""

    serializer_class = serializers.TokenObtainPairSerializer
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "auth"


@extend_schema_view(post=extend_schema(
    summary="Trade a refresh token for a new access token",
    description="Also returns a new refresh token: the one sent is blacklisted and cannot be used again (401). "
                "Rate-limited per client (429)."))
class ThrottledTokenRefreshView(StrictQueryParamsMixin, TokenRefreshView):
    """Trade a refresh token for a new access token (and a new refresh token; the old one is blacklisted)."""

    serializer_class = serializers.TokenRefreshSerializer
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "auth"


class MeView(StrictQueryParamsMixin, GenericAPIView):
    permission_classes = [IsAuthenticated]
    serializer_class = serializers.MeSerializer

    @extend_schema(summary="The current user and their tenants with roles")
    def get(self, request):
        if request.user.pk is None:  # an integration key has no person behind it
            return Response({"id": None, "email": None, "full_name": "", "language": "", "tenants": []})
        return Response(self._me(request.user))

    @extend_schema(summary="Change your name or preferred language", request=serializers.MeUpdateSerializer,
                   responses=serializers.MeSerializer)
    def patch(self, request):
        if request.user.pk is None:
            raise PermissionDenied(_("An integration key has no profile."))
        payload = serializers.MeUpdateSerializer(request.user, data=request.data, partial=True)
        payload.is_valid(raise_exception=True)
        user = services.user_update_profile(user=request.user, **payload.validated_data)
        return Response(self._me(user))

    def _me(self, user) -> dict:
        memberships = Membership.objects.active().filter(tenant__is_active=True, user_id=user.pk)
        memberships = memberships.select_related("tenant").order_by("tenant__slug")
        with rls.all_tenants():  # the user's own memberships, in every tenant
            return self.get_serializer(user, context={"memberships": memberships}).data


@extend_schema_view(
    list=extend_schema(summary="List members"),
    retrieve=extend_schema(summary="Get a member"),
    partial_update=extend_schema(summary="Change a member's role", request=serializers.MembershipRoleSerializer,
                                 responses=serializers.MembershipSerializer),
)
class MembershipViewSet(TenantScopedViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    queryset = Membership.objects.select_related("user")
    serializer_class = serializers.MembershipSerializer
    filterset_class = filters.MembershipFilter
    search_fields = ["user__email", "user__full_name"]
    ordering_fields = ["created_at", "role", "id"]
    ordering = ["id"]
    action_roles = {"list": ADMIN_ONLY, "retrieve": ADMIN_ONLY, "partial_update": ADMIN_ONLY,
                    "deactivate": ADMIN_ONLY}
    http_method_names = ["get", "post", "patch", "head", "options"]

    def partial_update(self, request, tenant_slug, pk):
        membership = self.get_object()
        payload = serializers.MembershipRoleSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        membership = services.membership_change_role(actor=self.actor, membership=membership,
                                                     role=payload.validated_data["role"])
        return Response(self.get_serializer(membership).data)

    @extend_schema(summary="Deactivate a member (they lose access to this tenant)", request=None,
                   responses=serializers.MembershipSerializer)
    @action(detail=True, methods=["post"])
    def deactivate(self, request, tenant_slug, pk):
        membership = services.membership_deactivate(actor=self.actor, membership=self.get_object())
        return Response(self.get_serializer(membership).data)


@extend_schema_view(
    list=extend_schema(summary="List invitations (newest first)"),
    retrieve=extend_schema(summary="Get an invitation"),
)
class InvitationViewSet(TenantScopedViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    # People join a tenant by accepting an invitation; members/ has no create.
    queryset = Invitation.objects.select_related("invited_by", "accepted_by")
    serializer_class = serializers.InvitationSerializer
    filterset_class = filters.InvitationFilter
    search_fields = ["email", "full_name"]
    ordering_fields = ["created_at", "expires_at", "email", "id"]
    ordering = ["-created_at", "-id"]
    action_roles = {"list": ADMIN_ONLY, "retrieve": ADMIN_ONLY, "create": ADMIN_ONLY, "resend": ADMIN_ONLY,
                    "revoke": ADMIN_ONLY}
    object_scopes = {"resend": "manage", "revoke": "manage"}

    @extend_schema(summary="Invite a person by email; they get a link by mail to accept",
                   request=serializers.InvitationCreateSerializer, responses={201: serializers.InvitationSerializer})
    def create(self, request, tenant_slug):
        payload = serializers.InvitationCreateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        invitation, _token = services.invitation_create(actor=self.actor, **payload.validated_data)
        return Response(self.get_serializer(invitation).data, status=status.HTTP_201_CREATED)

    @extend_schema(summary="Send a pending or expired invitation again (new link, new expiry)", request=None,
                   responses=serializers.InvitationSerializer)
    @action(detail=True, methods=["post"])
    def resend(self, request, tenant_slug, pk):
        invitation, _token = services.invitation_resend(actor=self.actor, invitation=self.get_object())
        return Response(self.get_serializer(invitation).data)

    @extend_schema(summary="Revoke an invitation (its link stops working)", request=None,
                   responses=serializers.InvitationSerializer)
    @action(detail=True, methods=["post"])
    def revoke(self, request, tenant_slug, pk):
        invitation = services.invitation_revoke(actor=self.actor, invitation=self.get_object())
        return Response(self.get_serializer(invitation).data)


@extend_schema_view(
    list=extend_schema(summary="List teams"),
    retrieve=extend_schema(summary="Get a team"),
    create=extend_schema(summary="Create a team"),
    partial_update=extend_schema(summary="Update a team"),
    update=extend_schema(summary="Replace a team"),
    destroy=extend_schema(summary="Delete an empty team", responses={204: None, 409: OpenApiResponse(
        description="The team still has agents")}),
)
class TeamViewSet(TenantScopedViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    queryset = Team.objects.annotate(agent_count=Count("agents"))
    serializer_class = serializers.TeamSerializer
    search_fields = ["name"]
    ordering_fields = ["name", "created_at", "id"]
    ordering = ["name", "id"]
    action_roles = {"list": ALL_MEMBER_ROLES, "retrieve": ALL_MEMBER_ROLES, "create": ADMIN_ONLY,
                    "update": ADMIN_ONLY, "partial_update": ADMIN_ONLY, "destroy": ADMIN_ONLY}

    def create(self, request, tenant_slug):
        payload = self.get_serializer(data=request.data)
        payload.is_valid(raise_exception=True)
        team = services.team_create(actor=self.actor, **payload.validated_data)
        team.agent_count = 0
        return Response(self.get_serializer(team).data, status=status.HTTP_201_CREATED)

    def update(self, request, tenant_slug, pk, partial=False):
        team = self.get_object()
        payload = self.get_serializer(team, data=request.data, partial=partial)
        payload.is_valid(raise_exception=True)
        team = services.team_update(actor=self.actor, team=team, **payload.validated_data)
        return Response(self.get_serializer(team).data)

    def partial_update(self, request, tenant_slug, pk):
        return self.update(request, tenant_slug, pk, partial=True)

    def destroy(self, request, tenant_slug, pk):
        services.team_delete(actor=self.actor, team=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema_view(
    list=extend_schema(summary="List agents"),
    retrieve=extend_schema(summary="Get an agent"),
    create=extend_schema(summary="Create an agent"),
    partial_update=extend_schema(summary="Update an agent"),
    update=extend_schema(summary="Replace an agent"),
    destroy=extend_schema(summary="Delete an agent"),
)
class AgentViewSet(TenantScopedViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    queryset = Agent.objects.all()
    serializer_class = serializers.AgentSerializer
    filterset_class = filters.AgentFilter
    search_fields = ["display_name", "employee_code"]
    ordering_fields = ["employee_code", "display_name", "hired_on", "created_at", "id"]
    ordering = ["employee_code", "id"]
    action_roles = {"list": ALL_MEMBER_ROLES, "retrieve": ALL_MEMBER_ROLES, "create": TEAM_MANAGERS,
                    "bulk": TEAM_MANAGERS, "update": TEAM_MANAGERS, "partial_update": TEAM_MANAGERS,
                    "destroy": ADMIN_ONLY}

    def create(self, request, tenant_slug):
        payload = self.get_serializer(data=request.data)
        payload.is_valid(raise_exception=True)
        agent = services.agent_create(actor=self.actor, **payload.validated_data)
        return Response(self.get_serializer(agent).data, status=status.HTTP_201_CREATED)

    @extend_schema(summary="Create many agents at once (all or nothing, up to 1,000)",
                   request=serializers.AgentBulkCreateSerializer,
                   responses={201: serializers.AgentSerializer(many=True)})
    @action(detail=False, methods=["post"], pagination_class=None, filter_backends=[])  # a plain array back
    def bulk(self, request, tenant_slug):
        payload = serializers.AgentBulkCreateSerializer(data=request.data, context=self.get_serializer_context())
        payload.is_valid(raise_exception=True)
        agents = services.agent_bulk_create(actor=self.actor, rows=payload.validated_data["agents"])
        return Response(self.get_serializer(agents, many=True).data, status=status.HTTP_201_CREATED)

    def update(self, request, tenant_slug, pk, partial=False):
        agent = self.get_object()
        payload = self.get_serializer(agent, data=request.data, partial=partial)
        payload.is_valid(raise_exception=True)
        agent = services.agent_update(actor=self.actor, agent=agent, **payload.validated_data)
        return Response(self.get_serializer(agent).data)

    def partial_update(self, request, tenant_slug, pk):
        return self.update(request, tenant_slug, pk, partial=True)

    def destroy(self, request, tenant_slug, pk):
        services.agent_delete(actor=self.actor, agent=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema_view(
    list=extend_schema(summary="List API keys"),
    retrieve=extend_schema(summary="Get an API key"),
)
class APIKeyViewSet(TenantScopedViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    queryset = APIKey.objects.select_related("created_by")
    serializer_class = serializers.APIKeySerializer
    ordering_fields = ["created_at", "name", "id"]
    ordering = ["-created_at", "-id"]
    action_roles = {"list": ADMIN_ONLY, "retrieve": ADMIN_ONLY, "create": ADMIN_ONLY, "revoke": ADMIN_ONLY}
    object_scopes = {"revoke": "manage"}

    @extend_schema(summary="Create an API key; the response holds the key, shown only this once",
                   request=serializers.APIKeyCreateSerializer, responses={201: serializers.APIKeyCreatedSerializer})
    def create(self, request, tenant_slug):
        payload = serializers.APIKeyCreateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        key, plain = services.api_key_create(actor=self.actor, name=payload.validated_data["name"])
        key.key = plain
        response = Response(serializers.APIKeyCreatedSerializer(key).data, status=status.HTTP_201_CREATED)
        return shown_once(response, "key")

    @extend_schema(summary="Revoke an API key (idempotent)", request=None, responses=serializers.APIKeySerializer)
    @action(detail=True, methods=["post"])
    def revoke(self, request, tenant_slug, pk):
        key = services.api_key_revoke(actor=self.actor, key=self.get_object())
        return Response(self.get_serializer(key).data)


@extend_schema_view(
    list=extend_schema(summary="List object-level grants on teams"),
    retrieve=extend_schema(summary="Get a grant"),
    destroy=extend_schema(summary="Revoke a grant"),
)
class GrantViewSet(TenantScopedViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    queryset = TeamGrant.objects.select_related("user", "permission", "granted_by")
    serializer_class = serializers.GrantSerializer
    filterset_class = filters.GrantFilter
    ordering_fields = ["created_at", "id"]
    ordering = ["id"]
    action_roles = {"list": ADMIN_ONLY, "retrieve": ADMIN_ONLY, "create": ADMIN_ONLY, "destroy": ADMIN_ONLY}

    @extend_schema(summary="Grant a member a permission on a team", request=serializers.GrantCreateSerializer,
                   responses={201: serializers.GrantSerializer})
    def create(self, request, tenant_slug):
        payload = serializers.GrantCreateSerializer(data=request.data, context=self.get_serializer_context())
        payload.is_valid(raise_exception=True)
        grant = services.grant_assign(actor=self.actor, **payload.validated_data)
        return Response(self.get_serializer(grant).data, status=status.HTTP_201_CREATED)

    def destroy(self, request, tenant_slug, pk):
        services.grant_revoke(actor=self.actor, grant=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema_view(
    list=extend_schema(summary="Read the audit log (newest first, cursor-paginated)"),
    retrieve=extend_schema(summary="Get one audit event"),
)
class AuditEventViewSet(TenantScopedViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    queryset = AuditEvent.objects.select_related("actor_user", "actor_api_key")
    serializer_class = serializers.AuditEventSerializer
    filterset_class = filters.AuditEventFilter
    pagination_class = NewestFirstCursorPagination
    filter_backends = [DjangoFilterBackend]
    action_roles = {"list": ADMIN_ONLY, "retrieve": ADMIN_ONLY}

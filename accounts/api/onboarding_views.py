"""Endpoints outside any tenant: creating tenants (platform staff) and the invitation links people open."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import AllowAny, BasePermission, IsAuthenticated
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle

from accounts import services
from accounts.api import filters, serializers
from accounts.models import Tenant
from common.query import StrictQueryParamsMixin


class IsPlatformStaff(BasePermission):
    message = _("Only platform staff may manage tenants.")

    def has_permission(self, request, view) -> bool:
        return bool(request.user.is_staff)


@extend_schema_view(list=extend_schema(summary="List every tenant (platform staff)"))
class TenantViewSet(StrictQueryParamsMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    # Members find their own tenants in /me/; this list is the platform's, for staff.
    queryset = Tenant.objects.all()
    serializer_class = serializers.TenantSerializer
    permission_classes = [IsAuthenticated, IsPlatformStaff]
    search_fields = ["slug", "name"]
    ordering_fields = ["slug", "created_at", "id"]
    ordering = ["slug"]
    filterset_class = filters.TenantFilter

    @extend_schema(summary="Create a tenant and invite its first admin (platform staff)",
                   request=serializers.TenantCreateSerializer, responses={201: serializers.TenantCreatedSerializer})
    def create(self, request):
        payload = serializers.TenantCreateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        tenant, invitation = services.tenant_create(
            created_by=request.user, slug=data["slug"], name=data["name"], time_zone=data["time_zone"],
            currency=data["currency"], settings=data["settings"], admin_email=data["first_admin"]["email"],
            admin_full_name=data["first_admin"]["full_name"],
        )
        tenant.first_admin_invitation = invitation
        return Response(serializers.TenantCreatedSerializer(tenant).data, status=status.HTTP_201_CREATED)


class InvitationLinkView(StrictQueryParamsMixin, GenericAPIView):
    # Anyone holding the link may call these, so they are throttled and every bad token gets the same 404.
    permission_classes = [AllowAny]
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "invitation"


class InvitationPreviewView(InvitationLinkView):
    serializer_class = serializers.InvitationPreviewSerializer

    @extend_schema(summary="Preview an invitation from its link: tenant, role, email and expiry")
    def get(self, request, token):
        return Response(self.get_serializer(services.invitation_get_by_token(token)).data)


class InvitationAcceptView(InvitationLinkView):
    serializer_class = serializers.InvitationAcceptSerializer

    @extend_schema(
        summary="Accept an invitation",
        description="A person without an account sends `full_name` and `password` to create it. If the invited "
                    "email already has an account, log in as it first and send the request authenticated "
                    "(401 otherwise, 403 when logged in as someone else).",
        request=serializers.InvitationAcceptSerializer, responses={201: serializers.AcceptedMembershipSerializer},
    )
    def post(self, request, token):
        payload = self.get_serializer(data=request.data)
        payload.is_valid(raise_exception=True)
        caller = request.user if request.user.is_authenticated and request.user.pk else None
        membership = services.invitation_accept(token=token, user=caller, **payload.validated_data)
        return Response(serializers.AcceptedMembershipSerializer(membership).data, status=status.HTTP_201_CREATED)

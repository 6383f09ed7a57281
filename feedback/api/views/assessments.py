"""360 assessments: templates (admins), campaigns with progress, results and customer links, the caller's own
requests, and the public customer link (no account)."""

from __future__ import annotations

from django.db.models import Prefetch
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle

from accounts.models import Agent
from common import rls
from common.idempotency import shown_once
from common.query import StrictQueryParamsMixin
from common.viewsets import ADMIN_ONLY, ALL_MEMBER_ROLES, TenantScopedViewSet
from feedback.api import filters
from feedback.api.serializers import assessments as serializers
from feedback.assessment_selectors import assessment_progress, assessment_results
from feedback.models import (
    AssessmentCampaign,
    AssessmentQuestion,
    AssessmentRequest,
    AssessmentTemplate,
    AssessmentTemplateVersion,
)
from feedback.services import assessment_campaign_edits as edits
from feedback.services import assessments as services

TEMPLATE_READERS = frozenset({"admin", "supervisor", "qa_lead"})
CAMPAIGN_READERS = frozenset({"admin", "supervisor", "qa_lead", "agent"})
RESULT_READERS = frozenset({"admin", "supervisor", "agent"})
CONFLICT = OpenApiResponse(description="Refused in the campaign's or request's current state (problem details with "
                                       "a code).")
CONFIDENTIALITY = (
    "Peer and customer answers are shown only aggregated, and only when the group has at least the tenant's "
    "assessment_min_responses (default 3) responses; below that the group shows nothing. Comments have no author. "
    "Supervisor and self answers are shown as such. No endpoint tells which peer or customer gave which answer.")
RATERS_TAG = "assessment-raters"  # the raters of a campaign: their own group in the docs
QUESTIONS = Prefetch("questions", AssessmentQuestion.objects.order_by("position"))


@extend_schema_view(
    list=extend_schema(summary="List 360 assessment templates with their versions"),
    retrieve=extend_schema(summary="Get a 360 assessment template with its versions and questions"),
    create=extend_schema(summary="Create a 360 assessment template with its first version (admins)",
                         description="Questions are rated on a scale and grouped in competencies (professional "
                                     "knowledge, communication, service attitude, teamwork); optional comments.",
                         request=serializers.AssessmentTemplateInputSerializer,
                         responses={201: serializers.AssessmentTemplateSerializer}),
)
class AssessmentTemplateViewSet(TenantScopedViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    queryset = AssessmentTemplate.objects.prefetch_related(
        Prefetch("versions", AssessmentTemplateVersion.objects.order_by("number").prefetch_related(QUESTIONS)))
    serializer_class = serializers.AssessmentTemplateSerializer
    ordering_fields = ["name", "created_at", "id"]
    ordering = ["name", "id"]
    action_roles = {"list": TEMPLATE_READERS, "retrieve": TEMPLATE_READERS, "create": ADMIN_ONLY,
                    "versions": ADMIN_ONLY}
    object_scopes = {"versions": "manage"}

    def _fresh(self, template) -> dict:
        return self.get_serializer(self.queryset.get(pk=template.pk)).data

    def create(self, request, tenant_slug):
        payload = serializers.AssessmentTemplateInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        template = services.assessment_template_create(actor=self.actor, **payload.validated_data)
        return Response(self._fresh(template), status=status.HTTP_201_CREATED)

    @extend_schema(summary="Add a version with new questions (earlier versions stay as campaigns used them)",
                   request=serializers.AssessmentTemplateVersionInputSerializer,
                   responses={201: serializers.AssessmentTemplateSerializer})
    @action(detail=True, methods=["post"])
    def versions(self, request, tenant_slug, pk):
        template = self.get_object()
        payload = serializers.AssessmentTemplateVersionInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        services.assessment_template_version_create(actor=self.actor, template=template, **payload.validated_data)
        return Response(self._fresh(template), status=status.HTTP_201_CREATED)


AGENT_PARAMETER = OpenApiParameter("agent", OpenApiTypes.INT, description="The assessed agent (agents: only "
                                                                         "themselves, the default).")


@extend_schema_view(
    list=extend_schema(summary="List 360 assessment campaigns (newest first)"),
    retrieve=extend_schema(summary="Get a 360 assessment campaign"),
    create=extend_schema(
        summary="Start a 360 assessment campaign for a period (admins)",
        description="Raters per assessed agent: the supervisors granted manage on the agent's team, the chosen "
                    "peers (agents of the same team with a login), the agent (when linked to a login); customers "
                    "get one-time links (customer-links/). Raters find their requests in assessment-requests/.",
        request=serializers.AssessmentCampaignInputSerializer,
        responses={201: serializers.AssessmentCampaignSerializer, 409: CONFLICT}),
    partial_update=extend_schema(
        summary="Change an open campaign's name, description or deadline (admins)",
        description="A shorter deadline also shortens the customer links; a changed deadline re-arms the "
                    "reminders and notifies the raters who have not answered (assessment.deadline_changed).",
        request=serializers.AssessmentCampaignUpdateSerializer,
        responses={200: serializers.AssessmentCampaignSerializer, 409: CONFLICT}),
    destroy=extend_schema(
        summary="Delete a campaign that has no response yet (admins)",
        description="With its requests and customer links. A campaign with responses is kept: 409 "
                    "assessment_campaign_has_responses; cancel it instead.",
        responses={204: None, 409: CONFLICT}),
)
class AssessmentCampaignViewSet(TenantScopedViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    queryset = AssessmentCampaign.objects.all()
    serializer_class = serializers.AssessmentCampaignSerializer
    filterset_class = filters.AssessmentCampaignFilter
    ordering_fields = ["created_at", "deadline", "id"]
    ordering = ["-created_at", "-id"]
    action_roles = {"list": CAMPAIGN_READERS, "retrieve": CAMPAIGN_READERS, "create": ADMIN_ONLY,
                    "partial_update": ADMIN_ONLY, "destroy": ADMIN_ONLY, "cancel": ADMIN_ONLY,
                    "close": ADMIN_ONLY, "customer_links": ADMIN_ONLY, "raters": ADMIN_ONLY,
                    "rater_remove": ADMIN_ONLY,
                    "progress": frozenset({"admin", "supervisor"}), "results": RESULT_READERS}
    object_scopes = {"close": "manage", "cancel": "manage", "customer_links": "manage", "raters": "manage",
                     "rater_remove": "manage", "progress": "view", "results": "view"}
    query_params = {"results": frozenset({"agent"}), "progress": frozenset({"page", "page_size"}),
                    "raters": frozenset({"page", "page_size"})}
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def create(self, request, tenant_slug):
        payload = serializers.AssessmentCampaignInputSerializer(data=request.data,
                                                                context=self.get_serializer_context())
        payload.is_valid(raise_exception=True)
        campaign = services.assessment_campaign_create(actor=self.actor, **payload.validated_data)
        return Response(self.get_serializer(campaign).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request, tenant_slug, pk):
        campaign = self.get_object()
        payload = serializers.AssessmentCampaignUpdateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        campaign = edits.assessment_campaign_update(actor=self.actor, campaign=campaign, **payload.validated_data)
        return Response(self.get_serializer(campaign).data)

    def destroy(self, request, tenant_slug, pk):
        edits.assessment_campaign_delete(actor=self.actor, campaign=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(summary="Cancel an open campaign: nothing more can be answered and its results do not count",
                   description="For a campaign that already has responses (it cannot be deleted). Raters who have "
                               "not answered are notified (assessment.campaign_cancelled).",
                   request=None, responses={200: serializers.AssessmentCampaignSerializer, 409: CONFLICT})
    @action(detail=True, methods=["post"])
    def cancel(self, request, tenant_slug, pk):
        campaign = edits.assessment_campaign_cancel(actor=self.actor, campaign=self.get_object())
        return Response(self.get_serializer(campaign).data)

    @extend_schema(methods=["GET"], tags=[RATERS_TAG],
                   summary="List who is asked in the campaign (admins; never whether or what they answered)",
                   responses=serializers.AssessmentCampaignRaterSerializer(many=True))
    @extend_schema(methods=["POST"], tags=[RATERS_TAG],
                   summary="Add raters to an open campaign: new assessed agents and chosen peers",
                   description="New assessed agents get their supervisors and themselves as raters; requests that "
                               "already exist are skipped. The new raters are notified "
                               "(assessment.raters_added).",
                   request=serializers.AssessmentRatersAddInputSerializer,
                   responses={201: serializers.AssessmentCampaignRaterSerializer(many=True), 409: CONFLICT})
    @action(detail=True, methods=["get", "post"], filter_backends=[])
    def raters(self, request, tenant_slug, pk):
        campaign = self.get_object()
        if request.method == "POST":
            payload = serializers.AssessmentRatersAddInputSerializer(data=request.data,
                                                                     context=self.get_serializer_context())
            payload.is_valid(raise_exception=True)
            created = edits.assessment_raters_add(actor=self.actor, campaign=campaign, **payload.validated_data)
            rows = AssessmentRequest.objects.select_related("agent").filter(pk__in=[r.pk for r in created]).order_by(
                "agent__employee_code", "agent_id", "rater_kind", "id")
            return Response(serializers.AssessmentCampaignRaterSerializer(rows, many=True).data,
                            status=status.HTTP_201_CREATED)
        rows = AssessmentRequest.objects.select_related("agent").filter(campaign=campaign).order_by(
            "agent__employee_code", "agent_id", "rater_kind", "id")
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(serializers.AssessmentCampaignRaterSerializer(page, many=True).data)

    @extend_schema(tags=[RATERS_TAG],
                   summary="Remove a rater (or a customer's link) from an open campaign before they answer",
                   description="409 assessment_request_answered once the request is answered: answers stay.",
                   request=None, responses={204: None, 409: CONFLICT})
    @action(detail=True, methods=["delete"], url_path=r"raters/(?P<request_id>[0-9]+)", url_name="rater-remove",
            filter_backends=[])
    def rater_remove(self, request, tenant_slug, pk, request_id):
        edits.assessment_request_remove(actor=self.actor, campaign=self.get_object(), request_id=int(request_id))
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(summary="Close the campaign: nothing more can be answered", request=None,
                   responses={200: serializers.AssessmentCampaignSerializer, 409: CONFLICT})
    @action(detail=True, methods=["post"])
    def close(self, request, tenant_slug, pk):
        campaign = services.assessment_campaign_close(actor=self.actor, campaign=self.get_object())
        return Response(self.get_serializer(campaign).data)

    @extend_schema(summary="Create a one-time link for a customer to assess an agent (the token is shown once)",
                   description="The link needs no account, works once and expires (at the latest at the "
                               "campaign's deadline). Only a SHA-256 of the token is stored.",
                   request=serializers.AssessmentCustomerLinkInputSerializer,
                   responses={201: serializers.AssessmentCustomerLinkSerializer, 409: CONFLICT})
    @action(detail=True, methods=["post"], url_path="customer-links")
    def customer_links(self, request, tenant_slug, pk):
        campaign = self.get_object()
        payload = serializers.AssessmentCustomerLinkInputSerializer(data=request.data,
                                                                    context=self.get_serializer_context())
        payload.is_valid(raise_exception=True)
        link, token = services.assessment_customer_link_create(actor=self.actor, campaign=campaign,
                                                               **payload.validated_data)
        body = {"id": link.pk, "agent": link.agent_id, "expires_at": link.expires_at, "token": token}
        return shown_once(Response(serializers.AssessmentCustomerLinkSerializer(body).data,
                                   status=status.HTTP_201_CREATED), "token")

    @extend_schema(summary="Progress per assessed agent: requests and answers per rater group (counts only)",
                   responses=serializers.AssessmentProgressSerializer(many=True))
    @action(detail=True, methods=["get"], filter_backends=[])
    def progress(self, request, tenant_slug, pk):
        campaign = self.get_object()
        agent_ids = None
        if not self.actor.is_admin:
            agent_ids = Agent.objects.for_actor(self.actor, "view").values("pk")
        rows = assessment_progress(campaign=campaign, agent_ids=agent_ids)
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(serializers.AssessmentProgressSerializer(page, many=True).data)

    @extend_schema(summary="An agent's results in the campaign (aggregated; see the confidentiality rules)",
                   description=CONFIDENTIALITY, parameters=[AGENT_PARAMETER],
                   responses=serializers.AssessmentResultSerializer)
    @action(detail=True, methods=["get"], filter_backends=[], pagination_class=None)
    def results(self, request, tenant_slug, pk):
        campaign = self.get_object()
        raw = self.own_query_params().get("agent")
        if raw is None:
            if self.actor.agent_id is None:
                raise ValidationError({"agent": [_("Name the agent.")]})
            agent_id = self.actor.agent_id
        else:
            try:
                agent_id = int(raw)
            except ValueError:
                raise ValidationError({"agent": [_("A valid integer is required.")]}) from None
        visible = Agent.objects.for_actor(self.actor, "view")
        if self.actor.role == "agent":
            visible = visible.filter(pk=self.actor.agent_id)
        if not visible.filter(pk=agent_id).exists() or not campaign.requests.filter(agent_id=agent_id).exists():
            raise NotFound()
        body = assessment_results(campaign=campaign, agent_id=agent_id)
        return Response(serializers.AssessmentResultSerializer(body).data)


@extend_schema_view(
    list=extend_schema(summary="List the 360 assessments you are asked to give (yours only, admins included)"),
    retrieve=extend_schema(summary="Get one of your 360 assessment requests"),
)
class AssessmentRequestViewSet(TenantScopedViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    queryset = AssessmentRequest.objects.select_related("campaign", "agent")
    serializer_class = serializers.AssessmentToGiveSerializer
    filterset_class = filters.AssessmentRequestFilter
    ordering_fields = ["id"]
    ordering = ["answered", "id"]
    action_roles = {"list": ALL_MEMBER_ROLES, "retrieve": ALL_MEMBER_ROLES, "answer": ALL_MEMBER_ROLES}
    object_scopes = {"answer": "answer"}

    @extend_schema(summary="Answer the request (once, before the deadline); peer answers are kept without rater",
                   request=serializers.AssessmentAnswerSubmitSerializer,
                   responses={204: None, 409: CONFLICT})
    @action(detail=True, methods=["post"])
    def answer(self, request, tenant_slug, pk):
        target = self.get_object()
        payload = serializers.AssessmentAnswerSubmitSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        services.assessment_request_answer(actor=self.actor, request=target, **payload.validated_data)
        return Response(status=status.HTTP_204_NO_CONTENT)


class AssessmentLinkView(StrictQueryParamsMixin, GenericAPIView):
    # Anyone holding a customer's link may call these: throttled, and every bad token gets the same 404.
    permission_classes = [AllowAny]
    authentication_classes: list = []
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "assessment_link"


class AssessmentLinkPreviewView(AssessmentLinkView):
    serializer_class = serializers.AssessmentLinkPreviewSerializer

    @extend_schema(summary="Open a customer's 360 assessment link: who is assessed and the questions")
    def get(self, request, link_token):
        link = services.assessment_link_get(link_token)
        with rls.tenant_scope(link.tenant_id):
            questions = list(AssessmentQuestion.objects.filter(version_id=link.campaign.template_version_id)
                             .order_by("position"))
        body = {"tenant_name": link.tenant.name, "campaign_name": link.campaign.name,
                "agent_name": link.agent.display_name, "expires_at": link.expires_at, "questions": questions}
        return Response(self.get_serializer(body).data)


class AssessmentLinkAnswerView(AssessmentLinkView):
    serializer_class = serializers.AssessmentAnswerSubmitSerializer

    @extend_schema(summary="Answer through a customer's link (no account; the link is used up)",
                   responses={204: None})
    def post(self, request, link_token):
        payload = self.get_serializer(data=request.data)
        payload.is_valid(raise_exception=True)
        services.assessment_link_answer(token=link_token, **payload.validated_data)
        return Response(status=status.HTTP_204_NO_CONTENT)

from __future__ import annotations

from django.db.models import Prefetch
from django.http import FileResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response

from common.pagination import StandardPagination
from common.viewsets import ALL_MEMBER_ROLES, TenantScopedViewSet
from feedback.api import filters
from feedback.api.serializers import appeals as serializers
from feedback.appeal_selectors import appeal_report
from feedback.models import Appeal, AppealAttachment, AppealEvent, AppealItem
from feedback.services import appeal_attachments
from feedback.services import appeals as services

ASSIGNERS = frozenset({"admin", "qa_lead", "supervisor"})
DECIDERS = ASSIGNERS
# Only the agent who filed an appeal withdraws or escalates it (the "appellant" scope); admins get past the role
# rule so that an id they cannot see is 404 and one they can see is 403, as everywhere else.
APPELLANTS = frozenset({"agent", "admin"})
REPORT_READERS = frozenset({"admin", "qa_lead"})
WRONG_STATE = OpenApiResponse(description="The appeal is not in a state this action can leave (`code` "
                                          "appeal_wrong_state; the detail names the state)")
FILING_REFUSED = OpenApiResponse(description="A filing rule refused it: `code` is appeal_window_closed, "
                                             "period_closed, appeal_already_open or appeal_limit_reached")
VISIBILITY = ("Agents see their own appeals, reviewers those assigned to them (and those they decided), supervisors "
              "those of agents in teams granted to them, QA leads and admins all, a review's inspector the appeals "
              "on their reviews.")
ATTACHMENT_PATH = OpenApiParameter("attachment_pk", OpenApiTypes.INT, OpenApiParameter.PATH,
                                   description="The attachment's id.")

APPEAL_QUERYSET = Appeal.objects.select_related("reviewer", "period", "computation_job").prefetch_related(
    Prefetch("items", AppealItem.objects.select_related("criterion").order_by("position", "id")))


@extend_schema_view(
    list=extend_schema(summary="List appeals (newest first), with due dates and an overdue flag",
                       description=VISIBILITY + " ordering: created_at, due_at, decided_at, id."),
    retrieve=extend_schema(summary="Get an appeal with its decisions and the agent's score before and after",
                           responses=serializers.AppealDetailSerializer),
    create=extend_schema(
        summary="File an appeal against your published QA review or your score in a period (agents)",
        description="Send `review` (with `items`, the disputed criteria and the rating you propose, or none for "
                    "the whole review) or `period` (with `kpi`, blank for the total, and `proposed_value`). "
                    "Within the tenant's appeal window after publication (a review) or the period's latest "
                    "computation (a score), never on a closed period, one open appeal per review or score, at most "
                    "max_appeals_per_review per review or score. The appeal is assigned at once to the "
                    "least-loaded eligible reviewer.",
        request=serializers.AppealCreateSerializer,
        responses={201: serializers.AppealDetailSerializer, 409: FILING_REFUSED}),
)
class AppealViewSet(TenantScopedViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    queryset = APPEAL_QUERYSET
    serializer_class = serializers.AppealSerializer
    filterset_class = filters.AppealFilter
    ordering_fields = ["created_at", "due_at", "decided_at", "id"]
    ordering = ["-created_at", "-id"]
    action_roles = {
        "list": ALL_MEMBER_ROLES, "retrieve": ALL_MEMBER_ROLES, "create": frozenset({"agent"}),
        "assign": ASSIGNERS, "decide": DECIDERS, "withdraw": APPELLANTS, "escalate": APPELLANTS,
        "comments": ALL_MEMBER_ROLES,
        "history": ALL_MEMBER_ROLES, "attachments": ALL_MEMBER_ROLES, "attachment_upload": ALL_MEMBER_ROLES,
        "attachment_download": ALL_MEMBER_ROLES,
    }
    # decide: anyone who sees it reaches the service, which checks the state (409) before the assignee (403).
    object_scopes = {"assign": "assign", "decide": "view", "withdraw": "appellant", "escalate": "appellant",
                     "comments": "view", "attachment_upload": "view"}
    list_actions = frozenset({"list", "history", "attachments"})

    def get_serializer_class(self):
        return serializers.AppealSerializer if self.action == "list" else serializers.AppealDetailSerializer

    def _detail(self, appeal: Appeal, code: int = status.HTTP_200_OK) -> Response:
        appeal = self.queryset.prefetch_related("decisions__decided_by").get(pk=appeal.pk)
        return Response(serializers.AppealDetailSerializer(appeal).data, status=code)

    def retrieve(self, request, tenant_slug, pk):
        return self._detail(self.get_object())

    def create(self, request, tenant_slug):
        payload = serializers.AppealCreateSerializer(data=request.data, context=self.get_serializer_context())
        payload.is_valid(raise_exception=True)
        return self._detail(services.appeal_file(actor=self.actor, **payload.validated_data), status.HTTP_201_CREATED)

    @extend_schema(summary="Assign the appeal to a reviewer (or, with no reviewer, to the least-loaded eligible one)",
                   description="Admins; QA leads for review appeals; supervisors granted manage on the agent's "
                               "team for score appeals. Also reassigns an appeal in review or escalated.",
                   request=serializers.AppealAssignSerializer,
                   responses={200: serializers.AppealDetailSerializer, 409: WRONG_STATE})
    @action(detail=True, methods=["post"])
    def assign(self, request, tenant_slug, pk):
        appeal = self.get_object()
        payload = serializers.AppealAssignSerializer(data=request.data, context=self.get_serializer_context())
        payload.is_valid(raise_exception=True)
        return self._detail(services.appeal_assign(appeal=appeal, assigned_by=self.actor, **payload.validated_data))

    @extend_schema(
        summary="Decide the appeal (its assigned reviewer): the decision is applied at once",
        description="Give the outcome, a rationale and, per disputed item, accepted or not (optionally with the "
                    "value to apply instead of the proposal); a whole-review appeal that is overturned gives the "
                    "answers to apply. A review gets a new revision (earlier ones stay readable) and the periods "
                    "that counted it are recomputed; an accepted score appeal becomes an adjustment. After an "
                    "escalation this decision is final.",
        request=serializers.AppealDecideSerializer,
        responses={200: serializers.AppealDetailSerializer, 409: WRONG_STATE})
    @action(detail=True, methods=["post"])
    def decide(self, request, tenant_slug, pk):
        appeal = self.get_object()
        payload = serializers.AppealDecideSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        return self._detail(services.appeal_decide(appeal=appeal, decided_by=self.actor, **payload.validated_data))

    @extend_schema(summary="Withdraw your appeal before it is decided", request=None,
                   responses={200: serializers.AppealDetailSerializer, 409: WRONG_STATE})
    @action(detail=True, methods=["post"])
    def withdraw(self, request, tenant_slug, pk):
        return self._detail(services.appeal_withdraw(appeal=self.get_object(), withdrawn_by=self.actor))

    @extend_schema(summary="Escalate a decided appeal to a second-level reviewer (once, within the appeal window)",
                   request=serializers.AppealEscalateSerializer,
                   responses={200: serializers.AppealDetailSerializer, 409: WRONG_STATE})
    @action(detail=True, methods=["post"])
    def escalate(self, request, tenant_slug, pk):
        appeal = self.get_object()
        payload = serializers.AppealEscalateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        return self._detail(services.appeal_escalate(appeal=appeal, escalated_by=self.actor,
                                                     **payload.validated_data))

    def _page(self, queryset, serializer_class) -> Response:
        paginator = StandardPagination()
        page = paginator.paginate_queryset(queryset, self.request, view=self)
        return paginator.get_paginated_response(serializer_class(page, many=True).data)

    @extend_schema(summary="Comment on the appeal (anyone who may see it); comments are read in its history",
                   request=serializers.AppealCommentSerializer, responses={201: serializers.AppealCommentSerializer})
    @action(detail=True, methods=["post"])
    def comments(self, request, tenant_slug, pk):
        appeal = self.get_object()
        payload = serializers.AppealCommentSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        comment = services.appeal_comment(appeal=appeal, author=self.actor, body=payload.validated_data["body"])
        return Response(serializers.AppealCommentSerializer(comment).data, status=status.HTTP_201_CREATED)

    @extend_schema(summary="The appeal's history and thread: filing, every transition, comment (with its text) and "
                           "attachment, oldest first",
                   responses=serializers.AppealEventSerializer(many=True))
    @action(detail=True, methods=["get"], filter_backends=[], pagination_class=StandardPagination)
    def history(self, request, tenant_slug, pk):
        appeal = self.get_object()
        events = AppealEvent.objects.filter(appeal=appeal).select_related("actor").order_by("created_at", "id")
        return self._page(events, serializers.AppealEventSerializer)

    @extend_schema(summary="The appeal's attached files", responses=serializers.AppealAttachmentSerializer(many=True))
    # The upload (mapped below) shares this action's parsers: multipart, the one field `file`.
    @action(detail=True, methods=["get"], filter_backends=[], pagination_class=StandardPagination,
            parser_classes=[MultiPartParser])
    def attachments(self, request, tenant_slug, pk):
        appeal = self.get_object()
        files = AppealAttachment.objects.filter(appeal=appeal).select_related("uploaded_by").order_by("created_at",
                                                                                                       "id")
        return self._page(files, serializers.AppealAttachmentSerializer)

    @extend_schema(summary="Attach a file (multipart field `file`) while the appeal is open",
                   description="The tenant's settings limit the size (appeal_attachment_max_bytes) and the types "
                               "(appeal_attachment_types, by extension; the content must match the type).",
                   request={"multipart/form-data": serializers.AppealAttachmentUploadSerializer},
                   responses={201: serializers.AppealAttachmentSerializer, 409: WRONG_STATE})
    @attachments.mapping.post
    def attachment_upload(self, request, tenant_slug, pk):
        appeal = self.get_object()
        payload = serializers.AppealAttachmentUploadSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        attachment = appeal_attachments.appeal_attachment_add(appeal=appeal, actor=self.actor,
                                                              upload=payload.validated_data["file"])
        return Response(serializers.AppealAttachmentSerializer(attachment).data, status=status.HTTP_201_CREATED)

    @extend_schema(summary="Download an attached file (only for people who may see the appeal)",
                   parameters=[ATTACHMENT_PATH], responses={(200, "*/*"): OpenApiTypes.BINARY},
                   description="Served with the media type of its extension (e.g. application/pdf), as an "
                               "attachment download.")
    @action(detail=True, methods=["get"], url_path=r"attachments/(?P<attachment_pk>\d+)", filter_backends=[],
            pagination_class=None)
    def attachment_download(self, request, tenant_slug, pk, attachment_pk):
        appeal = self.get_object()
        attachment = AppealAttachment.objects.filter(appeal=appeal, pk=attachment_pk).first()
        if attachment is None:
            raise NotFound()
        return FileResponse(attachment.file.open("rb"), as_attachment=True, filename=attachment.name,
                            content_type=attachment.content_type)


@extend_schema_view(list=extend_schema(
    summary="A period's appeals report: by state and outcome, time to decision, SLA breaches, per inspector and "
            "criterion",
    description="Appeals on the period's scores and on reviews of interactions within it. Per inspector: "
                "published reviews of the period, how many were appealed and overturned (partially too), and the "
                "shares; per inspector and criterion, the disputed items and how many were accepted. For QA leads "
                "and admins (a feed for calibration).",
    parameters=[OpenApiParameter("period", OpenApiTypes.INT, required=True, description="The period's id.")],
    responses=serializers.AppealReportSerializer))
class AppealReportViewSet(TenantScopedViewSet):
    report_view = True  # one object, not a list (common/schema.py)
    queryset = Appeal.objects.all()
    action_roles = {"list": REPORT_READERS}
    list_actions = frozenset()
    query_params = {"list": frozenset({"period"})}
    pagination_class = None
    filter_backends = []

    def list(self, request, tenant_slug):
        query = serializers.AppealReportQuerySerializer(data=self.own_query_params().dict(),
                                                        context=self.get_serializer_context())
        query.is_valid(raise_exception=True)
        report = appeal_report(period=query.validated_data["period"])
        for row in report["inspectors"]:
            row["appealed_share"] = serializers.share(row["appealed"], row["reviews"])
            row["overturned_share"] = serializers.share(row["overturned"], row["reviews"])
        return Response(serializers.AppealReportSerializer(report).data)


from __future__ import annotations

from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.response import Response

from common import exports
from common.viewsets import ALL_MEMBER_ROLES, TenantScopedViewSet
from feedback.api import filters
from feedback.api.exports import QA_REVIEW_EXPORT_HEADERS, qa_reviews_export
from feedback.api.serializers import reviews as serializers
from feedback.models import QAReview
from feedback.services import reviews as services
from performance.api.reports_exports import BOM_PARAMETER, EXPORT_PARAMS, EXPORT_RESPONSES, FILE_FORMAT_PARAMETER

REVIEWERS = frozenset({"qa_inspector", "qa_lead"})
# Only a review's author changes it (the "manage" scope); admins get past the role rule so that an id they
# cannot see is 404 and one they can see is 403, as everywhere else.
AUTHORS = REVIEWERS | {"admin"}
PUBLISHERS = frozenset({"qa_inspector", "qa_lead", "admin"})
AMENDERS = frozenset({"qa_lead", "admin"})
WRONG_STATE = OpenApiResponse(description="The review is not in the state this action needs")


@extend_schema_view(
    list=extend_schema(
        summary="List QA reviews (latest revisions; ?history=true for all)",
        description="Inspectors see their own reviews and the submitted/published ones of teams granted to them; "
        "QA leads and admins every review; supervisors the published reviews of their teams; agents their own "
        "published reviews. Calibration reviews stay with their author until the session closes.",
    ),
    retrieve=extend_schema(summary="Get a QA review with its per-criterion breakdown",
                           responses=serializers.QAReviewDetailSerializer),
    create=extend_schema(summary="Start a draft review of an interaction",
                         request=serializers.QAReviewCreateSerializer,
                         responses={201: serializers.QAReviewDetailSerializer}),
    partial_update=extend_schema(summary="Edit your draft", request=serializers.QAReviewUpdateSerializer,
                                 responses={200: serializers.QAReviewDetailSerializer, 409: WRONG_STATE}),
    destroy=extend_schema(summary="Delete your draft", responses={204: None, 409: WRONG_STATE}),
)
class QAReviewViewSet(TenantScopedViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    queryset = QAReview.objects.select_related("interaction", "inspector", "rubric_version")
    serializer_class = serializers.QAReviewSerializer
    filterset_class = filters.QAReviewFilter
    ordering_fields = ["created_at", "published_at", "submitted_at", "total", "id"]
    ordering = ["-created_at", "-id"]
    action_roles = {"list": ALL_MEMBER_ROLES, "retrieve": ALL_MEMBER_ROLES, "revisions": ALL_MEMBER_ROLES,
                    "create": REVIEWERS, "partial_update": AUTHORS, "destroy": AUTHORS, "submit": AUTHORS,
                    "publish": PUBLISHERS, "amend": AMENDERS, "export": ALL_MEMBER_ROLES}
    query_params = {"export": frozenset(filters.QAReviewFilter.base_filters) | EXPORT_PARAMS}
    object_scopes = {"partial_update": "manage", "destroy": "manage", "submit": "manage", "publish": "publish",
                     "amend": "amend"}
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_serializer_class(self):
        return serializers.QAReviewSerializer if self.action in ("list", "revisions") \
            else serializers.QAReviewDetailSerializer

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        if self.action in ("list", "export") and not filters.QAReviewFilter.wants_history(self.request.query_params):
            queryset = queryset.filter(is_current=True)
        return queryset

    def _detail(self, review: QAReview, code: int = status.HTTP_200_OK) -> Response:
        review = self.queryset.select_related("amended_by").prefetch_related(
            "answers__criterion__section").get(pk=review.pk)
        return Response(serializers.QAReviewDetailSerializer(review).data, status=code)

    def retrieve(self, request, tenant_slug, pk):
        return self._detail(self.get_object())

    @extend_schema(
        summary="Download QA reviews as CSV or XLSX (streamed)",
        description="The same rows, scoping and filters as the list (latest revisions unless history=true), "
                    "newest first, streamed (constant memory). " + QA_REVIEW_EXPORT_HEADERS,
        parameters=[FILE_FORMAT_PARAMETER, BOM_PARAMETER], responses=EXPORT_RESPONSES,
    )
    @action(detail=False, methods=["get"], filter_backends=[DjangoFilterBackend])
    def export(self, request, tenant_slug):
        file_format = exports.file_format_from(request.query_params)
        bom = exports.bom_from(request.query_params)
        return qa_reviews_export(queryset=self.filter_queryset(self.get_queryset()), file_format=file_format,
                                 bom=bom, time_zone=self.actor.tenant.time_zone)

    def create(self, request, tenant_slug):
        payload = serializers.QAReviewCreateSerializer(data=request.data, context=self.get_serializer_context())
        payload.is_valid(raise_exception=True)
        review = services.qa_review_create(actor=self.actor, **payload.validated_data)
        return self._detail(review, status.HTTP_201_CREATED)

    def partial_update(self, request, tenant_slug, pk):
        review = self.get_object()
        payload = serializers.QAReviewUpdateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        return self._detail(services.qa_review_update(actor=self.actor, review=review, **payload.validated_data))

    def destroy(self, request, tenant_slug, pk):
        services.qa_review_delete(actor=self.actor, review=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(summary="Submit your draft (every criterion answered)", request=None,
                   responses={200: serializers.QAReviewDetailSerializer, 409: WRONG_STATE})
    @action(detail=True, methods=["post"])
    def submit(self, request, tenant_slug, pk):
        return self._detail(services.qa_review_submit(actor=self.actor, review=self.get_object()))

    @extend_schema(
        summary="Publish a submitted review (the agent sees it; the appeal window starts)",
        description="QA leads and admins publish any submitted review; an inspector publishes their own.",
        request=None, responses={200: serializers.QAReviewDetailSerializer, 409: WRONG_STATE},
    )
    @action(detail=True, methods=["post"])
    def publish(self, request, tenant_slug, pk):
        return self._detail(services.qa_review_publish(actor=self.actor, review=self.get_object()))

    @extend_schema(
        summary="Amend a published review: creates its next revision (the old one stays readable)",
        request=serializers.QAReviewAmendSerializer,
        responses={201: serializers.QAReviewDetailSerializer, 409: WRONG_STATE},
    )
    @action(detail=True, methods=["post"])
    def amend(self, request, tenant_slug, pk):
        review = self.get_object()
        payload = serializers.QAReviewAmendSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        new = services.qa_review_amend(review=review, amended_by=self.actor, **payload.validated_data)
        return self._detail(new, status.HTTP_201_CREATED)

    @extend_schema(summary="Every revision of this review that you may see, oldest first",
                   responses=serializers.QAReviewSerializer(many=True))
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])  # the whole chain, unfiltered
    def revisions(self, request, tenant_slug, pk):
        review = self.get_object()
        chain = self.get_queryset().filter(chain=review.chain).order_by("revision")
        return Response(self.get_serializer(chain, many=True).data)

from __future__ import annotations

from django.db.models import Prefetch
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.response import Response

from common.errors import Conflict
from common.viewsets import TenantScopedViewSet
from feedback import selectors
from feedback.api import filters
from feedback.api.serializers import calibration as serializers
from feedback.models import CalibrationItem, CalibrationParticipant, CalibrationSession, QAReview
from feedback.querysets import QA_MANAGERS
from feedback.services import calibration as services

READERS = frozenset({"admin", "qa_lead", "qa_inspector"})
LEADS = frozenset({"qa_lead"})


@extend_schema_view(
    list=extend_schema(summary="List calibration sessions (inspectors: those they take part in)"),
    retrieve=extend_schema(summary="Get a calibration session with its interactions and progress"),
)
class CalibrationSessionViewSet(TenantScopedViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    queryset = CalibrationSession.objects.select_related("lead").prefetch_related(
        Prefetch("items", queryset=CalibrationItem.objects.select_related("interaction").order_by("position")),
        Prefetch("participants", queryset=CalibrationParticipant.objects.select_related("user").order_by("id")),
        Prefetch("reviews", to_attr="submitted_reviews", queryset=QAReview.objects.filter(
            status="submitted", is_current=True).only("id", "calibration_id", "inspector_id")),
    )
    serializer_class = serializers.CalibrationSessionSerializer
    filterset_class = filters.CalibrationSessionFilter
    ordering_fields = ["created_at", "closed_at", "id"]
    ordering = ["-created_at", "-id"]
    action_roles = {"list": READERS, "retrieve": READERS, "results": READERS, "create": LEADS, "close": QA_MANAGERS}
    object_scopes = {"close": "manage"}

    def _detail(self, session: CalibrationSession, code: int = status.HTTP_200_OK) -> Response:
        session = self.queryset.get(pk=session.pk)
        return Response(self.get_serializer(session).data, status=code)

    def retrieve(self, request, tenant_slug, pk):
        return self._detail(self.get_object())

    @extend_schema(summary="Open a calibration session (you score the reference)",
                   request=serializers.CalibrationCreateSerializer,
                   responses={201: serializers.CalibrationSessionSerializer})
    def create(self, request, tenant_slug):
        payload = serializers.CalibrationCreateSerializer(data=request.data, context=self.get_serializer_context())
        payload.is_valid(raise_exception=True)
        session = services.calibration_create(actor=self.actor, **payload.validated_data)
        return self._detail(session, status.HTTP_201_CREATED)

    @extend_schema(summary="Close the session: answers become visible and the results are computed",
                   request=None, responses={200: serializers.CalibrationSessionSerializer, 409: OpenApiResponse(
                       description="Already closed, or the lead's reference reviews are not all submitted")})
    @action(detail=True, methods=["post"])
    def close(self, request, tenant_slug, pk):
        return self._detail(services.calibration_close(actor=self.actor, session=self.get_object()))

    @extend_schema(
        summary="Agreement with the reference per inspector, per criterion and per interaction (once closed)",
        responses={200: serializers.CalibrationResultsSerializer,
                   409: OpenApiResponse(description="The session is still open (scoring is blind)")},
    )
    @action(detail=True, methods=["get"])
    def results(self, request, tenant_slug, pk):
        session = self.get_object()
        if session.is_open:
            raise Conflict(_("Results are shown once the session is closed; scoring is blind until then."))
        return Response(serializers.CalibrationResultsSerializer(selectors.calibration_results(session=session)).data)

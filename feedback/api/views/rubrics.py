from __future__ import annotations

from django.db.models import Prefetch
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.response import Response

from common.viewsets import TenantScopedViewSet
from feedback.api import filters
from feedback.api.serializers import rubrics as serializers
from feedback.models import Rubric, RubricCriterion, RubricSection, RubricVersion
from feedback.querysets import QA_MANAGERS, RUBRIC_READERS
from feedback.services import rubrics as services

CONFLICT = OpenApiResponse(description="The version is no longer a draft (published versions never change)")


@extend_schema_view(
    list=extend_schema(summary="List rubrics"),
    retrieve=extend_schema(summary="Get a rubric with its versions"),
    create=extend_schema(summary="Create a rubric (its version 1 starts as a draft)",
                         request=serializers.RubricCreateSerializer, responses={201: serializers.RubricSerializer}),
    partial_update=extend_schema(summary="Rename or describe a rubric", request=serializers.RubricUpdateSerializer,
                                 responses=serializers.RubricSerializer),
    destroy=extend_schema(summary="Delete a rubric that was never published",
                          responses={204: None, 409: OpenApiResponse(description="It has been published")}),
)
class RubricViewSet(TenantScopedViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    queryset = Rubric.objects.select_related("published_version").prefetch_related(
        Prefetch("versions", queryset=RubricVersion.objects.order_by("number"))
    )
    serializer_class = serializers.RubricSerializer
    filterset_class = filters.RubricFilter
    search_fields = ["name", "description"]
    ordering_fields = ["name", "created_at", "updated_at", "id"]
    ordering = ["name", "id"]
    action_roles = {"list": RUBRIC_READERS, "retrieve": RUBRIC_READERS, "create": QA_MANAGERS,
                    "partial_update": QA_MANAGERS, "destroy": QA_MANAGERS}
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def _read(self, pk: int):
        return self.queryset.get(pk=pk)

    def create(self, request, tenant_slug):
        payload = serializers.RubricCreateSerializer(data=request.data, context=self.get_serializer_context())
        payload.is_valid(raise_exception=True)
        rubric = services.rubric_create(actor=self.actor, **payload.validated_data)
        return Response(self.get_serializer(self._read(rubric.pk)).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request, tenant_slug, pk):
        payload = serializers.RubricUpdateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        rubric = services.rubric_update(actor=self.actor, rubric=self.get_object(), **payload.validated_data)
        return Response(self.get_serializer(self._read(rubric.pk)).data)

    def destroy(self, request, tenant_slug, pk):
        services.rubric_delete(actor=self.actor, rubric=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema_view(
    list=extend_schema(summary="List rubric versions (filter by rubric)",
                       responses=serializers.RubricVersionSummarySerializer(many=True)),
    retrieve=extend_schema(summary="Get a rubric version with its sections and criteria"),
    create=extend_schema(
        summary="Start a rubric's next version as a draft (a copy of the latest, or of `based_on`, plus changes)",
        request=serializers.RubricVersionCreateSerializer,
        responses={201: serializers.RubricVersionSerializer, 409: OpenApiResponse(
            description="The rubric already has a draft version")},
    ),
    partial_update=extend_schema(summary="Edit a draft version", request=serializers.RubricVersionUpdateSerializer,
                                 responses={200: serializers.RubricVersionSerializer, 409: CONFLICT}),
    destroy=extend_schema(summary="Delete a draft version", responses={204: None, 409: CONFLICT}),
)
class RubricVersionViewSet(TenantScopedViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    queryset = RubricVersion.objects.select_related("rubric").prefetch_related(
        "scenarios",
        Prefetch("sections", queryset=RubricSection.objects.order_by("position").prefetch_related(
            Prefetch("criteria", queryset=RubricCriterion.objects.order_by("position"))
        )),
    )
    serializer_class = serializers.RubricVersionSerializer
    filterset_class = filters.RubricVersionFilter
    ordering_fields = ["number", "created_at", "published_at", "id"]
    ordering = ["rubric_id", "number"]
    action_roles = {"list": RUBRIC_READERS, "retrieve": RUBRIC_READERS, "create": QA_MANAGERS,
                    "partial_update": QA_MANAGERS, "destroy": QA_MANAGERS, "publish": QA_MANAGERS}
    object_scopes = {"publish": "manage"}
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_serializer_class(self):
        if self.action == "list":
            return serializers.RubricVersionSummarySerializer
        return super().get_serializer_class()

    def filter_queryset(self, queryset):
        if self.action == "list":
            queryset = queryset.select_related(None).prefetch_related(None)
        return super().filter_queryset(queryset)

    def _read(self, pk: int):
        return self.queryset.get(pk=pk)

    def create(self, request, tenant_slug):
        payload = serializers.RubricVersionCreateSerializer(data=request.data, context=self.get_serializer_context())
        payload.is_valid(raise_exception=True)
        version = services.rubric_version_create(actor=self.actor, **payload.validated_data)
        return Response(self.get_serializer(self._read(version.pk)).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request, tenant_slug, pk):
        version = self.get_object()
        payload = serializers.RubricVersionUpdateSerializer(data=request.data, context=self.get_serializer_context())
        payload.is_valid(raise_exception=True)
        version = services.rubric_version_update(actor=self.actor, version=version, **payload.validated_data)
        return Response(self.get_serializer(self._read(version.pk)).data)

    def destroy(self, request, tenant_slug, pk):
        services.rubric_version_delete(actor=self.actor, version=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(summary="Publish a draft version: it freezes and becomes the one new reviews use",
                   request=None, responses={200: serializers.RubricVersionSerializer, 409: CONFLICT})
    @action(detail=True, methods=["post"])
    def publish(self, request, tenant_slug, pk):
        version = services.rubric_version_publish(actor=self.actor, version=self.get_object())
        return Response(self.get_serializer(self._read(version.pk)).data)

"""`GET /api/v1/`: where to start, for a person or a client exploring the API."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.reverse import reverse
from rest_framework.views import APIView

from common.query import StrictQueryParamsMixin


class ApiIndexView(StrictQueryParamsMixin, APIView):
    """Links to the schema, the docs, the login endpoints and the caller's own entry points. Public."""

    authentication_classes = []
    permission_classes = [AllowAny]

    @extend_schema(summary="API index: links to the schema, the docs and the entry points", auth=[],
                   responses={200: OpenApiTypes.OBJECT})
    def get(self, request):
        def link(name: str) -> str:
            return reverse(name, request=request)

        return Response({
            "name": "jixiao API",
            "version": "v1",
            "schema": link("schema"),
            "docs": {"swagger_ui": link("docs"), "redoc": request.build_absolute_uri("/api/redoc/")},
            "auth": {"token": link("token-obtain"), "refresh": link("token-refresh")},
            "me": link("me"),
            "tenants": request.build_absolute_uri("/api/v1/tenants/") + "{tenant_slug}/",  # a URI template
        })

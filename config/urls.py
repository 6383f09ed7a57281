from django.contrib import admin
from django.urls import include, path, re_path
from django.utils import translation
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

from accounts.api.views import MeView, ThrottledTokenObtainPairView, ThrottledTokenRefreshView
from common.errors import not_found_view
from common.views import ApiIndexView
from common.vocabulary import VocabularyView


class EnglishSchemaView(SpectacularAPIView):
    """The OpenAPI schema is English whatever the request's language (responses are translated, not the docs)."""

    @extend_schema(exclude=True)
    def get(self, request, *args, **kwargs):
        with translation.override("en"):
            return super().get(request, *args, **kwargs)


tenant_scoped = [
    path("", include("accounts.api.urls")),
    path("", include("performance.api.urls")),
    path("", include("feedback.api.urls")),
    path("", include("common.notifications.api.urls")),
    path("", include("common.webhooks.api.urls")),
]

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/schema/", EnglishSchemaView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="docs"),
    path("api/redoc/", SpectacularRedocView.as_view(url_name="schema", template_name="common/redoc.html"),
         name="redoc"),
    path("api/v1/", ApiIndexView.as_view(), name="api-index"),
    path("api/v1/auth/token/", ThrottledTokenObtainPairView.as_view(), name="token-obtain"),
    path("api/v1/auth/token/refresh/", ThrottledTokenRefreshView.as_view(), name="token-refresh"),
    path("api/v1/me/", MeView.as_view(), name="me"),
    path("api/v1/vocabulary/", VocabularyView.as_view(), name="vocabulary"),
    path("api/v1/", include("accounts.api.onboarding_urls")),
    path("api/v1/", include("feedback.api.public_urls")),
    path("api/v1/tenants/<slug:tenant_slug>/", include(tenant_scoped)),
    # Keep last: any other address under /api/ is a problem-details 404, with debug on or off.
    re_path(r"^api/", not_found_view),
]

handler404 = "common.errors.not_found_view"
handler500 = "common.errors.server_error_view"

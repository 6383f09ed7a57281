from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from accounts.api.views import MeView, ThrottledTokenObtainPairView, ThrottledTokenRefreshView

tenant_scoped = [
    path("", include("accounts.api.urls")),
    path("", include("performance.api.urls")),
    path("", include("feedback.api.urls")),
    path("", include("common.notifications.api.urls")),
    path("", include("common.webhooks.api.urls")),
]

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="docs"),
    path("api/v1/auth/token/", ThrottledTokenObtainPairView.as_view(), name="token-obtain"),
    path("api/v1/auth/token/refresh/", ThrottledTokenRefreshView.as_view(), name="token-refresh"),
    path("api/v1/me/", MeView.as_view(), name="me"),
    path("api/v1/tenants/<slug:tenant_slug>/", include(tenant_scoped)),
]

handler404 = "common.errors.not_found_view"
handler500 = "common.errors.server_error_view"

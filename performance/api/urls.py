from django.urls import include, path

urlpatterns = [
    path("", include("performance.api.ingestion_urls")),
    path("", include("performance.api.scoring_urls")),
    path("", include("performance.api.reports_urls")),
    path("", include("performance.api.tenant_kpis_urls")),
    path("", include("performance.api.rewards_urls")),
    path("", include("performance.api.alerts_urls")),
    path("", include("performance.api.connections_urls")),
]

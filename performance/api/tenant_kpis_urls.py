from rest_framework.routers import SimpleRouter

from performance.api import tenant_kpis_views as views

router = SimpleRouter()
router.register("kpi-definitions", views.TenantKpiDefinitionViewSet, basename="kpi-definition")
router.register("kpi-values", views.TenantKpiValueViewSet, basename="kpi-value")

urlpatterns = router.urls

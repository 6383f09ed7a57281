from rest_framework.routers import SimpleRouter

from performance.api import ingestion_views as views

router = SimpleRouter()
router.register("interactions", views.InteractionViewSet, basename="interaction")
router.register("shifts", views.ShiftViewSet, basename="shift")
router.register("scenarios", views.ScenarioViewSet, basename="scenario")

urlpatterns = router.urls

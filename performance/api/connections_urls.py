from rest_framework.routers import SimpleRouter

from performance.api.views import connections as views

router = SimpleRouter()
router.register("connections", views.ConnectionViewSet, basename="connection")

urlpatterns = router.urls

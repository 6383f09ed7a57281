from rest_framework.routers import SimpleRouter

from common.webhooks.api import views

router = SimpleRouter()
router.register("webhooks", views.WebhookViewSet, basename="webhook")

urlpatterns = router.urls

from rest_framework.routers import SimpleRouter

from accounts.api import views

router = SimpleRouter()
router.register("members", views.MembershipViewSet, basename="member")
router.register("invitations", views.InvitationViewSet, basename="invitation")
router.register("teams", views.TeamViewSet, basename="team")
router.register("agents", views.AgentViewSet, basename="agent")
router.register("api-keys", views.APIKeyViewSet, basename="api-key")
router.register("grants", views.GrantViewSet, basename="grant")
router.register("audit-log", views.AuditEventViewSet, basename="audit-event")

urlpatterns = router.urls

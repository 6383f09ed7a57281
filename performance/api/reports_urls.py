from rest_framework.routers import SimpleRouter

from performance.api import reports_views as views

router = SimpleRouter()
router.register("reports/trends", views.TrendReportViewSet, basename="report-trends")
router.register("reports/distribution", views.DistributionReportViewSet, basename="report-distribution")
router.register("reports/teams", views.TeamsReportViewSet, basename="report-teams")
router.register("reports/correlations", views.CorrelationReportViewSet, basename="report-correlations")
router.register("reports/channels", views.ChannelsReportViewSet, basename="report-channels")
router.register("reports/dashboard", views.DashboardReportViewSet, basename="report-dashboard")

urlpatterns = router.urls

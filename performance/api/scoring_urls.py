from rest_framework.routers import SimpleRouter

from performance.api import scoring_views as views

router = SimpleRouter()
router.register("kpis", views.KpiCatalogViewSet, basename="kpi")
router.register("schemes", views.SchemeViewSet, basename="scheme")
router.register(r"schemes/(?P<scheme_pk>\d+)/versions", views.SchemeVersionViewSet, basename="scheme-version")
router.register("periods", views.PeriodViewSet, basename="period")
router.register(r"periods/(?P<period_pk>\d+)/scores", views.ScoreViewSet, basename="score")
router.register(r"periods/(?P<period_pk>\d+)/adjustments", views.AdjustmentViewSet, basename="score-adjustment")
router.register("jobs", views.JobViewSet, basename="job")
router.register(r"agents/(?P<agent_pk>\d+)/score-history", views.ScoreHistoryViewSet, basename="score-history")

urlpatterns = router.urls

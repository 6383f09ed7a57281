from rest_framework.routers import SimpleRouter

from performance.api import rewards_views as views

router = SimpleRouter()
router.register("reward-rules", views.RewardRuleViewSet, basename="reward-rule")
router.register(r"reward-rules/(?P<rule_pk>\d+)/versions", views.RewardRuleVersionViewSet,
                basename="reward-rule-version")
router.register("awards", views.AwardViewSet, basename="award")
router.register("reward-outcomes", views.RewardOutcomeViewSet, basename="reward-outcome")
router.register(r"periods/(?P<period_pk>\d+)/simulate-rewards", views.RewardSimulationViewSet,
                basename="period-simulate-rewards")
router.register(r"periods/(?P<period_pk>\d+)/leaderboard", views.LeaderboardViewSet, basename="period-leaderboard")

urlpatterns = router.urls

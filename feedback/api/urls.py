from rest_framework.routers import SimpleRouter

from feedback.api.views import reviews, rubrics

router = SimpleRouter()
router.register("rubrics", rubrics.RubricViewSet, basename="rubric")
router.register("rubric-versions", rubrics.RubricVersionViewSet, basename="rubric-version")
router.register("qa-reviews", reviews.QAReviewViewSet, basename="qa-review")

urlpatterns = router.urls

from rest_framework.routers import SimpleRouter

from feedback.api.views import appeals, assessments, calibration, coaching, reviews, rubrics, sampling

router = SimpleRouter()
router.register("rubrics", rubrics.RubricViewSet, basename="rubric")
router.register("rubric-versions", rubrics.RubricVersionViewSet, basename="rubric-version")
router.register("qa-reviews", reviews.QAReviewViewSet, basename="qa-review")
router.register("qa-assignments", sampling.QAAssignmentViewSet, basename="qa-assignment")
router.register("qa-assignment-batches", sampling.QAAssignmentBatchViewSet, basename="qa-assignment-batch")
router.register("calibrations", calibration.CalibrationSessionViewSet, basename="calibration")
router.register("appeals", appeals.AppealViewSet, basename="appeal")
router.register("reports/appeals", appeals.AppealReportViewSet, basename="appeal-report")
router.register("coaching", coaching.CoachingSessionViewSet, basename="coaching")
router.register("reports/coaching", coaching.CoachingReportViewSet, basename="coaching-report")
router.register("assessment-templates", assessments.AssessmentTemplateViewSet, basename="assessment-template")
router.register("assessment-campaigns", assessments.AssessmentCampaignViewSet, basename="assessment-campaign")
router.register("assessment-requests", assessments.AssessmentRequestViewSet, basename="assessment-request")

urlpatterns = router.urls

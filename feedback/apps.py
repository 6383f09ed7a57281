from django.apps import AppConfig


class FeedbackConfig(AppConfig):
    name = "feedback"

    def ready(self):
        from common.vocabulary import vocabulary_register
        from feedback import models

        vocabulary_register("rating_scales", models.RatingScale.choices)
        vocabulary_register("rubric_version_statuses", models.RubricVersionStatus.choices)
        vocabulary_register("review_statuses", models.ReviewStatus.choices)
        vocabulary_register("assignment_statuses", models.AssignmentStatus.choices)
        vocabulary_register("calibration_statuses", models.CalibrationStatus.choices)
        vocabulary_register("coaching_follow_up_statuses", models.FollowUpStatus.choices)
        vocabulary_register("coaching_goal_statuses", models.GoalStatus.choices)
        vocabulary_register("assessment_competencies", models.Competency.choices)
        vocabulary_register("assessment_rater_kinds", models.RaterKind.choices)
        vocabulary_register("assessment_campaign_statuses", models.CampaignStatus.choices)

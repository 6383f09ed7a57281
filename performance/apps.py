from django.apps import AppConfig


class PerformanceConfig(AppConfig):
    name = "performance"

    def ready(self):
        from common.vocabulary import vocabulary_register
        from performance import models
        from performance.kpis import UNIT_LABELS
        from performance.services.ingestion.scenarios import BUILT_IN_SCENARIOS

        vocabulary_register("channels", models.Channel.choices)
        vocabulary_register("scenarios", BUILT_IN_SCENARIOS.items())
        vocabulary_register("kpi_units", UNIT_LABELS.items())
        vocabulary_register("period_kinds", models.PeriodKind.choices)
        vocabulary_register("period_statuses", models.PeriodStatus.choices)
        vocabulary_register("job_statuses", models.JobStatus.choices)
        vocabulary_register("missing_data_policies", models.MissingDataPolicy.choices)
        vocabulary_register("reward_kinds", models.RewardKind.choices)
        vocabulary_register("reward_amount_types", models.AmountType.choices)
        vocabulary_register("award_statuses", models.AwardStatus.choices)
        vocabulary_register("award_sources", models.AwardSource.choices)

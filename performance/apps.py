from django.apps import AppConfig


class PerformanceConfig(AppConfig):
    name = "performance"

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from accounts.models import Tenant
        from common.vocabulary import vocabulary_register
        from performance import models
        from performance.kpis import UNIT_LABELS
        from performance.services.ingestion.scenarios import BUILT_IN_SCENARIOS
        from performance.services.scoring import version_refs
        from performance.services.tenant_kpis import catalog

        # The cached KPI definitions of a tenant are dropped when one changes (performance.services.tenant_kpis).
        for signal in (post_save, post_delete):
            signal.connect(catalog.forget_on_definition_change, sender=models.TenantKpiDefinition,
                           dispatch_uid="tenant-kpi-cache")
        post_save.connect(catalog.forget_on_tenant_change, sender=Tenant, dispatch_uid="tenant-kpi-cache-tenant")
        # The cached scheme version references of a tenant likewise (performance.services.scoring.version_refs).
        for signal in (post_save, post_delete):
            for sender in (models.SchemeVersion, models.ScoringScheme):
                signal.connect(version_refs.forget_on_change, sender=sender,
                               dispatch_uid=f"scheme-version-refs-{sender.__name__}")

        vocabulary_register("channels", models.Channel.choices)
        vocabulary_register("directions", models.Direction.choices)
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
        vocabulary_register("alert_scopes", models.AlertScope.choices)
        vocabulary_register("alert_comparisons", models.AlertComparison.choices)
        vocabulary_register("alert_windows", models.AlertWindow.choices)
        vocabulary_register("alert_statuses", models.AlertStatus.choices)
        vocabulary_register("alert_resolutions", models.AlertResolution.choices)
        vocabulary_register("connection_kinds", models.ConnectionKind.choices)
        vocabulary_register("connection_statuses", models.ConnectionStatus.choices)
        vocabulary_register("connection_run_statuses", models.RunStatus.choices)
        vocabulary_register("connection_run_triggers", models.RunTrigger.choices)
        vocabulary_register("connection_scenario_matches", models.ScenarioMatch.choices)

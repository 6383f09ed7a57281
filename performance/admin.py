from django.contrib import admin

from common.admin import ReadOnlyAdmin, ReadOnlyInline
from performance.models import (
    AgentPeriodScore,
    AgentSchemeScore,
    ComputationJob,
    Interaction,
    KpiPeriod,
    Scenario,
    SchemeKpi,
    SchemeVersion,
    ScoreAdjustment,
    ScoreRevision,
    ScoringScheme,
    Shift,
)


@admin.register(Scenario)
class ScenarioAdmin(ReadOnlyAdmin):
    list_display = ["code", "name", "tenant", "created_at"]
    search_fields = ["code", "name"]


@admin.register(Interaction)
class InteractionAdmin(ReadOnlyAdmin):
    list_display = ["external_id", "source", "channel", "agent", "team", "started_at", "csat", "tenant"]
    list_filter = ["tenant", "channel", "resolved"]
    list_select_related = ["tenant", "agent", "team"]
    search_fields = ["external_id", "customer_ref"]
    raw_id_fields = ["agent", "team", "scenario"]


@admin.register(Shift)
class ShiftAdmin(ReadOnlyAdmin):
    list_display = ["external_id", "agent", "team", "date", "scheduled_minutes", "worked_minutes", "tenant"]
    list_select_related = ["tenant", "agent", "team"]
    search_fields = ["external_id", "agent__employee_code"]
    raw_id_fields = ["agent", "team"]


@admin.register(ScoringScheme)
class ScoringSchemeAdmin(ReadOnlyAdmin):
    list_display = ["name", "tenant", "created_at", "updated_at"]
    search_fields = ["name"]
    raw_id_fields = ["created_by"]


class SchemeKpiInline(ReadOnlyInline):
    model = SchemeKpi
    fields = ["position", "kpi_code", "weight", "floor", "target", "min_sample"]


@admin.register(SchemeVersion)
class SchemeVersionAdmin(ReadOnlyAdmin):
    list_display = ["scheme", "number", "effective_from", "effective_to", "scenario", "missing_data_policy",
                    "locked_at", "tenant"]
    list_select_related = ["tenant", "scheme", "scenario"]
    search_fields = ["scheme__name"]
    raw_id_fields = ["scheme", "scenario", "created_by"]
    inlines = [SchemeKpiInline]


@admin.register(KpiPeriod)
class KpiPeriodAdmin(ReadOnlyAdmin):
    list_display = ["name", "kind", "start", "end", "status", "current_revision", "tenant"]
    list_filter = ["tenant", "status", "kind"]
    list_select_related = ["tenant", "current_revision"]
    search_fields = ["name"]
    raw_id_fields = ["current_revision", "created_by", "closed_by"]


@admin.register(ComputationJob)
class ComputationJobAdmin(ReadOnlyAdmin):
    list_display = ["id", "period", "status", "progress", "attempts", "requeues", "created_at", "finished_at",
                    "tenant"]
    list_filter = ["tenant", "status"]
    list_select_related = ["tenant", "period"]
    search_fields = ["period__name"]
    raw_id_fields = ["period", "requested_by", "revision"]


@admin.register(ScoreRevision)
class ScoreRevisionAdmin(ReadOnlyAdmin):
    list_display = ["period", "number", "is_complete", "fingerprint", "created_at", "completed_at", "tenant"]
    list_filter = ["tenant", "is_complete"]
    list_select_related = ["tenant", "period"]
    search_fields = ["period__name", "fingerprint"]
    raw_id_fields = ["period", "job"]


@admin.register(AgentPeriodScore)
class AgentPeriodScoreAdmin(ReadOnlyAdmin):
    list_display = ["period", "revision", "agent", "team", "total", "rank", "percentile", "handled", "tenant"]
    list_select_related = ["tenant", "period", "revision", "agent", "team"]
    search_fields = ["agent__employee_code", "agent__display_name", "period__name"]
    raw_id_fields = ["period", "revision", "job", "agent", "team"]


@admin.register(AgentSchemeScore)
class AgentSchemeScoreAdmin(ReadOnlyAdmin):
    list_display = ["agent", "scheme_version", "revision", "total", "rank", "handled", "tenant"]
    list_select_related = ["tenant", "agent", "scheme_version", "revision"]
    search_fields = ["agent__employee_code", "agent__display_name"]
    raw_id_fields = ["overall", "revision", "agent", "scheme_version"]


@admin.register(ScoreAdjustment)
class ScoreAdjustmentAdmin(ReadOnlyAdmin):
    list_display = ["period", "agent", "points", "reason", "created_by", "created_at", "tenant"]
    list_select_related = ["tenant", "period", "agent", "created_by"]
    search_fields = ["agent__employee_code", "reason"]
    raw_id_fields = ["period", "score", "agent", "created_by"]

"""The reports under /tenants/{t}/reports/…: each one GET with strict query parameters, JSON by default or a file
with ?file_format=csv|xlsx (the same rows, flattened; headers in the response's language).

Scoping: admins and QA leads see every agent, supervisors the agents of their granted teams (score reports: by the
agent's current team; interaction reports: by the team at ingestion), agents only themselves (trends, channels and
the dashboard; the comparisons between agents are not for them).
"""

from __future__ import annotations

from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework.response import Response

from accounts.models import Team
from common import exports
from common.schema import JixiaoAutoSchema
from common.viewsets import TenantScopedViewSet
from feedback.models import OPEN_STATUSES, Appeal, QAReview
from performance.api import reports_serializers as serializers
from performance.api.reports_exports import EXPORT_RESPONSES
from performance.models import Interaction, KpiPeriod
from performance.selectors import period_bounds
from performance.services import reports

SCORE_REPORT_READERS = frozenset({"admin", "qa_lead", "supervisor"})
OWN_REPORT_READERS = frozenset({"admin", "qa_lead", "supervisor", "agent"})
SCOPE_NOTE = (" Scoped: admins and QA leads see every agent, supervisors the agents of their granted teams, agents "
              "themselves only. The response names the score revision it read (null: the period is not computed "
              "yet, and the report is empty). ?file_format=csv|xlsx downloads the same rows as a file (CSV: UTF-8 "
              "with a byte-order mark unless bom=false).")


class ReportSchema(JixiaoAutoSchema):
    """A report is one object, although DRF routes it as the `list` action."""

    def _is_list_view(self, serializer=None) -> bool:
        return False


def _report_schema(summary: str, description: str, query, body):
    return extend_schema_view(list=extend_schema(
        summary=summary, description=description + SCOPE_NOTE, parameters=[query],
        responses={(200, "application/json"): body, **EXPORT_RESPONSES}))


class ReportViewSet(TenantScopedViewSet):
    """One report: validate the query, build the JSON, or flatten it into a file."""

    schema = ReportSchema()
    queryset = KpiPeriod.objects.all()
    action_roles = {"list": SCORE_REPORT_READERS}
    list_actions = frozenset()
    pagination_class = None
    filter_backends: list = []
    query_serializer: type
    response_serializer: type
    report_name: str

    def allowed_query_params(self) -> set[str]:
        return super().allowed_query_params() | set(self.query_serializer().fields)

    def list(self, request, tenant_slug):
        query = self.query_serializer(data=self.own_query_params().dict(), context=self.get_serializer_context())
        query.is_valid(raise_exception=True)
        data = self.build(query.validated_data)
        file_format = query.validated_data.get("file_format")
        if not file_format:
            return Response(self.response_serializer(data).data)
        columns, rows = self.flatten(data)
        period = query.validated_data.get("period")
        name = f"{self.report_name}-{slugify(period.name) or period.pk}" if period else self.report_name
        return exports.export_response(rows=rows, columns=[exports.Column(h, _getter(k)) for k, h in columns],
                                       file_format=file_format, filename=name, time_zone=self.actor.tenant.time_zone,
                                       sheet_title=self.report_name, bom=query.validated_data["bom"])

    def scope(self, data: dict, revision_ids: list[int], agent=None):
        team = data.get("team")
        return reports.visible_scores(actor=self.actor, revision_ids=revision_ids,
                                      team_id=team.pk if team else None, agent_id=agent.pk if agent else None)

    def interactions(self, data: dict):
        rows = Interaction.objects.for_actor(self.actor, "view")
        return rows.filter(team=data["team"]) if data.get("team") else rows

    def build(self, data: dict) -> dict:
        raise NotImplementedError

    def flatten(self, data: dict) -> tuple[list, list[dict]]:
        raise NotImplementedError


def _getter(key: str):
    return lambda row: row.get(key)


@_report_schema("A metric's trend: across periods, or daily/weekly inside one period",
                "Across periods: one point per computed period (the latest `periods`, oldest first) from its "
                "current revision: the agent's value, or the mean over the team's or tenant's agents, with the "
                "agents counted and their summed sample size. With period and interval: a day or ISO-week series "
                "inside the period computed from raw interactions (empty buckets have no value).",
                serializers.TrendQuerySerializer, serializers.TrendSerializer)
class TrendReportViewSet(ReportViewSet):
    action_roles = {"list": OWN_REPORT_READERS}
    query_serializer = serializers.TrendQuerySerializer
    response_serializer = serializers.TrendSerializer
    report_name = "trend"

    def build(self, data: dict) -> dict:
        level, agent, team = data["level"], data.get("agent"), data.get("team")
        head = {"metric": data["metric"], "level": level, "team": team.pk if team and level == "team" else None,
                "agent": agent.pk if agent and level == "agent" else None, "interval": data.get("interval")}
        if data.get("interval"):
            period = data["period"]
            interactions = Interaction.objects.for_actor(self.actor, "view")
            if level == "team":
                interactions = interactions.filter(team=team)
            elif level == "agent":
                interactions = interactions.filter(agent=agent)
            points = reports.interaction_series(
                interactions=interactions, metric=data["metric"], interval=data["interval"],
                zone=self.actor.tenant.zone, start=period.start, end=period.end, bounds=period_bounds(period))
            return {**head, "period": period.pk, "points": points}
        periods = list(KpiPeriod.objects.for_actor(self.actor, "view").filter(current_revision__isnull=False)
                       .select_related("current_revision").order_by("-start", "-id")[:data["periods"]])[::-1]
        scope = self.scope({"team": team if level == "team" else None},
                           [p.current_revision_id for p in periods], agent if level == "agent" else None)
        points = reports.period_trend(tenant_id=self.actor.tenant.pk, metric=data["metric"], periods=periods,
                                      scope=scope)
        return {**head, "period": None, "points": points}

    def flatten(self, data):
        columns = [("name", _("Period")), ("start", _("Start")), ("end", _("End")), ("revision", _("Revision")),
                   ("value", _("Value")), ("agents", _("Agents")), ("sample_size", _("Sample size"))]
        rows = [{**p, "revision": (p.get("revision") or {}).get("number")} for p in data["points"]]
        return columns, rows


class PeriodReportViewSet(ReportViewSet):
    """Reports of one period's score revision."""

    def build(self, data: dict) -> dict:
        period = data["period"]
        revision = reports.report_revision(period=period, number=data.get("revision"))
        scope = self.scope(data, [revision.pk] if revision else [])
        return {"period": period.pk, "revision": reports.revision_summary(revision),
                **self.compute(data, revision, scope)}


@_report_schema("Distribution of totals or of one KPI in a period: histogram, mean, median, p10, p90",
                "Over the agents with a value in the revision. Bins: the edges given (bins=0,60,70,80,90,100; the "
                "last bin includes its upper edge, values outside are counted as below/above) or bin_count equal "
                "bins from the minimum to the maximum. Percentiles are continuous (interpolated).",
                serializers.DistributionQuerySerializer, serializers.DistributionSerializer)
class DistributionReportViewSet(PeriodReportViewSet):
    query_serializer = serializers.DistributionQuerySerializer
    response_serializer = serializers.DistributionSerializer
    report_name = "distribution"

    def compute(self, data, revision, scope):
        return reports.metric_distribution(tenant_id=self.actor.tenant.pk, metric=data["metric"], scope=scope,
                                           edges=data.get("bins"), bin_count=data["bin_count"])

    def flatten(self, data):
        columns = [("lower", _("Lower bound")), ("upper", _("Upper bound")), ("count", _("Agents"))]
        return columns, data["bins"]


@_report_schema("Team comparison in a period: head count, scored count, mean/median/p90 of the total and each KPI",
                "Per team (the team when computed): agents listed and scored, and per metric (the total and every "
                "KPI the revision scored) n, mean, median and p90 over the team's agents.",
                serializers.TeamsQuerySerializer, serializers.TeamsReportSerializer)
class TeamsReportViewSet(PeriodReportViewSet):
    query_serializer = serializers.TeamsQuerySerializer
    response_serializer = serializers.TeamsReportSerializer
    report_name = "teams"

    def compute(self, data, revision, scope):
        if revision is None:
            return {"metrics": [], "teams": []}
        codes = reports.revision_metric_codes(tenant_id=self.actor.tenant.pk, revision=revision)
        teams = reports.team_comparison(tenant_id=self.actor.tenant.pk, codes=codes, scope=scope)
        names = dict(Team.objects.filter(tenant_id=self.actor.tenant.pk, pk__in=[t["team"] for t in teams])
                     .values_list("pk", "name"))
        return {"metrics": codes, "teams": [{**t, "name": names.get(t["team"], "")} for t in teams]}

    def flatten(self, data):
        columns = [("team", _("Team id")), ("name", _("Team")), ("head_count", _("Head count")),
                   ("scored", _("Scored")), ("metric", _("Metric")), ("n", _("Agents")), ("mean", _("Mean")),
                   ("median", _("Median")), ("p90", _("P90"))]
        rows = [{**{k: t[k] for k in ("team", "name", "head_count", "scored")}, **m}
                for t in data["teams"] for m in t["metrics"]]
        return columns, rows


@_report_schema("Correlation of two metrics across agents in a period (Pearson, Spearman, n, scatter points)",
                "Over the agents having both values: Pearson's r, Spearman's rho (ties share their average rank), "
                "n, and one point per agent (for a scatter plot, e.g. frt against csat). null when n < 2 or a "
                "metric does not vary.",
                serializers.CorrelationQuerySerializer, serializers.CorrelationSerializer)
class CorrelationReportViewSet(PeriodReportViewSet):
    query_serializer = serializers.CorrelationQuerySerializer
    response_serializer = serializers.CorrelationSerializer
    report_name = "correlation"

    def compute(self, data, revision, scope):
        return reports.metric_correlation(tenant_id=self.actor.tenant.pk, x=data["x"], y=data["y"], scope=scope)

    def flatten(self, data):
        return [("agent", _("Agent id")), ("x", data["x"]), ("y", data["y"])], data["points"]


@_report_schema("A period's interaction KPIs by channel, by scenario and by direction",
                "Computed from the period's raw interactions (tenant-local days), for the tenant or one team (the "
                "team at ingestion): one row per channel, scenario and direction with offered, handled and the "
                "interaction KPIs.", serializers.ChannelsQuerySerializer, serializers.ChannelsReportSerializer)
class ChannelsReportViewSet(ReportViewSet):
    action_roles = {"list": OWN_REPORT_READERS}
    query_serializer = serializers.ChannelsQuerySerializer
    response_serializer = serializers.ChannelsReportSerializer
    report_name = "channels"

    def build(self, data):
        period, team = data["period"], data.get("team")
        rows = reports.channel_breakdown(interactions=self.interactions(data), bounds=period_bounds(period))
        return {"period": period.pk, "team": team.pk if team else None, "rows": rows}

    def flatten(self, data):
        columns = [("dimension", _("Dimension")), ("key", _("Key"))] + [(c, c) for c in reports.CHANNEL_KPIS]
        return columns, data["rows"]


@_report_schema("The landing screen: a period's headline figures for the tenant and per team",
                "Volume, answer rate, AHT, FCR, CSAT (raw interactions of the period), QA score (published "
                "reviews), scored agents (the current revision), and for the tenant the open appeals of the period "
                "and the open alerts you may see.",
                serializers.DashboardQuerySerializer, serializers.DashboardSerializer)
class DashboardReportViewSet(ReportViewSet):
    action_roles = {"list": OWN_REPORT_READERS}
    query_serializer = serializers.DashboardQuerySerializer
    response_serializer = serializers.DashboardSerializer
    report_name = "dashboard"

    def build(self, data):
        from feedback.appeal_selectors import appeals_in_period

        period = data["period"]
        appeals = appeals_in_period(period).filter(
            status__in=OPEN_STATUSES, pk__in=Appeal.objects.for_actor(self.actor, "view").values("pk"))
        open_counts = {"open_appeals": appeals.count(), "open_alerts": self.open_alerts()}
        body = reports.period_dashboard(actor=self.actor, period=period,
                                        interactions=Interaction.objects.for_actor(self.actor, "view"),
                                        reviews=QAReview.objects.for_actor(self.actor, "view").kpi_countable(),
                                        bounds=period_bounds(period), open_counts=open_counts)
        return {"period": period.pk, "revision": reports.revision_summary(period.current_revision), **body}

    def open_alerts(self) -> int:
        from performance.services.alerts.events import open_alert_count

        return open_alert_count(actor=self.actor)

    def flatten(self, data):
        columns = [("team", _("Team id")), ("name", _("Team")), ("volume", _("Volume"))] + [
            (c, c) for c in (*reports.HEADLINE_KPIS, "qa_score", "qa_reviews", "scored_agents")]
        return columns, [{**data["tenant"], "name": _("All teams")}, *data["teams"]]

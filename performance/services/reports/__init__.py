"""Reports (trends, distribution, teams, correlations, channels, dashboard): reads aggregated in SQL, each over
what the actor may see. Views validate the query and call these; exports render the same rows as files."""

from performance.services.reports.channels import CHANNEL_KPIS, channel_breakdown
from performance.services.reports.comparisons import metric_correlation, team_comparison
from performance.services.reports.dashboard import HEADLINE_KPIS, period_dashboard
from performance.services.reports.distribution import metric_distribution
from performance.services.reports.metrics import TOTAL, metric_rows, revision_metric_codes, visible_scores
from performance.services.reports.revisions import report_revision, revision_summary
from performance.services.reports.trends import INTERACTION_KPIS, interaction_series, period_trend

__all__ = [
    "CHANNEL_KPIS",
    "HEADLINE_KPIS",
    "INTERACTION_KPIS",
    "TOTAL",
    "channel_breakdown",
    "interaction_series",
    "metric_correlation",
    "metric_distribution",
    "metric_rows",
    "period_dashboard",
    "period_trend",
    "report_revision",
    "revision_metric_codes",
    "revision_summary",
    "team_comparison",
    "visible_scores",
]

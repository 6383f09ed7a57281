"""Per-agent values of a metric in one or more score revisions, as SQL the reports build on.

A metric is `total` (the agent's overall total) or a KPI code. A KPI's value is the raw value stored in the
agent's breakdown: where several of the agent's scheme versions have the KPI, the tenant-wide one (no scenario)
wins, then the oldest version. So a report shows the very numbers the agent was scored on, and a KPI no scheme
of the period uses has no values. Scoping is a subquery of the score rows the actor may see
(AgentPeriodScore.objects.for_actor), embedded into the raw SQL.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.cache import cache
from django.core.exceptions import EmptyResultSet
from django.db import connection

from common.actor import Actor
from performance.kpis import CATALOG
from performance.models import AgentPeriodScore, AgentSchemeScore, SchemeVersion, ScoreRevision

TOTAL = "total"

APS = AgentPeriodScore._meta.db_table
ASS = AgentSchemeScore._meta.db_table
VERSIONS = SchemeVersion._meta.db_table


@dataclass(frozen=True)
class Sql:
    sql: str
    params: list
    revision_ids: tuple[int, ...] = ()


SCOPE_COLUMNS = ("id", "revision_id", "agent_id", "team_id", "total", "handled")
NOTHING_VISIBLE = ("SELECT NULL::bigint AS id, NULL::bigint AS revision_id, NULL::bigint AS agent_id, "
                   "NULL::bigint AS team_id, NULL::numeric AS total, NULL::int AS handled WHERE false")


def visible_scores(*, actor: Actor, revision_ids: list[int], team_id: int | None = None,
                   agent_id: int | None = None) -> Sql:
    """The score rows of `revision_ids` the actor may see, optionally of one team or agent, as a subquery of the
    overall rows' columns the reports read (SCOPE_COLUMNS). The reports select FROM it rather than testing
    `id IN (it)` against the table again, which would read every row twice (a self-join)."""
    rows = AgentPeriodScore.objects.for_actor(actor, "view").filter(revision_id__in=revision_ids)
    if team_id is not None:
        rows = rows.filter(team_id=team_id)
    if agent_id is not None:
        rows = rows.filter(agent_id=agent_id)
    try:
        sql, params = rows.order_by().values(*SCOPE_COLUMNS).query.sql_with_params()
    except EmptyResultSet:  # nothing visible (no revision, or a scope that is none())
        return Sql(NOTHING_VISIBLE, [])
    return Sql(sql, list(params), tuple(revision_ids))


def _one_revision_kpi_rows(scope: Sql) -> str:
    """metric_rows' KPI part for the scoped rows of one revision (the teams report, distribution, correlations):
    each scoped row's breakdowns are read by one index probe (its overall row, or tenant, revision and agent), in a
    LATERAL subquery that OFFSET 0 keeps from being flattened into a plain join; whether a breakdown's version is a
    scenario's is one array computed once, not a join per row.

    The revision a report reads is usually the period's newest, and a just-written revision is not in the table
    statistics yet (autoanalyze waits for a tenth of the table to change): both sides of a plain join are then
    estimated at one row, and it was planned as a nested loop reading the whole revision's breakdowns for every
    agent (2,000 × 2,000 rows: 0.16 s on the bench tenant, 0.8 s on a copy with 12 analyzed months). Across several
    revisions (trends) the older ones carry the estimate, and the plain join's parallel hash plan is faster than
    probes (75 against 125 ms over 12 months), so those keep it."""
    return f"""
            SELECT DISTINCT ON (o.revision_id, o.agent_id, k.metric)
                   o.revision_id, o.agent_id, o.team_id, k.metric, k.value, k.sample
            FROM ({scope.sql}) o
            CROSS JOIN LATERAL (
                SELECT e->>'kpi_code' AS metric, (e->>'raw_value')::numeric AS value,
                       (e->>'sample_size')::int AS sample,
                       ss.scheme_version_id = ANY(ARRAY(SELECT v.id FROM {VERSIONS} v
                                                        WHERE v.tenant_id = %s AND v.scenario_id IS NOT NULL))
                           AS by_scenario,
                       ss.scheme_version_id
                FROM {ASS} ss
                CROSS JOIN LATERAL jsonb_array_elements(ss.kpis) e
                WHERE ss.tenant_id = %s AND ss.revision_id = o.revision_id AND ss.agent_id = o.agent_id
                  AND ss.overall_id = o.id AND e->>'kpi_code' = ANY(%s) AND e->>'raw_value' IS NOT NULL
                OFFSET 0) k
            ORDER BY o.revision_id, o.agent_id, k.metric, k.by_scenario, k.scheme_version_id"""


def metric_rows(*, tenant_id: int, codes: list[str], scope: Sql) -> Sql:
    """Rows (revision_id, agent_id, team_id, metric, value, sample) of the scoped score rows, one per agent, revision
    and metric in `codes` that has a value."""
    kpis = [code for code in codes if code != TOTAL]
    parts, params = [], []
    if kpis and len(scope.revision_ids) == 1:
        parts.append(_one_revision_kpi_rows(scope))
        params += [*scope.params, tenant_id, tenant_id, kpis]
    elif kpis:
        parts.append(f"""
            SELECT DISTINCT ON (ss.revision_id, ss.agent_id, e->>'kpi_code')
                   ss.revision_id, ss.agent_id, o.team_id, e->>'kpi_code' AS metric,
                   (e->>'raw_value')::numeric AS value, (e->>'sample_size')::int AS sample
            FROM ({scope.sql}) o
            JOIN {ASS} ss ON ss.overall_id = o.id
            JOIN {VERSIONS} v ON v.id = ss.scheme_version_id
            CROSS JOIN LATERAL jsonb_array_elements(ss.kpis) e
            WHERE ss.tenant_id = %s AND ss.revision_id = ANY(%s)
              AND e->>'kpi_code' = ANY(%s) AND e->>'raw_value' IS NOT NULL
            ORDER BY ss.revision_id, ss.agent_id, e->>'kpi_code', (v.scenario_id IS NOT NULL), ss.scheme_version_id""")
        params += [*scope.params, tenant_id, list(scope.revision_ids), kpis]
    if TOTAL in codes:
        parts.append(f"""
            SELECT o.revision_id, o.agent_id, o.team_id, '{TOTAL}' AS metric, o.total AS value, o.handled AS sample
            FROM ({scope.sql}) o WHERE o.total IS NOT NULL""")
        params += [*scope.params]
    return Sql(" UNION ALL ".join(f"({part})" for part in parts), params)


CODES_CACHE_SECONDS = 24 * 3600


def revision_metric_codes(*, tenant_id: int, revision: ScoreRevision) -> list[str]:
    """`total` and every KPI code the revision's breakdowns hold, in catalog order.

    Cached per complete revision: its rows are written once by the computation and never changed (a recomputation
    writes a new revision), so the key cannot go stale. The completion time in the key keeps a recreated database,
    whose revision ids start again, from meeting an old entry. Reading the codes costs a pass over every breakdown
    of the revision (5 ms at 2,000 agents), whatever the reader's scope."""
    key = None
    if revision.is_complete and revision.completed_at is not None:
        key = f"reports:revision-codes:{int(tenant_id)}:{revision.pk}:{revision.completed_at.timestamp()}"
        codes = cache.get(key)
        if codes is not None:
            return codes
    with connection.cursor() as cursor:
        cursor.execute(f"""SELECT DISTINCT e->>'kpi_code'
                           FROM {ASS} ss CROSS JOIN LATERAL jsonb_array_elements(ss.kpis) e
                           WHERE ss.tenant_id = %s AND ss.revision_id = %s""", [tenant_id, revision.pk])
        found = {row[0] for row in cursor.fetchall()}
    codes = [TOTAL, *(code for code in CATALOG if code in found)]
    if key is not None:
        cache.set(key, codes, CODES_CACHE_SECONDS)
    return codes

"""Ingesting interactions and shifts: validate every row of a batch, then upsert all of them or none.

The path is built for volume (tens of thousands of rows a second): rows are parsed by plain functions, codes
are resolved with one query per kind for the whole batch, and the write is a COPY into a temporary staging
table followed by one `INSERT ... SELECT ... ON CONFLICT (tenant_id, source, external_id) DO UPDATE`, whose
RETURNING tells created from updated rows. COPY cannot target a table protected by row-level security, which
is why the staging table sits in between (see design.md, "Known traps").
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.db.models import Model
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from rest_framework.exceptions import PermissionDenied

from accounts.models import Agent
from accounts.querysets import TENANT_WIDE, granted_teams
from common.actor import Actor
from common.audit import audit_record
from common.errors import Conflict
from performance.models import Interaction, Scenario, Shift
from performance.services.ingestion.rows import (
    INTERACTION_ROW,
    INVALID,
    SHIFT_ROW,
    RowError,
    RowSpec,
    location,
    parse_row,
)

MAX_BATCH_ROWS = 10_000
INGEST_ROLES = frozenset({"admin", "supervisor", "integration"})

NO_ROWS = _("The batch has no rows.")
UNKNOWN_AGENT_IN_TENANT = _('No agent with employee code "%(code)s" in this tenant.')
UNKNOWN_AGENT_ON_TEAMS = _('No agent with employee code "%(code)s" on a team you manage.')
UNKNOWN_SCENARIO = _('No scenario with code "%(code)s"; define it under scenarios/ first.')
DUPLICATE_OF = _("%(row)s has the same source and external_id; send each record once per batch.")
DUPLICATE = _("Another row has the same source and external_id; send each record once per batch.")


class IngestionRejected(Exception):  # noqa: N818 - a refusal the API reports as 400, not a bug
    """The batch was refused as a whole; nothing was written."""

    def __init__(self, detail: str, errors: list[RowError]):
        super().__init__(detail)
        self.detail = detail
        self.errors = errors


class RowsInvalid(IngestionRejected):
    def __init__(self, errors: list[RowError], invalid_rows: int):
        detail = ngettext("%(count)d row is invalid; nothing was written.",
                          "%(count)d rows are invalid; nothing was written.", invalid_rows) % {"count": invalid_rows}
        super().__init__(detail, errors)
        self.invalid_rows = invalid_rows


@dataclass(frozen=True)
class IngestionResult:
    """Counts of a batch. `updated` counts every row whose key existed, `unchanged` those of them that were
    identical to what was stored (they are left untouched, updated_at included)."""

    created: int
    updated: int
    unchanged: int = 0
    row_id: int | None = None  # the row's id, for a batch of one

    @property
    def rows(self) -> int:
        return self.created + self.updated

    def as_dict(self) -> dict[str, int]:
        return {"created": self.created, "updated": self.updated, "unchanged": self.unchanged, "rows": self.rows}


@dataclass(frozen=True)
class Target:
    """Where one kind of row goes: its model, its input columns, and the audit action of a batch."""

    model: type[Model]
    spec: RowSpec
    audit_action: str

    @property
    def table(self) -> str:
        return self.model._meta.db_table

    @property
    def columns(self) -> list[str]:
        """Staging columns: the agent code becomes agent_id and team_id, a scenario code scenario_id."""
        names = ["agent_id", "team_id"]
        for field in self.spec.fields[1:]:
            names.append("scenario_id" if field.name == "scenario" else field.name)
        return names

    @property
    def column_types(self) -> list[str]:
        fields = {field.column: field for field in self.model._meta.concrete_fields}
        return [fields[name].db_type(connection) for name in self.columns]


INTERACTIONS = Target(Interaction, INTERACTION_ROW, "interactions.ingested")
SHIFTS = Target(Shift, SHIFT_ROW, "shifts.ingested")


def interaction_ingest(*, actor: Actor, rows: Iterable[tuple[str, Any]], via: str) -> IngestionResult:
    """Create or update (by tenant, source and external_id) every interaction row, or none of them.

    `rows` yields (location, raw row) pairs; the location ("rows.3", "line.5") prefixes error fields.
    Raises RowsInvalid with every row's errors, or IngestionRejected for a batch that is empty or too large.
    """
    return _ingest(INTERACTIONS, actor=actor, rows=rows, via=via)


def shift_ingest(*, actor: Actor, rows: Iterable[tuple[str, Any]], via: str) -> IngestionResult:
    """Create or update (by tenant, source and external_id) every shift row, or none of them."""
    return _ingest(SHIFTS, actor=actor, rows=rows, via=via)


def _ingest(target: Target, *, actor: Actor, rows: Iterable[tuple[str, Any]], via: str) -> IngestionResult:
    if actor.role not in INGEST_ROLES:
        raise PermissionDenied(_("Your role, %(label)s (%(role)s), may not ingest data.")
                               % {"label": actor.role_label, "role": actor.role})
    batch = _Batch(target, actor)
    batch.parse(rows)
    batch.resolve()
    if batch.errors:
        batch.errors.sort(key=lambda pair: pair[0])
        raise RowsInvalid([error for _, error in batch.errors], len({number for number, _ in batch.errors}))
    return batch.write(via=via)


class _Batch:
    """One batch on its way in: parsed rows, their errors, then the write."""

    def __init__(self, target: Target, actor: Actor):
        self.target = target
        self.actor = actor
        self.spec = target.spec
        self.prefixes: list[str] = []
        self.values: list[list[Any] | None] = []
        self.errors: list[tuple[int, RowError]] = []
        self.keys: dict[tuple[str, str], int] = {}

    def parse(self, rows: Iterable[tuple[str, Any]]) -> None:
        spec, prefixes, values = self.spec, self.prefixes, self.values
        row_errors: list[RowError] = []
        for number, (prefix, raw) in enumerate(rows):
            if number == MAX_BATCH_ROWS:
                limit = {"limit": f"{MAX_BATCH_ROWS:,}"}
                raise IngestionRejected(
                    _("A batch may hold at most %(limit)s rows; split it into several requests.") % limit,
                    [RowError("rows" if prefix.startswith("rows") else "file",
                              _("More than %(limit)s rows; nothing was written.") % limit, "too_many_rows")],
                )
            prefixes.append(prefix)
            values.append(parse_row(spec, raw, prefix, row_errors))
            if row_errors:
                self.errors.extend((number, error) for error in row_errors)
                row_errors.clear()
        if not prefixes:
            raise IngestionRejected(NO_ROWS, [RowError("rows", NO_ROWS, "empty")])

    def resolve(self) -> None:
        """Agent and scenario codes to ids (one query each), and duplicate keys inside the batch."""
        spec, keys = self.spec, self.keys
        source_ix, external_ix = spec.index("source"), spec.index("external_id")
        scenario_ix = spec.index("scenario") if "scenario" in spec.names else None
        agents = self._agents(self._codes(0))
        scenarios = self._scenarios(self._codes(scenario_ix)) if scenario_ix is not None else {}
        unknown_agent = UNKNOWN_AGENT_IN_TENANT if self._tenant_wide else UNKNOWN_AGENT_ON_TEAMS
        for number, row in enumerate(self.values):
            if row is None:
                continue
            prefix = self.prefixes[number]
            if row[0] is not INVALID:
                agent = agents.get(row[0])
                if agent is None:
                    self._fail(number, location(prefix, "agent"), unknown_agent % {"code": row[0]}, "does_not_exist")
                row[0] = agent
            if scenario_ix is not None and row[scenario_ix] is not None and row[scenario_ix] is not INVALID:
                scenario_id = scenarios.get(row[scenario_ix])
                if scenario_id is None:
                    self._fail(number, location(prefix, "scenario"), UNKNOWN_SCENARIO % {"code": row[scenario_ix]},
                               "does_not_exist")
                row[scenario_ix] = scenario_id
            key = (row[source_ix], row[external_ix])
            if INVALID in key:
                continue
            first = keys.setdefault(key, number)
            if first != number:
                message = DUPLICATE_OF % {"row": self.prefixes[first]} if self.prefixes[first] else DUPLICATE
                self._fail(number, location(prefix, "external_id"), message, "duplicate")

    def _codes(self, index: int) -> set[str]:
        return {
            row[index] for row in self.values
            if row is not None and row[index] is not None and row[index] is not INVALID
        }

    def write(self, *, via: str) -> IngestionResult:
        target = self.target
        rows = [(row[0][0], row[0][1], *row[1:]) for row in self.values]
        try:
            with transaction.atomic():
                written = _upsert(target, self.actor.tenant.pk, rows, self._managed_teams())
                if written.foreign:
                    raise self._foreign_rows(written.foreign)
                result = IngestionResult(
                    created=written.created,
                    updated=len(rows) - written.created,
                    unchanged=len(rows) - written.written,
                    row_id=self._row_id(written) if len(rows) == 1 else None,
                )
                sources = sorted({source for source, _ in self.keys})
                audit_record(
                    actor=self.actor,
                    action=target.audit_action,
                    object_type=target.model._meta.model_name,
                    object_id=result.row_id or "",
                    after={**result.as_dict(), "sources": sources[:20], "via": via},
                )
        except IntegrityError as exc:
            # Only a concurrent change (e.g. an agent deleted meanwhile) gets here: every row was checked.
            raise Conflict(_("The data changed while this batch was written; send it again.")) from exc
        return result

    def _row_id(self, written: _Written) -> int:
        if written.last_id is not None:
            return written.last_id
        (source, external_id), = self.keys
        rows = self.target.model.objects.filter(tenant_id=self.actor.tenant.pk, source=source, external_id=external_id)
        return rows.values_list("pk", flat=True).get()

    @property
    def _tenant_wide(self) -> bool:
        return self.actor.is_integration or (self.actor.role, "manage") in TENANT_WIDE

    def _agents(self, codes: set[str]) -> dict[str, tuple[int, int | None]]:
        agents = Agent.objects.filter(tenant_id=self.actor.tenant.pk)
        if not self.actor.is_integration:
            agents = agents.for_actor(self.actor, "manage")
        found = agents.filter(employee_code__in=codes).values_list("employee_code", "pk", "team_id")
        return {code: (pk, team_id) for code, pk, team_id in found}

    def _scenarios(self, codes: set[str]) -> dict[str, int]:
        if not codes:
            return {}
        found = Scenario.objects.filter(tenant_id=self.actor.tenant.pk, code__in=codes).values_list("code", "pk")
        return dict(found)

    def _managed_teams(self) -> list[int] | None:
        """Teams whose existing rows this actor may overwrite; None for everyone in the tenant."""
        if self._tenant_wide:
            return None
        return list(granted_teams(self.actor, "manage").values_list("pk", flat=True))

    def _fail(self, number: int, field: str, message: str, code: str) -> None:
        self.errors.append((number, RowError(field, message, code)))

    def _foreign_rows(self, keys: list[tuple[str, str]]) -> RowsInvalid:
        numbers = sorted(self.keys[tuple(key)] for key in keys)
        errors = [
            RowError(location(self.prefixes[number], "external_id"),
                     _("A record with this source and external_id exists on a team you do not manage."), "forbidden")
            for number in numbers
        ]
        return RowsInvalid(errors, len(numbers))


@dataclass(frozen=True)
class _Written:
    created: int
    written: int  # created + changed; rows identical to the stored ones are not written
    last_id: int | None
    foreign: list[tuple[str, str]]


STAGING_THRESHOLD = 100


def _upsert(target: Target, tenant_id: int, rows: list[tuple], managed_teams: list[int] | None) -> _Written:
    """Upsert `rows` (in target.columns order) with one statement.

    Up to STAGING_THRESHOLD rows travel as VALUES; more are COPYed into a temporary staging table first (the
    fastest way in, and a temp table per request would be churn for single rows). `foreign` lists the keys
    of existing rows outside `managed_teams` (None: all teams); the caller must then roll back.
    """
    table, columns = target.table, target.columns
    cols = ", ".join(columns)
    compared = [name for name in columns if name not in {"source", "external_id", "team_id"}]
    sets = ", ".join(f"{name} = EXCLUDED.{name}" for name in compared)
    old = ", ".join(f"t.{name}" for name in compared)
    new = ", ".join(f"EXCLUDED.{name}" for name in compared)
    now = timezone.now()
    with connection.cursor() as cursor:
        if len(rows) > STAGING_THRESHOLD:
            stage_sql, params = f"SELECT {cols} FROM {_copy_to_stage(cursor, target, rows)}", []
        else:
            one = "(" + ", ".join(f"%s::{kind}" for kind in target.column_types) + ")"
            stage_sql, params = "VALUES " + ", ".join([one] * len(rows)), [value for row in rows for value in row]
        foreign_cte, foreign_select = "", "NULL::text[]"
        if managed_teams is not None:
            foreign_cte = f"""
                foreign_rows AS (
                    SELECT s.source, s.external_id FROM stage s
                    JOIN {table} t ON t.tenant_id = %s AND t.source = s.source AND t.external_id = s.external_id
                    WHERE t.team_id IS NULL OR t.team_id <> ALL(%s)
                ),"""
            foreign_select = "(SELECT array_agg(ARRAY[source, external_id]) FROM foreign_rows)"
            params += [tenant_id, managed_teams]
        # The team is the agent's team when the record was first ingested; it follows only a change of agent.
        # Rows go in key order so that concurrent batches touching the same records lock them in the same order.
        sql = f"""
            WITH stage ({cols}) AS ({stage_sql}),{foreign_cte}
            upserted AS (
                INSERT INTO {table} AS t (tenant_id, {cols}, created_at, updated_at)
                SELECT %s, {cols}, %s, %s FROM stage ORDER BY source, external_id
                ON CONFLICT (tenant_id, source, external_id) DO UPDATE SET {sets},
                    team_id = CASE WHEN t.agent_id = EXCLUDED.agent_id THEN t.team_id ELSE EXCLUDED.team_id END,
                    updated_at = EXCLUDED.updated_at
                WHERE ({old}) IS DISTINCT FROM ({new})
                RETURNING t.id, (t.xmax = 0) AS inserted
            )
            SELECT count(*) FILTER (WHERE inserted), count(*), max(id), {foreign_select} FROM upserted
        """
        cursor.execute(sql, [*params, tenant_id, now, now])
        created, written, last_id, foreign = cursor.fetchone()
        if len(rows) > STAGING_THRESHOLD:
            cursor.execute(f"DROP TABLE {_stage_name(target)}")
    return _Written(created, written, last_id, [tuple(key) for key in foreign or []])


def _stage_name(target: Target) -> str:
    return f"jx_stage_{target.table}"


def _copy_to_stage(cursor, target: Target, rows: list[tuple]) -> str:
    """COPY rows into a fresh temporary table shaped like the target's columns; returns its name."""
    stage, cols = _stage_name(target), ", ".join(target.columns)
    cursor.execute(f"DROP TABLE IF EXISTS pg_temp.{stage}")
    cursor.execute(f"CREATE TEMP TABLE {stage} ON COMMIT DROP AS SELECT {cols} FROM {target.table} WITH NO DATA")
    with cursor.copy(f"COPY {stage} ({cols}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)
    return stage

"""Ingestion of interactions and shifts (single rows, JSON batches, CSV files) and the scenario codes they use."""

from performance.services.ingestion.batches import (
    INGEST_ROLES,
    MAX_BATCH_ROWS,
    IngestionRejected,
    IngestionResult,
    RowsInvalid,
    interaction_ingest,
    shift_ingest,
)
from performance.services.ingestion.rows import INTERACTION_ROW, SHIFT_ROW, RowError, RowSpec
from performance.services.ingestion.scenarios import scenario_create, scenario_delete, scenario_update

__all__ = [
    "INGEST_ROLES",
    "INTERACTION_ROW",
    "MAX_BATCH_ROWS",
    "SHIFT_ROW",
    "IngestionRejected",
    "IngestionResult",
    "RowError",
    "RowSpec",
    "RowsInvalid",
    "interaction_ingest",
    "scenario_create",
    "scenario_delete",
    "scenario_update",
    "shift_ingest",
]

"""Connector services: connections and their mappings (connections.py), sync runs (sync.py, pages.py), how a
ticket becomes an interaction (derivation.py)."""

from performance.services.connectors.connections import (
    connection_agent_map,
    connection_create,
    connection_delete,
    connection_mappings_replace,
    connection_sync_request,
    connection_test,
    connection_update,
)
from performance.services.connectors.sync import connection_run_enqueue, connection_run_execute, connections_sync_due

__all__ = [
    "connection_agent_map",
    "connection_create",
    "connection_delete",
    "connection_mappings_replace",
    "connection_run_enqueue",
    "connection_run_execute",
    "connection_sync_request",
    "connection_test",
    "connection_update",
    "connections_sync_due",
]

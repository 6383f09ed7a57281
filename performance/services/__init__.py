"""Writes on performance data. Import services from their modules (ingestion, schemes, periods, ...)."""

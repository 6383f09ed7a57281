"""Serializers of the performance resources laid out one module per resource (connections)."""

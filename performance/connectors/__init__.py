"""Help-desk connectors: adapters that read Zendesk and Freshdesk (see remote.py for what they return)."""

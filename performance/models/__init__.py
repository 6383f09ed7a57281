from performance.models.interactions import Channel, Interaction, Scenario, Shift

__all__ = ["Channel", "Interaction", "Scenario", "Shift"]

"""Reward rules, their evaluation on a period's results, awards (life cycle, adjustments after close) and the
rewards simulation."""

from performance.services.rewards.awards import (
    award_propose,
    award_reject,
    awards_after_score_adjustment,
    awards_approve,
    awards_pay,
    period_awards_refresh,
)
from performance.services.rewards.rules import (
    reward_rule_create,
    reward_rule_delete,
    reward_rule_update,
    reward_rule_version_create,
    reward_rule_version_delete,
    reward_rule_version_update,
)
from performance.services.rewards.simulation import rewards_simulate

__all__ = [
    "award_propose",
    "award_reject",
    "awards_after_score_adjustment",
    "awards_approve",
    "awards_pay",
    "period_awards_refresh",
    "reward_rule_create",
    "reward_rule_delete",
    "reward_rule_update",
    "reward_rule_version_create",
    "reward_rule_version_delete",
    "reward_rule_version_update",
    "rewards_simulate",
]

"""The time window an alert rule looks at, in the tenant's time zone."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from performance.models import AlertWindow


def window_bounds(*, window: str, size: int, now: datetime, tz) -> tuple[datetime, datetime]:
    """[start, now) of the window: the last `size` hours; today since the tenant's local midnight; or rolling
    `size` days, i.e. today and the `size` − 1 days before it, from that first day's local midnight."""
    if window == AlertWindow.HOURS:
        return now - timedelta(hours=size), now
    days_back = 0 if window == AlertWindow.TODAY else size - 1
    first_day = now.astimezone(tz).date() - timedelta(days=days_back)
    return datetime.combine(first_day, time.min, tzinfo=tz), now

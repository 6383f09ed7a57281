"""Which score revision a report reads: the period's current one unless a number is given."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import ValidationError

from performance.models import KpiPeriod, ScoreRevision


def report_revision(*, period: KpiPeriod, number: int | None) -> ScoreRevision | None:
    """The complete revision `number` of the period (400 if there is none), or its current one (None when the
    period has not been computed yet: the report is then empty and says so)."""
    if number is None:
        return period.current_revision
    revision = ScoreRevision.objects.filter(period=period, number=number, is_complete=True).first()
    if revision is None:
        raise ValidationError({"revision": [_("This period has no revision %(number)s.") % {"number": number}]})
    return revision


def revision_summary(revision: ScoreRevision | None) -> dict | None:
    if revision is None:
        return None
    return {"id": revision.pk, "number": revision.number, "completed_at": revision.completed_at}

"""The one registry of event types: what can happen in a tenant that members are notified of or webhooks receive.

A feature that emits a new event adds it here, with a description for the API's users (listed at
`GET /tenants/{t}/webhooks/event-types/`). `subscribable` events can be chosen by webhooks; the others are only
in-app notifications or, for `webhook.test`, sent to one webhook on request.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class EventType:
    code: str
    description: str | Promise
    subscribable: bool = True


EVENT_TYPES: dict[str, EventType] = {
    event.code: event
    for event in [
        EventType("period.computed", _("A computation job finished: the period's scores (and ranks) are ready. "
                                       "Also sent when a recomputation found nothing changed.")),
        EventType("qa_review.published", _("A QA review was published: the agent can read it and the appeal "
                                           "window starts.")),
        EventType("qa_review.amended", _("A published QA review got a new revision (an amendment, or an appeal's "
                                         "decision); the earlier revision stays readable.")),
        EventType("appeal.filed", _("An agent filed an appeal against a QA review or a period score.")),
        EventType("appeal.assigned", _("An appeal was assigned to a reviewer (automatically or by hand).")),
        EventType("appeal.commented", _("Someone commented on an appeal.")),
        EventType("appeal.decided", _("An appeal was decided: upheld, overturned or partially overturned; an "
                                      "accepted proposal is applied at once.")),
        EventType("appeal.escalated", _("The agent escalated a decided appeal to a second-level reviewer.")),
        EventType("appeal.withdrawn", _("The agent withdrew an appeal before its decision.")),
        EventType("appeal.overdue", _("An appeal's decision is past its due date (the tenant's SLA days).")),
        EventType("coaching.created", _("A supervisor or QA lead recorded a coaching session with an agent (the "
                                        "agent is notified).")),
        EventType("coaching.acknowledged", _("The agent acknowledged a coaching session, possibly with a comment "
                                             "(the coach is notified).")),
        EventType("coaching.goal_overdue", _("A coaching goal is still open after its due date (the agent and the "
                                             "coach are notified once).")),
        EventType("assessment.campaign_opened", _("A 360 assessment campaign started: each rater is notified of how "
                                                  "many assessments it asks of them and by when; webhooks get the "
                                                  "campaign with counts per rater group, never the raters.")),
        EventType("assessment.raters_added", _("Raters were added to an open 360 assessment campaign (the new raters "
                                               "are notified; webhooks get counts only).")),
        EventType("assessment.deadline_changed", _("An open 360 assessment campaign's deadline changed (raters who "
                                                   "have not answered are notified).")),
        EventType("assessment.answered", _("A 360 assessment was answered: the assessed agent, the rater group and "
                                           "how many of the group have answered. Never the rater nor the answer.")),
        EventType("assessment.campaign_closed", _("A 360 assessment campaign closed: its results are ready (the "
                                                  "assessed agents and their teams' supervisors are notified).")),
        EventType("assessment.campaign_cancelled", _("A 360 assessment campaign was cancelled: its results do not "
                                                     "count (raters who had not answered are notified).")),
        EventType("assessment.reminder", _("A 360 assessment the member is asked to give is still unanswered "
                                           "close to the campaign's deadline."), subscribable=False),
        EventType("award.proposed", _("A supervisor proposed a discretionary award; it awaits an admin's "
                                      "approval.")),
        EventType("award.approved", _("An award was approved (it goes into the payroll export).")),
        EventType("award.rejected", _("An admin rejected a proposed discretionary award.")),
        EventType("award.paid", _("An approved award was marked paid.")),
        EventType("alert.raised", _("An alert rule's KPI crossed its threshold over its window: a new open alert, "
                                    "with the value, threshold and sample.")),
        EventType("alert.resolved", _("An alert was resolved: by hand, or automatically once the value stayed "
                                      "within the threshold for a full window.")),
        EventType("connection.needs_attention", _("A help-desk connection refused its credentials (HTTP 401 or "
                                                  "403): syncing stops until an admin updates them.")),
        EventType("webhook.test", _("A test delivery asked for by an admin."), subscribable=False),
        EventType("webhook.disabled", _("A webhook kept failing and was disabled (in-app notification to the "
                                        "tenant's admins)."), subscribable=False),
    ]
}

SUBSCRIBABLE = sorted(code for code, event in EVENT_TYPES.items() if event.subscribable)


def event_type(code: str) -> EventType:
    """The registered event type; a KeyError names the code, since emitting an unknown event is a bug."""
    try:
        return EVENT_TYPES[code]
    except KeyError:
        raise KeyError(f"Unknown event type {code!r}: register it in common/events.py.") from None

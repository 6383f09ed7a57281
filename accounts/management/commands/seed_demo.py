"""Create (or refresh) the demo tenant with data everywhere: one login per role, two teams, a dozen agents, two
months of interactions and shifts, a scorecard, a computed and an open KPI period, a QA rubric and reviews.
An inactive example webhook; notifications follow from the computation and the reviews.
Idempotent: a second run on the same day changes no data (it only adds a no-op computation job, and the admin's
notification that it finished)."""

import time
from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from accounts.mail import invitation_accept_url
from accounts.models import (
    Agent,
    GrantPermission,
    Invitation,
    InvitationStatus,
    Membership,
    Role,
    Team,
    TeamGrant,
    Tenant,
    User,
)
from accounts.operators import platform_operators_group
from accounts.services import invitation_create, invitation_resend
from common.actor import Actor
from common.webhooks.demo import demo_webhook_seed
from feedback.assessment_demo import demo_assessment_seed
from feedback.coaching_demo import demo_coaching_seed
from feedback.demo import demo_appeals_seed, demo_qa_seed
from performance.connections_demo import demo_connection_seed, demo_freshdesk_connection_seed
from performance.demo import (
    DemoMonths,
    demo_activity_seed,
    demo_alert_rules_seed,
    demo_discretionary_award_seed,
    demo_scoring_seed,
)
from performance.tenant_kpis_demo import demo_tenant_kpis_seed

DEMO_PASSWORD = "jixiao-demo-2026"
DEMO_SLUG = "demo"
LOGINS = [
    ("admin@demo.jixiao.test", "Ada Admin", Role.ADMIN),
    ("supervisor@demo.jixiao.test", "Sam Supervisor", Role.SUPERVISOR),
    ("qa-lead@demo.jixiao.test", "Lin QA Lead", Role.QA_LEAD),
    ("inspector@demo.jixiao.test", "Ivy Inspector", Role.QA_INSPECTOR),
    ("agent@demo.jixiao.test", "Wang Agent", Role.AGENT),
]
TEAMS = ["Phone support", "Chat & email"]
INVITEE = ("newcomer@demo.jixiao.test", "Qian Newcomer", Role.AGENT)
AGENT_NAMES = ["Wang Agent", "Li Na", "Zhang Wei", "Liu Yang", "Chen Jing", "Yang Fan",
               "Zhao Lei", "Huang Min", "Zhou Tao", "Wu Xia", "Xu Ming", "Sun Li"]


class Command(BaseCommand):
    help = "Create or refresh the demo tenant with two months of data; prints the logins and starting URLs."

    def add_arguments(self, parser):
        parser.add_argument("--today", type=date.fromisoformat, default=None,
                            help="Generate as if today (in the tenant's time zone) were this YYYY-MM-DD date.")

    def handle(self, *args, **options):
        started = time.perf_counter()
        tenant, users, agents = self._people()
        today = options["today"] or timezone.now().astimezone(tenant.zone).date()
        if today > timezone.now().astimezone(tenant.zone).date():
            raise CommandError("--today cannot be in the future: interactions would start after now.")
        months = DemoMonths.around(today)
        actors = {role: Actor(tenant=tenant, role=role, user=user) for role, user in users.items()}
        activity = demo_activity_seed(actor=actors[Role.ADMIN], months=months)
        tenant_kpis = demo_tenant_kpis_seed(actor=actors[Role.ADMIN], months=months)
        start, end = months.previous_range(tenant.zone)
        qa = demo_qa_seed(lead=actors[Role.QA_LEAD], inspector=actors[Role.QA_INSPECTOR], start=start, end=end)
        scoring = demo_scoring_seed(actor=actors[Role.ADMIN], months=months)
        appeals = demo_appeals_seed(agent=actors[Role.AGENT], period=scoring.previous)
        coaching = demo_coaching_seed(coach=actors[Role.QA_LEAD], agent=actors[Role.AGENT],
                                      previous_start=months.previous_start)
        assessment = demo_assessment_seed(admin=actors[Role.ADMIN], supervisor=actors[Role.SUPERVISOR],
                                          agent=actors[Role.AGENT], period=scoring.previous)
        discretionary = demo_discretionary_award_seed(supervisor=actors[Role.SUPERVISOR], period=scoring.previous)
        alert = demo_alert_rules_seed(actor=actors[Role.ADMIN], months=months)
        invitation, link = _pending_invitation(actors[Role.ADMIN])
        webhook = demo_webhook_seed(actor=actors[Role.ADMIN])
        connection = demo_connection_seed(actor=actors[Role.ADMIN], agents=agents, start=months.previous_start)
        demo_freshdesk_connection_seed(actor=actors[Role.ADMIN], agents=agents, start=months.previous_start)

        write = self.stdout.write
        write(f"Demo tenant '{tenant.slug}' is ready in {time.perf_counter() - started:.1f} s: {len(agents)} agents, "
              f"{_counts(activity.interactions)} interactions, {_counts(activity.shifts)} shifts "
              f"({months.previous_start:%Y-%m-%d} to {months.today:%Y-%m-%d}, today excluded), "
              f"{qa.created_reviews} new QA reviews, {appeals} new appeals.")
        write(f"Logins (password: {DEMO_PASSWORD}):")
        for email, _, role in LOGINS:
            write(f"  {role:<13} {email}")
        base = f"/api/v1/tenants/{tenant.slug}"
        previous, current = scoring.previous, scoring.current
        write("Start here as admin (the other logins see their share): GET with a token from POST /api/v1/auth/token/, "
              "or browse /api/docs/")
        for url, what in [
            (f"{base}/periods/{previous.pk}/scores/", f"scores and ranks of {previous.name} ({previous.status})"),
            (f"{base}/periods/{current.pk}/", f"the open period {current.name}"),
            (f"{base}/jobs/{scoring.job.pk}/" if scoring.job else f"{base}/jobs/", "the computation job"),
            (f"{base}/schemes/{scoring.scheme.pk}/versions/", "the scorecard's versions (tenant-wide, complaints)"),
            (f"{base}/agents/{agents[0].pk}/score-history/", f"{agents[0].display_name}'s score history"),
            (f"{base}/interactions/", "interactions (newest first)"),
            (f"{base}/shifts/", "shifts"),
            (f"{base}/kpi-values/?kpi={tenant_kpis.definition.code}", f"values of the tenant's own KPI "
                                                                      f"{tenant_kpis.definition.code}"),
            (f"{base}/rubrics/{qa.rubric.pk}/", "the published QA rubric"),
            (f"{base}/qa-reviews/?status=published", "published QA reviews"),
            (f"{base}/appeals/", "appeals (upheld, in review, withdrawn)"),
            (f"{base}/coaching/{coaching.pk}/effect/" if coaching else f"{base}/coaching/",
             "a coaching session's effect (criterion before and after)"),
            (f"{base}/assessment-campaigns/{assessment.pk}/results/?agent={assessment.requests.first().agent_id}"
             if assessment else f"{base}/assessment-campaigns/", "a finished 360 assessment campaign's results"),
            (f"{base}/awards/?period={previous.pk}", f"awards of {previous.name} (tier, top 3, one discretionary: "
                                                     f"{discretionary.pk})"),
            (f"{base}/reward-outcomes/?period={previous.pk}", "why agents got an award or not"),
            (f"{base}/periods/{previous.pk}/leaderboard/", "the leaderboard"),
            (f"{base}/reward-rules/", "reward rules (admin)"),
            (f"{base}/alert-rules/", "alert rules (admin; the supervisor sees the phone team's)"),
            (f"{base}/alerts/{alert.pk}/" if alert else f"{base}/alerts/", "an open alert: the phone team's AHT"),
            (f"{base}/invitations/?status=pending", "pending invitations (admin)"),
            (f"{base}/notifications/", "your notifications (each login has its own)"),
            (f"{base}/webhooks/{webhook.pk}/", "an example webhook (inactive; point it at your receiver)"),
            (f"{base}/connections/{connection.pk}/runs/", "a Zendesk connection's runs (disabled demo account)"),
            (f"{base}/audit-log/", "who did what (admin)"),
        ]:
            write(f"  {url:<58} {what}")
        if invitation is not None:
            write(f"Pending invitation for {invitation.email} ({invitation.role}): "
                  + (f"accept it at {link}" if link else
                     f"its link went out by mail; POST {base}/invitations/{invitation.pk}/resend/ sends a new one."))

    @transaction.atomic
    def _people(self) -> tuple[Tenant, dict[str, User], list[Agent]]:
        tenant, _ = Tenant.objects.update_or_create(
            slug=DEMO_SLUG, defaults={"name": "Demo Support Centre", "time_zone": "Asia/Shanghai", "currency": "CNY",
                                      "default_language": "zh-hans"},
        )
        users = {}
        for email, name, role in LOGINS:
            user = User.objects.filter(email=email).first() or User.objects.create_user(email=email, full_name=name)
            if not user.check_password(DEMO_PASSWORD):
                user.set_password(DEMO_PASSWORD)
            user.is_staff = role == Role.ADMIN  # a demo convenience: the demo admin is also a platform operator
            # The tenant speaks Simplified Chinese; the admin prefers English (Accept-Language overrides both).
            user.language = "en" if role == Role.ADMIN else ""
            user.save()
            if user.is_staff:
                user.groups.add(platform_operators_group())
            Membership.objects.update_or_create(tenant=tenant, user=user, defaults={"role": role, "is_active": True})
            users[role] = user
        teams = [Team.objects.get_or_create(tenant=tenant, name=name)[0] for name in TEAMS]
        agents = []
        for index, name in enumerate(AGENT_NAMES):
            agent, _ = Agent.objects.update_or_create(
                tenant=tenant,
                employee_code=f"A{index + 1:03d}",
                defaults={"display_name": name, "team": teams[index % 2], "is_active": True,
                          "user": users[Role.AGENT] if index == 0 else None},
            )
            agents.append(agent)
        self._grant(tenant, users[Role.SUPERVISOR], teams[0], GrantPermission.MANAGE)
        self._grant(tenant, users[Role.QA_INSPECTOR], teams[0], GrantPermission.REVIEW)
        return tenant, users, agents

    def _grant(self, tenant, user, team, permission):
        from django.contrib.auth.models import Permission

        perm = Permission.objects.get(content_type__app_label="accounts", codename=GrantPermission(permission).codename)
        TeamGrant.objects.get_or_create(user=user, permission=perm, content_object=team, defaults={"tenant": tenant})


def _pending_invitation(admin: Actor) -> tuple[Invitation | None, str | None]:
    """One pending invitation to show the flow; its link when this run sent it (only a hash is stored)."""
    email, name, role = INVITEE
    if Membership.objects.filter(tenant=admin.tenant, user__email=email).exists():
        return None, None  # someone accepted it: nothing to show
    current = Invitation.objects.filter(tenant=admin.tenant, email=email, status=InvitationStatus.PENDING).first()
    if current is not None and current.current_status == InvitationStatus.PENDING:
        return current, None
    if current is not None:
        current, token = invitation_resend(actor=admin, invitation=current)
    else:
        current, token = invitation_create(actor=admin, email=email, role=role, full_name=name)
    return current, invitation_accept_url(token)


def _counts(result: dict[str, int]) -> str:
    changed = result["updated"] - result["unchanged"]
    return f"{result['created'] + result['updated']} ({result['created']} new, {changed} changed)"

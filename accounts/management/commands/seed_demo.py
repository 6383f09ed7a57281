"""Create (or refresh) the demo tenant: one login per role, two teams, a dozen agents. Idempotent."""

from django.core.management.base import BaseCommand
from django.db import transaction

from accounts.models import Agent, GrantPermission, Membership, Role, Team, TeamGrant, Tenant, User

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
AGENT_NAMES = ["Wang Agent", "Li Na", "Zhang Wei", "Liu Yang", "Chen Jing", "Yang Fan",
               "Zhao Lei", "Huang Min", "Zhou Tao", "Wu Xia", "Xu Ming", "Sun Li"]


class Command(BaseCommand):
    help = "Create or refresh the demo tenant with one login per role; prints the logins."

    @transaction.atomic
    def handle(self, *args, **options):
        tenant, _ = Tenant.objects.update_or_create(
            slug=DEMO_SLUG, defaults={"name": "Demo Support Centre", "time_zone": "Asia/Shanghai", "currency": "CNY"}
        )
        users = {}
        for email, name, role in LOGINS:
            user = User.objects.filter(email=email).first() or User.objects.create_user(email=email, full_name=name)
            user.set_password(DEMO_PASSWORD)
            user.is_staff = role == Role.ADMIN
            user.save()
            Membership.objects.update_or_create(tenant=tenant, user=user, defaults={"role": role, "is_active": True})
            users[role] = user
        teams = [Team.objects.get_or_create(tenant=tenant, name=name)[0] for name in TEAMS]
        for index, name in enumerate(AGENT_NAMES):
            Agent.objects.update_or_create(
                tenant=tenant,
                employee_code=f"A{index + 1:03d}",
                defaults={"display_name": name, "team": teams[index % 2],
                          "user": users[Role.AGENT] if index == 0 else None},
            )
        self._grant(tenant, users[Role.SUPERVISOR], teams[0], GrantPermission.MANAGE)
        self._grant(tenant, users[Role.QA_INSPECTOR],
                    teams[0], GrantPermission.REVIEW)
        self.stdout.write(f"Demo tenant '{tenant.slug}' is ready. Logins (password: {DEMO_PASSWORD}):")
        for email, _, role in LOGINS:
            self.stdout.write(f"  {role:<13} {email}")

    def _grant(self, tenant, user, team, permission):
        from django.contrib.auth.models import Permission

        perm = Permission.objects.get(content_type__app_label="accounts", codename=GrantPermission(permission).codename)
        TeamGrant.objects.get_or_create(user=user, permission=perm, content_object=team, defaults={"tenant": tenant})

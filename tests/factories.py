import factory
from django.contrib.auth.models import Permission

from accounts.models import Agent, GrantPermission, Membership, Team, TeamGrant, Tenant, User

PASSWORD = "correct-horse-battery"


class TenantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Tenant
        django_get_or_create = ["slug"]

    name = factory.Sequence(lambda n: f"Tenant {n}")
    slug = factory.Sequence(lambda n: f"tenant-{n}")
    time_zone = "Asia/Shanghai"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.test")
    full_name = factory.Faker("name")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    tenant = factory.SubFactory(TenantFactory)
    user = factory.SubFactory(UserFactory)
    role = "agent"


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team

    tenant = factory.SubFactory(TenantFactory)
    name = factory.Sequence(lambda n: f"Team {n}")


class AgentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Agent

    tenant = factory.SelfAttribute("team.tenant")
    team = factory.SubFactory(TeamFactory)
    employee_code = factory.Sequence(lambda n: f"E{n:05d}")
    display_name = factory.Faker("name")


def grant(user, team, permission: str) -> TeamGrant:
    perm = Permission.objects.get(content_type__app_label="accounts", codename=GrantPermission(permission).codename)
    return TeamGrant.objects.create(tenant=team.tenant, user=user, permission=perm, content_object=team)


class ScenarioFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "performance.Scenario"
        django_get_or_create = ["tenant", "code"]

    tenant = factory.SubFactory(TenantFactory)
    code = "inquiry"
    name = factory.LazyAttribute(lambda o: o.code.replace("_", " ").title())


class InteractionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "performance.Interaction"

    agent = factory.SubFactory(AgentFactory)
    tenant = factory.SelfAttribute("agent.tenant")
    team = factory.SelfAttribute("agent.team")
    channel = "phone"
    source = "test"
    external_id = factory.Sequence(lambda n: f"ix-{n}")
    started_at = factory.Faker("date_time_this_month", tzinfo=__import__("datetime").timezone.utc)
    ring_count = 2
    queue_seconds = 20
    answered = True
    talk_seconds = 240
    hold_seconds = 30
    acw_seconds = 60


class ShiftFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "performance.Shift"

    agent = factory.SubFactory(AgentFactory)
    tenant = factory.SelfAttribute("agent.tenant")
    team = factory.SelfAttribute("agent.team")
    source = "test"
    external_id = factory.Sequence(lambda n: f"shift-{n}")
    date = factory.Faker("date_this_month")
    scheduled_minutes = 480
    worked_minutes = 470
    logged_in_minutes = 450

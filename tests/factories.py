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

import io

from django.core.management import call_command

from accounts.models import Agent, Membership, TeamGrant, Tenant, User
from tests.factories import UserFactory


def test_seed_demo_is_idempotent_and_logins_work(db, client):
    call_command("seed_demo", stdout=io.StringIO())
    call_command("seed_demo", stdout=io.StringIO())
    tenant = Tenant.objects.get(slug="demo")
    assert Membership.objects.filter(tenant=tenant).count() == 5
    assert sorted(Membership.objects.filter(tenant=tenant).values_list("role", flat=True)) == [
        "admin", "agent", "qa_inspector", "qa_lead", "supervisor"]
    assert Agent.objects.filter(tenant=tenant).count() == 12
    assert TeamGrant.objects.filter(tenant=tenant).count() == 2
    response = client.post("/api/v1/auth/token/", {"email": "supervisor@demo.jixiao.test",
                                                   "password": "jixiao-demo-2026"})
    assert response.status_code == 200


def test_admin_pages_for_teams_and_object_permissions(cast, client):
    superuser = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(superuser)
    for url in ["/admin/accounts/tenant/", "/admin/accounts/membership/", "/admin/accounts/team/",
                "/admin/accounts/agent/", "/admin/accounts/user/", "/admin/accounts/teamgrant/",
                f"/admin/accounts/team/{cast.north.pk}/change/", f"/admin/accounts/team/{cast.north.pk}/permissions/"]:
        assert client.get(url).status_code == 200, url


def test_admin_object_permission_form_assigns_a_tenant_scoped_grant(cast, client):
    superuser = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(superuser)
    user = cast.users["qa_lead"]
    url = f"/admin/accounts/team/{cast.south.pk}/permissions/user-manage/{user.pk}/"
    response = client.post(url, {"permissions": ["view_team"]})
    assert response.status_code == 302
    grant = TeamGrant.objects.get(user=user, content_object=cast.south)
    assert grant.tenant_id == cast.tenant.pk
    assert User.objects.get(pk=user.pk).has_perm("accounts.view_team", cast.south)

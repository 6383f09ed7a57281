from accounts.models import TeamGrant, User
from tests.factories import UserFactory


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

"""Members, grants and API keys: behaviour, validation, and the audit trail they leave."""

from accounts.models import AuditEvent, Membership, TeamGrant
from tests.factories import UserFactory


def events(tenant, action):
    return list(AuditEvent.objects.filter(tenant=tenant, action=action))


def test_members_are_not_added_by_email_any_more(cast, client_as):
    """People join by accepting an invitation (tests/accounts/test_invitations.py); members/ has no create."""
    response = client_as(cast.users["admin"]).post(cast.url("members/"), {"email": "outsider@globex.test",
                                                                         "role": "agent"})
    assert response.status_code in (403, 405)
    assert "Outsider" not in response.content.decode() and cast.outsider.full_name not in response.content.decode()
    assert Membership.objects.filter(user=cast.outsider).count() == 1


def test_change_role_and_deactivate_are_audited(cast, client_as):
    client = client_as(cast.users["admin"])
    membership = cast.users["qa_lead"].memberships.get()
    assert client.patch(cast.url(f"members/{membership.pk}/"), {"role": "supervisor"}).status_code == 200
    assert client.post(cast.url(f"members/{membership.pk}/deactivate/")).status_code == 200
    (changed,) = events(cast.tenant, "membership.role_changed")
    assert changed.changes == {"before": {"user": cast.users["qa_lead"].pk, "role": "qa_lead", "is_active": True},
                               "after": {"user": cast.users["qa_lead"].pk, "role": "supervisor", "is_active": True}}
    assert len(events(cast.tenant, "membership.deactivated")) == 1
    assert client_as(cast.users["qa_lead"]).get(cast.url("teams/")).status_code == 404


def test_last_admin_cannot_demote_or_deactivate_themselves(cast, client_as):
    client = client_as(cast.users["admin"])
    membership = cast.users["admin"].memberships.get()
    assert client.patch(cast.url(f"members/{membership.pk}/"), {"role": "agent"}).status_code == 400
    assert client.post(cast.url(f"members/{membership.pk}/deactivate/")).status_code == 400
    membership.refresh_from_db()
    assert (membership.role, membership.is_active) == ("admin", True)


def test_grant_and_revoke_change_visibility_and_are_audited(cast, client_as):
    admin = client_as(cast.users["admin"])
    inspector = client_as(cast.users["qa_inspector"])
    assert inspector.get(cast.url(f"teams/{cast.south.pk}/")).status_code == 404
    response = admin.post(cast.url("grants/"), {"user": cast.users["qa_inspector"].pk, "team": cast.south.pk,
                                                "permission": "view"})
    assert response.status_code == 201, response.content
    assert response.json()["permission"] == "view"
    assert inspector.get(cast.url(f"teams/{cast.south.pk}/")).status_code == 200
    assert admin.delete(cast.url(f"grants/{response.json()['id']}/")).status_code == 204
    assert inspector.get(cast.url(f"teams/{cast.south.pk}/")).status_code == 404
    assert [e.action for e in AuditEvent.objects.filter(object_type="teamgrant").order_by("at", "id")] == [
        "grant.assigned", "grant.revoked"]


def test_grants_only_to_members_and_teams_of_this_tenant(cast, client_as):
    admin = client_as(cast.users["admin"])
    stranger = UserFactory()
    bad_user = admin.post(cast.url("grants/"), {"user": stranger.pk, "team": cast.north.pk, "permission": "view"})
    bad_team = admin.post(cast.url("grants/"), {"user": cast.users["qa_lead"].pk, "team": cast.other_team.pk,
                                                "permission": "view"})
    duplicate = admin.post(cast.url("grants/"), {"user": cast.users["supervisor"].pk, "team": cast.north.pk,
                                                 "permission": "manage"})
    assert [r.status_code for r in (bad_user, bad_team, duplicate)] == [400, 400, 400]
    assert {e["field"] for e in bad_team.json()["errors"]} == {"team"}
    assert TeamGrant.objects.filter(tenant=cast.tenant).count() == 2


def test_grants_list_filters(cast, client_as):
    response = client_as(cast.users["admin"]).get(cast.url("grants/"), {"permission": "review"})
    assert [g["user"]["email"] for g in response.json()["results"]] == ["qa_inspector@acme.test"]


def test_api_key_create_and_revoke_are_audited(cast, client_as):
    client = client_as(cast.users["admin"])
    key = client.post(cast.url("api-keys/"), {"name": "crm"}).json()
    assert client.post(cast.url(f"api-keys/{key['id']}/revoke/")).json()["revoked_at"] is not None
    actions = [e.action for e in AuditEvent.objects.filter(object_type="apikey").order_by("at", "id")]
    assert actions == ["api_key.created", "api_key.revoked"]
    assert all(key["key"] not in str(e.changes) for e in AuditEvent.objects.all())


def test_audit_log_filters_and_request_id(cast, client_as):
    client = client_as(cast.users["admin"])
    client.post(cast.url("teams/"), {"name": "East"}, HTTP_X_REQUEST_ID="req-123")
    client.post(cast.url("api-keys/"), {"name": "crm"})
    response = client.get(cast.url("audit-log/"), {"object_type": "team"})
    assert response.status_code == 200
    (event,) = response.json()["results"]
    assert (event["action"], event["request_id"]) == ("team.created", "req-123")
    assert event["actor_user"]["email"] == "admin@acme.test"
    assert client.get(cast.url("audit-log/"), {"action_prefix": "api_key."}).json()["results"][0]["action"] == \
        "api_key.created"


def test_audit_log_of_other_tenant_is_invisible(cast, client_as):
    client_as(cast.outsider).post(cast.url("teams/", cast.other_tenant), {"name": "Hidden"})
    response = client_as(cast.users["admin"]).get(cast.url("audit-log/"))
    assert response.json()["results"] == []


def test_a_member_linked_to_an_agent_record_keeps_the_agent_role_until_unlinked(cast, client_as):
    client = client_as(cast.users["admin"])
    membership = cast.users["agent"].memberships.get()
    response = client.patch(cast.url(f"members/{membership.pk}/"), {"role": "supervisor"})
    assert response.status_code == 400
    assert "linked to the agent record N000" in response.json()["errors"][0]["message"]
    assert client.patch(cast.url(f"agents/{cast.own_agent.pk}/"), {"user": None}).status_code == 200
    assert client.patch(cast.url(f"members/{membership.pk}/"), {"role": "supervisor"}).status_code == 200

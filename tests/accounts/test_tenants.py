"""Creating tenants: POST /api/v1/tenants/ for platform staff and `manage.py tenant_create`, one service."""

import io
import re

import pytest
from django.core.management import CommandError, call_command
from rest_framework.test import APIClient

from accounts.models import AuditEvent, Invitation, Membership, Tenant
from accounts.services import api_key_create
from common.actor import Actor
from tests.factories import UserFactory

URL = "/api/v1/tenants/"
LINK = re.compile(r"/api/v1/invitations/([\w-]+)/")


@pytest.fixture
def staff(db):
    return UserFactory(email="ops@jixiao.test", is_staff=True)


def body(**changes):
    return {"slug": "initech", "name": "Initech Care", "time_zone": "Europe/Berlin", "currency": "EUR",
            "settings": {"qa_pass_mark": 72.5, "appeal_window_days": 10},
            "first_admin": {"email": "Boss@Initech.test", "full_name": "Bill Lumbergh"}, **changes}


def test_staff_create_a_tenant_whose_first_admin_is_invited(staff, client_as, mailoutbox,
                                                            django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client_as(staff).post(URL, body(), format="json")
    assert response.status_code == 201, response.content
    data = response.json()
    assert (data["slug"], data["time_zone"], data["currency"]) == ("initech", "Europe/Berlin", "EUR")
    assert data["settings"] == {"appeal_window_days": 10, "appeal_sla_days": 5, "max_appeals_per_review": 3,
                                "qa_pass_mark": "72.50", "invitation_expiry_days": 7, "default_language": "en",
                                "appeal_attachment_max_bytes": 10 * 2**20,
                                "appeal_attachment_types": ["pdf", "png", "jpg", "jpeg", "txt", "csv", "mp3", "wav"],
                                "leaderboard_visibility": "names", "assessment_min_responses": 3}
    assert (data["first_admin_invitation"]["email"], data["first_admin_invitation"]["role"]) == (
        "boss@initech.test", "admin")
    tenant = Tenant.objects.get(slug="initech")
    event = AuditEvent.objects.get(tenant=tenant, action="tenant.created")
    assert event.actor_user == staff and event.changes["after"]["qa_pass_mark"] == "72.5"
    assert not Membership.objects.filter(tenant=tenant).exists()
    (mail,) = mailoutbox
    assert mail.to == ["boss@initech.test"] and "Initech Care" in mail.subject
    token = LINK.search(mail.body).group(1)
    accepted = APIClient().post(f"/api/v1/invitations/{token}/accept/", {"password": "a-long-password-1"})
    assert accepted.status_code == 201, accepted.content
    membership = Membership.objects.get(tenant=tenant)
    assert (membership.user.email, membership.user.full_name, membership.role) == (
        "boss@initech.test", "Bill Lumbergh", "admin")


def test_only_platform_staff_may_create_or_list_tenants(cast, client_as):
    key = api_key_create(actor=Actor(tenant=cast.tenant, role="admin", user=cast.users["admin"]), name="k")[1]
    integration = APIClient()
    integration.credentials(HTTP_AUTHORIZATION=f"Api-Key {key}")
    for client, expected in [(client_as(None), 401), (client_as(cast.users["admin"]), 403), (integration, 403)]:
        assert client.post(URL, body(), format="json").status_code == expected
        assert client.get(URL).status_code == expected
    assert not Tenant.objects.filter(slug="initech").exists()


def test_staff_list_every_tenant_in_slug_order(cast, staff, client_as, django_assert_max_num_queries):
    with django_assert_max_num_queries(3):
        response = client_as(staff).get(URL)
    assert response.status_code == 200
    assert [t["slug"] for t in response.json()["results"]] == ["acme", "globex"]


@pytest.mark.parametrize(("changes", "fields"), [
    ({"time_zone": "Mars/Olympus"}, {"time_zone"}),
    ({"currency": "XYZ"}, {"currency"}),
    ({"currency": "eur"}, {"currency"}),
    ({"slug": "admin"}, {"slug"}),
    ({"slug": "Bad Slug"}, {"slug"}),
    ({"slug": "acme"}, {"slug"}),
    ({"settings": {"qa_pass_mark": 150}}, {"settings.qa_pass_mark"}),
    ({"settings": {"appeal_window_days": True, "colour": "red"}},
     {"settings.appeal_window_days", "settings.colour"}),
    ({"settings": {"appeal_sla_days": "5", "invitation_expiry_days": 0}},
     {"settings.appeal_sla_days"}),
    ({"settings": {"invitation_expiry_days": 0}}, {"settings.invitation_expiry_days"}),
    ({"first_admin": {"email": "not-an-email"}}, {"first_admin.email"}),
])
def test_invalid_tenants_are_refused_by_field_and_write_nothing(cast, staff, client_as, changes, fields):
    tenants, events = Tenant.objects.count(), AuditEvent.objects.count()
    response = client_as(staff).post(URL, body(**changes), format="json")
    assert response.status_code == 400, response.content
    assert response["Content-Type"] == "application/problem+json"
    assert {e["field"] for e in response.json()["errors"]} == fields
    assert (Tenant.objects.count(), AuditEvent.objects.count(), Invitation.objects.count()) == (tenants, events, 0)


def test_a_reserved_slug_says_so(staff, client_as):
    response = client_as(staff).post(URL, body(slug="tenants"), format="json")
    assert response.json()["errors"][0]["message"] == "'tenants' is reserved; choose another slug."


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("tenant_create", *args, stdout=out)
    return out.getvalue()


def test_the_command_invites_the_first_admin(db, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        output = run("initech", "Initech Care", "boss@initech.test", "--time-zone", "Asia/Tokyo", "--currency", "JPY",
                     "--tenant-settings", '{"max_appeals_per_review": 1}')
    tenant = Tenant.objects.get(slug="initech")
    assert (tenant.time_zone, tenant.currency, tenant.max_appeals_per_review) == ("Asia/Tokyo", "JPY", 1)
    assert "invitation to become its admin was mailed to boss@initech.test" in output
    assert mailoutbox[0].to == ["boss@initech.test"]
    event = AuditEvent.objects.get(tenant=tenant, action="tenant.created")
    assert event.actor_user is None  # the system, not a person


def test_the_command_with_a_password_creates_the_admin_directly(db):
    run("initech", "Initech Care", "boss@initech.test", "--password", "a-long-password-1", "--admin-name", "Bill")
    membership = Membership.objects.get(tenant__slug="initech")
    assert (membership.role, membership.user.full_name) == ("admin", "Bill")
    assert membership.user.check_password("a-long-password-1")
    assert not Invitation.objects.exists()
    response = APIClient().post("/api/v1/auth/token/", {"email": "boss@initech.test", "password": "a-long-password-1"})
    assert response.status_code == 200


def test_the_command_refuses_bad_input_and_an_existing_account_with_a_password(cast):
    with pytest.raises(CommandError, match="currency: 'ABC' is not an ISO 4217 currency code"):
        run("initech", "Initech", "boss@initech.test", "--currency", "ABC")
    with pytest.raises(CommandError, match="first_admin.email: An account with this email already exists"):
        run("initech", "Initech", "outsider@globex.test", "--password", "a-long-password-1")
    with pytest.raises(CommandError, match="first_admin.password"):
        run("initech", "Initech", "new@initech.test", "--password", "short")
    assert not Tenant.objects.filter(slug="initech").exists()
    assert cast.outsider.memberships.count() == 1


@pytest.mark.parametrize(("value", "status"), [("own_position", 201), ("names", 201), ("everyone", 400), (1, 400)])
def test_the_leaderboard_visibility_setting_is_validated(staff, client_as, value, status):
    response = client_as(staff).post(URL, body(settings={"leaderboard_visibility": value}), format="json")
    assert response.status_code == status, response.content
    if status == 201:
        assert response.json()["settings"]["leaderboard_visibility"] == value
    else:
        assert [e["field"] for e in response.json()["errors"]] == ["settings.leaderboard_visibility"]


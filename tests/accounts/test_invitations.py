"""Invitations: an admin invites, the person accepts from the mailed link (with a new or an existing account)."""

import os
import re
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.throttling import ScopedRateThrottle

from accounts.models import AuditEvent, Invitation, Membership, User
from accounts.services import invitation_create
from common.actor import Actor
from tests.factories import PASSWORD, MembershipFactory

LINK = re.compile(r"/api/v1/invitations/([\w-]+)/")


@pytest.fixture(autouse=True)
def _accept_page(settings):
    # pytest-django delivers mail to the locmem outbox; the link points where a frontend would host the page
    settings.INVITATION_ACCEPT_URL = "https://app.example.test/api/v1/invitations/{token}/"


@pytest.fixture
def invite(cast, client_as, django_capture_on_commit_callbacks, mailoutbox):
    """Invite through the API as acme's admin; returns (response, token from the mail)."""

    def make(email: str, role: str = "agent", **extra):
        with django_capture_on_commit_callbacks(execute=True):
            response = client_as(cast.users["admin"]).post(cast.url("invitations/"),
                                                           {"email": email, "role": role, **extra})
        token = LINK.search(mailoutbox[-1].body).group(1) if response.status_code == 201 else None
        return response, token

    return make


def accept(client, token, **body):
    return client.post(f"/api/v1/invitations/{token}/accept/", body, format="json")


def test_invitation_mail_has_a_working_link_and_only_a_hash_is_stored(cast, invite, mailoutbox):
    response, token = invite("New.Person@Example.test", "qa_inspector")
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["email"], body["role"], body["status"]) == ("new.person@example.test", "qa_inspector", "pending")
    assert body["invited_by"]["email"] == "admin@acme.test"
    (mail,) = mailoutbox
    assert mail.to == ["new.person@example.test"] and "Acme Support" in mail.subject
    assert f"https://app.example.test/api/v1/invitations/{token}/" in mail.body
    invitation = Invitation.objects.get(pk=body["id"])
    assert token not in invitation.hashed_token and len(invitation.hashed_token) == 64
    assert invitation.expires_at - invitation.sent_at == timedelta(days=cast.tenant.invitation_expiry_days)
    assert token not in response.content.decode()
    assert all(token not in str(e.changes) for e in AuditEvent.objects.all())


def test_preview_shows_tenant_role_email_and_expiry_only(cast, invite, client_as):
    _, token = invite("new@example.test", "supervisor")
    response = client_as(None).get(f"/api/v1/invitations/{token}/")
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"tenant", "role", "email", "expires_at"}
    assert (body["tenant"], body["role"], body["email"]) == ("Acme Support", "supervisor", "new@example.test")


def test_a_new_person_accepts_with_name_and_password_and_can_log_in(cast, invite, client_as):
    _, token = invite("new@example.test", "qa_inspector")
    anonymous = client_as(None)
    weak = accept(anonymous, token, full_name="Nora New", password="password")
    assert weak.status_code == 400 and {e["field"] for e in weak.json()["errors"]} == {"password"}
    assert not User.objects.filter(email="new@example.test").exists()
    response = accept(anonymous, token, full_name="Nora New", password="a-long-password-1")
    assert response.status_code == 201, response.content
    assert response.json() == {"slug": "acme", "name": "Acme Support", "time_zone": "Asia/Shanghai",
                               "currency": "CNY", "default_language": "en", "role": "qa_inspector",
                               "email": "new@example.test"}
    user = User.objects.get(email="new@example.test")
    assert user.full_name == "Nora New"
    assert Membership.objects.get(tenant=cast.tenant, user=user).role == "qa_inspector"
    invitation = Invitation.objects.get(email="new@example.test")
    assert (invitation.status, invitation.accepted_by) == ("accepted", user)
    login = anonymous.post("/api/v1/auth/token/", {"email": "new@example.test", "password": "a-long-password-1"})
    assert login.status_code == 200
    actions = list(AuditEvent.objects.filter(tenant=cast.tenant).order_by("id").values_list("action", "actor_user"))
    assert actions[-3:] == [("invitation.created", cast.users["admin"].pk), ("membership.added", user.pk),
                            ("invitation.accepted", user.pk)]


def test_a_new_person_must_give_name_and_password(cast, invite, client_as):
    _, token = invite("new@example.test")
    response = accept(client_as(None), token)
    assert response.status_code == 400
    assert {e["field"] for e in response.json()["errors"]} == {"full_name", "password"}
    _, named = invite("named@example.test", full_name="Suggested Name")
    assert accept(client_as(None), named, password="a-long-password-1").status_code == 201
    assert User.objects.get(email="named@example.test").full_name == "Suggested Name"


def test_an_existing_account_must_log_in_as_itself_to_accept(cast, invite, client_as):
    _, token = invite("outsider@globex.test", "agent")
    anonymous = accept(client_as(None), token, full_name="Mallory", password="a-long-password-1")
    assert anonymous.status_code == 401
    assert "log in as outsider@globex.test first" in anonymous.json()["detail"]
    someone_else = accept(client_as(cast.users["qa_lead"]), token)
    assert someone_else.status_code == 403
    assert not Membership.objects.filter(tenant=cast.tenant, user=cast.outsider).exists()
    assert cast.outsider.check_password(PASSWORD)  # the password sent anonymously changed nothing
    response = accept(client_as(cast.outsider), token)
    assert response.status_code == 201, response.content
    assert Membership.objects.get(tenant=cast.tenant, user=cast.outsider).role == "agent"
    assert Membership.objects.filter(user=cast.outsider).count() == 2


def test_inviting_does_not_attach_or_reveal_an_existing_user(cast, invite):
    response, _ = invite("outsider@globex.test")
    assert response.status_code == 201
    assert response.json()["full_name"] == "" and cast.outsider.full_name not in response.content.decode()
    assert not Membership.objects.filter(tenant=cast.tenant, user=cast.outsider).exists()


def test_a_deactivated_member_is_reactivated_with_the_invited_role(cast, invite, client_as):
    membership = cast.users["qa_lead"].memberships.get()
    membership.is_active = False
    membership.save()
    _, token = invite("qa_lead@acme.test", "supervisor")
    assert accept(client_as(cast.users["qa_lead"]), token).status_code == 201
    membership.refresh_from_db()
    assert (membership.is_active, membership.role) == (True, "supervisor")


def test_inviting_an_active_member_or_twice_is_a_conflict(cast, invite, mailoutbox):
    member, _ = invite("Agent@acme.test")
    assert member.status_code == 409
    assert member.json()["detail"] == "This email already belongs to an active member of the tenant."
    assert invite("new@example.test")[0].status_code == 201
    again, _ = invite("new@example.test", "admin")
    assert again.status_code == 409 and "resend or revoke" in again.json()["detail"]
    assert Invitation.objects.filter(email="new@example.test").count() == 1 and len(mailoutbox) == 1


def test_bad_input_is_refused_and_writes_nothing(cast, client_as):
    response = client_as(cast.users["admin"]).post(cast.url("invitations/"), {"email": "nope", "role": "boss"})
    assert response.status_code == 400
    assert {e["field"] for e in response.json()["errors"]} == {"email", "role"}
    assert not Invitation.objects.exists() and not AuditEvent.objects.exists()


def expire(invitation_id: int) -> None:
    Invitation.objects.filter(pk=invitation_id).update(expires_at=timezone.now() - timedelta(minutes=1))


def test_unknown_expired_revoked_and_used_tokens_get_the_same_answer(cast, invite, client_as):
    anonymous = client_as(None)
    expired, expired_token = invite("expired@example.test")
    expire(expired.json()["id"])
    revoked, revoked_token = invite("revoked@example.test")
    client_as(cast.users["admin"]).post(cast.url(f"invitations/{revoked.json()['id']}/revoke/"))
    _, used_token = invite("used@example.test")
    assert accept(anonymous, used_token, full_name="U", password="a-long-password-1").status_code == 201
    answers = []
    for token in ["no-such-token", expired_token, revoked_token, used_token]:
        for response in (anonymous.get(f"/api/v1/invitations/{token}/"),
                         accept(anonymous, token, full_name="X", password="a-long-password-1")):
            answers.append((response.status_code, response.json()["code"], response.json()["detail"]))
    assert len(set(answers)) == 1
    assert answers[0][:2] == (404, "invitation_unavailable")
    assert User.objects.filter(email__in=["expired@example.test", "revoked@example.test"]).count() == 0


def test_list_filters_show_expiry_and_keep_a_stable_order(cast, invite, client_as):
    first, _ = invite("a@example.test")
    second, _ = invite("b@example.test", "supervisor")
    expire(first.json()["id"])
    client = client_as(cast.users["admin"])
    listed = client.get(cast.url("invitations/")).json()
    assert [row["email"] for row in listed["results"]] == ["b@example.test", "a@example.test"]
    assert [row["status"] for row in listed["results"]] == ["pending", "expired"]
    assert [r["email"] for r in client.get(cast.url("invitations/"), {"status": "expired"}).json()["results"]] == [
        "a@example.test"]
    assert [r["email"] for r in client.get(cast.url("invitations/"), {"status": "pending"}).json()["results"]] == [
        "b@example.test"]
    assert client.get(cast.url("invitations/"), {"role": "supervisor"}).json()["count"] == 1
    assert client.get(cast.url("invitations/"), {"email": "a@"}).json()["count"] == 1
    assert client.get(cast.url("invitations/"), {"status": "lost"}).status_code == 400


def test_resend_gives_a_new_link_and_expiry_and_the_old_link_stops_working(cast, invite, client_as, mailoutbox,
                                                                          django_capture_on_commit_callbacks):
    created, old_token = invite("new@example.test")
    pk = created.json()["id"]
    expire(pk)
    with django_capture_on_commit_callbacks(execute=True):
        response = client_as(cast.users["admin"]).post(cast.url(f"invitations/{pk}/resend/"))
    assert response.status_code == 200 and response.json()["status"] == "pending"
    assert len(mailoutbox) == 2
    new_token = LINK.search(mailoutbox[-1].body).group(1)
    assert new_token != old_token
    anonymous = client_as(None)
    assert anonymous.get(f"/api/v1/invitations/{old_token}/").status_code == 404
    assert anonymous.get(f"/api/v1/invitations/{new_token}/").status_code == 200
    assert AuditEvent.objects.filter(action="invitation.resent", object_id=str(pk)).count() == 1


def test_inviting_again_after_expiry_replaces_the_expired_invitation(cast, invite, client_as):
    first, _ = invite("new@example.test")
    expire(first.json()["id"])
    second, token = invite("new@example.test", "supervisor")
    assert second.status_code == 201
    client = client_as(cast.users["admin"])
    resent = client.post(cast.url(f"invitations/{first.json()['id']}/resend/"))
    assert resent.status_code == 409 and "replaced by a newer invitation" in resent.json()["detail"]
    assert client_as(None).get(f"/api/v1/invitations/{token}/").json()["role"] == "supervisor"


def test_revoke_is_idempotent_and_an_accepted_invitation_cannot_be_revoked_or_resent(cast, invite, client_as):
    client = client_as(cast.users["admin"])
    revoked, _ = invite("revoked@example.test")
    url = cast.url(f"invitations/{revoked.json()['id']}/revoke/")
    assert client.post(url).json()["status"] == "revoked"
    assert client.post(url).status_code == 200
    assert AuditEvent.objects.filter(action="invitation.revoked").count() == 1
    assert client.post(cast.url(f"invitations/{revoked.json()['id']}/resend/")).status_code == 409
    accepted, token = invite("used@example.test")
    accept(client_as(None), token, full_name="U", password="a-long-password-1")
    for action in ("revoke", "resend"):
        response = client.post(cast.url(f"invitations/{accepted.json()['id']}/{action}/"))
        assert (response.status_code, response.json()["detail"]) == (409, "This invitation has already been accepted.")


def test_accepting_when_already_a_member_is_a_conflict(cast, invite, client_as):
    _, token = invite("late@example.test")
    late = MembershipFactory(tenant=cast.tenant, user__email="late@example.test").user
    response = accept(client_as(late), token)
    assert response.status_code == 409
    assert Invitation.objects.get(email="late@example.test").status == "pending"


def test_the_tenant_sets_how_long_links_last(cast, invite):
    cast.tenant.invitation_expiry_days = 2
    cast.tenant.save()
    response, _ = invite("new@example.test")
    invitation = Invitation.objects.get(pk=response.json()["id"])
    assert invitation.expires_at - invitation.sent_at == timedelta(days=2)


def test_the_public_links_are_throttled(cast, client_as, monkeypatch):
    monkeypatch.setattr(ScopedRateThrottle, "THROTTLE_RATES", {"invitation": "3/min"})
    client = client_as(None)
    statuses = [client.get(f"/api/v1/invitations/guess-{i}/").status_code for i in range(3)]
    statuses.append(accept(client, "guess-4").status_code)
    assert statuses == [404, 404, 404, 429]


def test_list_query_count_does_not_grow(cast, client_as):
    admin = Actor(tenant=cast.tenant, role="admin", user=cast.users["admin"])
    client = client_as(cast.users["admin"])

    def count(n_before: int, n: int) -> tuple[int, int]:
        for i in range(n_before, n_before + n):
            invitation_create(actor=admin, email=f"q{i}@example.test", role="agent")
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(cast.url("invitations/"), {"page_size": 100})
        return len(ctx), len(response.json()["results"])

    few, few_rows = count(0, 3)
    many, many_rows = count(3, 30)
    assert (few_rows, many_rows) == (3, 33)
    assert many == few <= 8


def test_a_mail_server_that_is_down_does_not_undo_the_invitation(cast, client_as, settings,
                                                                django_capture_on_commit_callbacks):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 2  # nothing listens there
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client_as(cast.users["admin"]).post(cast.url("invitations/"), {"email": "n@example.test",
                                                                                  "role": "agent"})
    assert response.status_code == 201 and len(callbacks) == 1
    assert Invitation.objects.filter(email="n@example.test", status="pending").exists()


@pytest.mark.parametrize(("env", "expected"), [
    ({}, "django.core.mail.backends.console.EmailBackend"),
    ({"EMAIL_HOST": "smtp.example.test"}, "django.core.mail.backends.smtp.EmailBackend"),
])
def test_mail_goes_to_the_console_unless_an_smtp_host_is_set(env, expected):
    assert settings_in(env, "EMAIL_BACKEND") == expected


def test_an_accept_url_without_a_token_place_is_refused_at_start():
    with pytest.raises(subprocess.CalledProcessError) as error:
        settings_in({"INVITATION_ACCEPT_URL": "https://app.example.test/join"}, "INVITATION_ACCEPT_URL")
    assert "INVITATION_ACCEPT_URL must contain {token}" in error.value.stderr


def settings_in(env: dict[str, str], name: str) -> str:
    """A setting as a fresh process with this environment reads it."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("EMAIL_", "INVITATION_"))}
    code = f"import config.settings as s; print(s.{name})"
    done = subprocess.run([sys.executable, "-c", code], env={**clean, **env}, capture_output=True, text=True,
                          check=True, cwd=Path(__file__).resolve().parents[2])
    return done.stdout.strip()

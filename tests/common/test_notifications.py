"""In-app notifications: writing them in bulk, the caller's inbox, read state, preferences and email."""

from __future__ import annotations

import pytest

from accounts.models import AuditEvent
from common.models import Notification, NotificationPreference
from common.notifications.services import notify
from tests.conftest import ROLES
from tests.performance.test_ingestion import integration_client

MESSAGE = "Period %(period)s is ready."


def send(cast, users, *, event="period.computed", period="2026-10", obj=None):
    return notify(tenant=cast.tenant, recipients=users, event=event, obj=obj, message=MESSAGE,
                  params={"period": period})


def test_notify_writes_one_row_per_recipient_in_two_queries(cast, django_assert_num_queries):
    admin, agent = cast.users["admin"], cast.users["agent"]
    with django_assert_num_queries(2):  # the insert and the email preferences, however many recipients
        rows = send(cast, [admin, agent.pk, admin], obj=cast.north)
    assert len(rows) == 2
    stored = Notification.objects.get(recipient=agent)
    assert (stored.event, stored.object_type, stored.object_id, stored.params) == (
        "period.computed", "team", str(cast.north.pk), {"period": "2026-10"})
    assert stored.render() == "Period 2026-10 is ready." and stored.read_at is None
    assert send(cast, []) == []


def test_notify_refuses_unknown_events_and_missing_parameters(cast):
    with pytest.raises(KeyError, match="register it"):
        send(cast, [cast.users["admin"]], event="no.such_event")
    with pytest.raises(KeyError):
        notify(tenant=cast.tenant, recipients=[cast.users["admin"]], event="period.computed",
               message="Period %(period)s of %(team)s.", params={"period": "x"})
    assert not Notification.objects.exists()


def test_the_inbox_lists_only_your_own_newest_first(cast, client_as):
    agent = cast.users["agent"]
    for period in ("2026-08", "2026-09", "2026-10"):
        send(cast, [agent], period=period)
    send(cast, [cast.users["admin"]], period="not-yours")
    notify(tenant=cast.other_tenant, recipients=[cast.outsider], event="period.computed", message=MESSAGE,
           params={"period": "globex"})
    response = client_as(agent).get(cast.url("notifications/"))
    assert response.status_code == 200, response.content
    body = response.json()
    assert [row["message"] for row in body["results"]] == [
        "Period 2026-10 is ready.", "Period 2026-09 is ready.", "Period 2026-08 is ready."]
    first = body["results"][0]
    assert first["event"] == "period.computed" and first["object"] is None and first["read_at"] is None
    assert set(first) == {"id", "event", "object", "message", "params", "created_at", "read_at"}


def test_the_inbox_pages_with_a_cursor_and_bounded_queries(cast, client_as, django_assert_max_num_queries):
    agent = cast.users["agent"]
    client = client_as(agent)
    send(cast, [agent] * 1)
    with django_assert_max_num_queries(4) as few:
        assert client.get(cast.url("notifications/")).status_code == 200
    for i in range(40):
        send(cast, [agent], period=f"p{i}")
    with django_assert_max_num_queries(len(few)):
        page = client.get(cast.url("notifications/"), {"page_size": 30}).json()
    assert len(page["results"]) == 30 and page["next"]
    rest = client.get(page["next"]).json()
    assert len(rest["results"]) == 11 and rest["next"] is None
    ids = [row["id"] for row in page["results"] + rest["results"]]
    assert ids == sorted(ids, reverse=True) and len(set(ids)) == 41


def test_unread_filter_count_read_and_read_all(cast, client_as):
    agent = cast.users["agent"]
    client = client_as(agent)
    rows = send(cast, [agent]) + send(cast, [agent]) + send(cast, [agent], event="qa_review.published")
    assert client.get(cast.url("notifications/unread-count/")).json() == {"unread": 3}

    response = client.post(cast.url(f"notifications/{rows[0].pk}/read/"))
    assert response.status_code == 200 and response.json()["read_at"] is not None
    first_read = response.json()["read_at"]
    assert client.post(cast.url(f"notifications/{rows[0].pk}/read/")).json()["read_at"] == first_read
    assert client.get(cast.url("notifications/unread-count/")).json() == {"unread": 2}
    unread = client.get(cast.url("notifications/"), {"unread": "true"}).json()["results"]
    assert sorted(row["id"] for row in unread) == sorted([rows[1].pk, rows[2].pk])
    read = client.get(cast.url("notifications/"), {"unread": "false"}).json()["results"]
    assert [row["id"] for row in read] == [rows[0].pk]
    published = client.get(cast.url("notifications/"), {"event": "qa_review.published"}).json()["results"]
    assert [row["id"] for row in published] == [rows[2].pk]

    other = send(cast, [cast.users["admin"]])[0]
    assert client.post(cast.url("notifications/read-all/")).json() == {"marked_read": 2}
    assert client.post(cast.url("notifications/read-all/")).json() == {"marked_read": 0}
    assert client.get(cast.url("notifications/unread-count/")).json() == {"unread": 0}
    other.refresh_from_db()
    assert other.read_at is None  # somebody else's stays unread


def test_another_users_or_tenants_notification_is_404(cast, client_as):
    admins = send(cast, [cast.users["admin"]])[0]
    globex = notify(tenant=cast.other_tenant, recipients=[cast.outsider], event="period.computed",
                    message=MESSAGE, params={"period": "g"})[0]
    agent = client_as(cast.users["agent"])
    for pk in (admins.pk, globex.pk):
        assert agent.get(cast.url(f"notifications/{pk}/")).status_code == 404
        assert agent.post(cast.url(f"notifications/{pk}/read/")).status_code == 404
    assert client_as(cast.outsider).get(cast.url("notifications/")).status_code == 404
    admins.refresh_from_db()
    assert admins.read_at is None


@pytest.mark.parametrize("path", ["notifications/", "notifications/unread-count/", "notifications/preferences/"])
def test_every_member_role_has_an_inbox_and_integration_keys_do_not(cast, client_as, path):
    for role in ROLES:
        assert client_as(cast.users[role]).get(cast.url(path)).status_code == 200, role
    assert integration_client(cast.tenant).get(cast.url(path)).status_code == 403
    assert integration_client(cast.tenant).post(cast.url("notifications/read-all/")).status_code == 403


def test_preferences_default_to_in_app_only_and_can_turn_email_on(cast, client_as):
    client = client_as(cast.users["supervisor"])
    url = cast.url("notifications/preferences/")
    assert client.get(url).json() == {"email_enabled": False, "updated_at": None}
    assert not NotificationPreference.objects.exists()  # reading the defaults writes nothing

    refused = client.patch(url, {"email_enabled": "sometimes"}, format="json")
    assert refused.status_code == 400 and refused.json()["errors"][0]["field"] == "email_enabled"
    assert client.patch(url, {}, format="json").status_code == 400
    assert not NotificationPreference.objects.exists()

    changed = client.patch(url, {"email_enabled": True}, format="json")
    assert changed.status_code == 200 and changed.json()["email_enabled"] is True
    assert client.get(url).json()["email_enabled"] is True
    assert client_as(cast.users["agent"]).get(url).json()["email_enabled"] is False  # per user
    event = AuditEvent.objects.get(tenant=cast.tenant, action="notification_preference.updated")
    assert event.changes == {"before": {"email_enabled": False}, "after": {"email_enabled": True}}


def test_opted_in_members_get_an_email_after_commit(cast, client_as, mailoutbox, celery_eager,
                                                   django_capture_on_commit_callbacks):
    supervisor, agent = cast.users["supervisor"], cast.users["agent"]
    client_as(supervisor).patch(cast.url("notifications/preferences/"), {"email_enabled": True}, format="json")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        rows = send(cast, [supervisor, agent], period="2026-10")
        assert mailoutbox == []  # nothing is sent inside the transaction
    assert len(callbacks) == 1
    callbacks[0]()
    assert [message.to for message in mailoutbox] == [[supervisor.email]]
    mail = mailoutbox[0]
    assert "Period 2026-10 is ready." in mail.subject and "Acme Support" in mail.subject
    assert "Period 2026-10 is ready." in mail.body and "/api/v1/tenants/acme/notifications/preferences/" in mail.body
    emailed = {row.recipient_id: row.emailed_at for row in Notification.objects.filter(pk__in=[r.pk for r in rows])}
    assert emailed[supervisor.pk] is not None and emailed[agent.pk] is None

    callbacks[0]()  # the task delivered twice sends nothing twice
    assert len(mailoutbox) == 1


def test_nobody_opted_in_means_no_email_task(cast, django_capture_on_commit_callbacks):
    NotificationPreference.objects.create(tenant=cast.other_tenant, user=cast.users["agent"], email_enabled=True)
    with django_capture_on_commit_callbacks() as callbacks:
        send(cast, [cast.users["agent"]])  # opted in elsewhere, not in acme
    assert callbacks == []


def test_the_email_language_is_the_users_then_the_tenants_then_the_sites():
    from types import SimpleNamespace

    from common.notifications.emails import recipient_language

    tenant = SimpleNamespace(default_language="zh-hans")
    assert recipient_language(SimpleNamespace(language="en"), tenant) == "en"
    assert recipient_language(SimpleNamespace(language=""), tenant) == "zh-hans"
    assert recipient_language(SimpleNamespace(language=""), SimpleNamespace(default_language="")) == "en"


def test_the_email_is_rendered_in_the_recipients_language(cast, mailoutbox, celery_eager, monkeypatch,
                                                          django_capture_on_commit_callbacks):
    from django.utils import translation

    from common.notifications import emails

    NotificationPreference.objects.create(tenant=cast.tenant, user=cast.users["agent"], email_enabled=True)
    monkeypatch.setattr(emails, "recipient_language", lambda user, tenant: "zh-hans")
    seen = []
    monkeypatch.setattr(Notification, "render", lambda self: seen.append(translation.get_language()) or "rendered")
    with django_capture_on_commit_callbacks(execute=True):
        send(cast, [cast.users["agent"]])
    assert seen == ["zh-hans"] and "rendered" in mailoutbox[0].subject
    assert translation.get_language() != "zh-hans"  # restored afterwards

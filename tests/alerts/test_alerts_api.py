"""Alert rules and alerts through the API: who may do what (role × endpoint), validation, the life cycle as
actions (audited), the dashboard's open alerts, and list query counts that do not grow with the rows."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import AuditEvent
from performance.models import Alert
from performance.services.alerts import alert_rule_evaluate
from tests.alerts.helpers import contacts, rule
from tests.conftest import ROLES
from tests.feedback.test_permission_matrix import call


def only(**codes) -> dict[str, int]:
    return {role: codes.get(role, 403) for role in ROLES}


NEW_RULE = {"name": "Abandons", "kpi": "abandon_rate", "comparison": "gte", "threshold": "20", "window": "today",
            "min_sample": 10}
MATRIX = [
    ("rules list", "get", "alert-rules/", None, only(admin=200, supervisor=200)),
    ("north rule", "get", "alert-rules/{north_rule}/", None, only(admin=200, supervisor=200)),
    ("tenant rule", "get", "alert-rules/{tenant_rule}/", None, only(admin=200, supervisor=404)),
    ("rule create", "post", "alert-rules/", NEW_RULE, only(admin=201)),
    ("rule change", "patch", "alert-rules/{north_rule}/", {"threshold": "400"}, only(admin=200)),
    ("rule evaluate", "post", "alert-rules/{north_rule}/evaluate/", None, only(admin=200)),
    ("rule delete (has alerts)", "delete", "alert-rules/{north_rule}/", None, only(admin=409)),
    ("alerts list", "get", "alerts/", None, only(admin=200, supervisor=200)),
    ("north alert", "get", "alerts/{north_alert}/", None, only(admin=200, supervisor=200)),
    ("tenant alert", "get", "alerts/{tenant_alert}/", None, only(admin=200, supervisor=404)),
    ("acknowledge", "post", "alerts/{north_alert}/acknowledge/", {}, only(admin=200, supervisor=200)),
    ("resolve", "post", "alerts/{north_alert}/resolve/", {"note": "Coached"}, only(admin=200, supervisor=200)),
    ("resolve tenant alert", "post", "alerts/{tenant_alert}/resolve/", {}, only(admin=200, supervisor=404)),
    ("deliveries", "get", "alerts/{north_alert}/deliveries/", None, only(admin=200, supervisor=200)),
]


@pytest.fixture
def ids(cast) -> dict[str, int]:
    contacts(cast.north_agents[1], timezone.now() - timedelta(minutes=5), n=2)
    north_rule = rule(cast, "North slow", scope="team", team=cast.north, recipient_roles=["admin", "supervisor"])
    tenant_rule = rule(cast, "Everyone slow")
    return {"north_rule": north_rule.pk, "tenant_rule": tenant_rule.pk,
            "north_alert": alert_rule_evaluate(rule=north_rule).alert.pk,
            "tenant_alert": alert_rule_evaluate(rule=tenant_rule).alert.pk}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("name", "method", "path", "body", "expected"), MATRIX, ids=[row[0] for row in MATRIX])
def test_role_matrix(cast, client_as, ids, role, name, method, path, body, expected):
    response = call(client_as(cast.users[role]), cast, ids, method, path, body)
    assert response.status_code == expected[role], response.content


@pytest.mark.parametrize(("name", "method", "path", "body", "expected"), MATRIX, ids=[row[0] for row in MATRIX])
def test_outsider_gets_404_and_anonymous_401(cast, client_as, ids, name, method, path, body, expected):
    assert call(client_as(cast.outsider), cast, ids, method, path, body).status_code == 404
    assert call(client_as(None), cast, ids, method, path, body).status_code == 401


def test_a_supervisor_without_manage_reads_but_does_not_resolve(cast, client_as, ids):
    from tests.factories import MembershipFactory, grant

    viewer = MembershipFactory(tenant=cast.tenant, role="supervisor").user
    grant(viewer, cast.north, "view")
    client = client_as(viewer)
    assert client.get(cast.url(f"alerts/{ids['north_alert']}/")).status_code == 200
    assert client.post(cast.url(f"alerts/{ids['north_alert']}/resolve/"), {}, format="json").status_code == 403


def test_supervisors_are_notified_of_their_teams_rules_only(cast, ids):
    from common.models import Notification

    def heard(role):
        return sorted(int(object_id) for object_id in Notification.objects.filter(
            event="alert.raised", recipient=cast.users[role]).values_list("object_id", flat=True))

    assert heard("supervisor") == [ids["north_alert"]]  # the tenant-wide rule names admins only
    assert heard("admin") == sorted([ids["north_alert"], ids["tenant_alert"]])
    assert heard("qa_lead") == []


def test_life_cycle_through_the_api(cast, client_as, ids):
    client = client_as(cast.users["supervisor"])
    url = cast.url(f"alerts/{ids['north_alert']}/")
    acknowledged = client.post(url + "acknowledge/", {"note": "Looking"}, format="json").json()
    assert (acknowledged["status"], acknowledged["acknowledged_by"]) == ("acknowledged", cast.users["supervisor"].pk)
    again = client.post(url + "acknowledge/", {}, format="json")
    assert (again.status_code, again.json()["code"]) == (409, "alert_wrong_state")
    resolved = client.post(url + "resolve/", {}, format="json").json()
    assert (resolved["status"], resolved["resolution"], resolved["note"]) == ("resolved", "manual", "Looking")
    assert client.post(url + "resolve/", {}, format="json").status_code == 409
    actions = list(AuditEvent.objects.filter(object_id=str(ids["north_alert"])).order_by("at", "id")
                   .values_list("action", flat=True))
    assert actions == ["alert.raised", "alert.acknowledged", "alert.resolved"]
    rule_body = client_as(cast.users["admin"]).get(cast.url(f"alert-rules/{ids['north_rule']}/")).json()
    assert rule_body["open_alert"] is None and rule_body["cooldown_until"] is not None


def test_evaluate_reports_the_figures(cast, client_as, ids):
    body = client_as(cast.users["admin"]).post(cast.url(f"alert-rules/{ids['north_rule']}/evaluate/")).json()
    assert (body["outcome"], body["value"], body["sample"], body["breached"]) == (
        "still_breached", "400.0000", 2, True)
    assert body["alert"]["id"] == ids["north_alert"]


def test_filters(cast, client_as, ids):
    client = client_as(cast.users["admin"])
    rows = client.get(cast.url("alerts/"), {"rule": ids["tenant_rule"], "status": "open"}).json()["results"]
    assert [row["id"] for row in rows] == [ids["tenant_alert"]]
    assert client.get(cast.url("alerts/"), {"status": "resolved"}).json()["results"] == []
    assert client.get(cast.url("alerts/"), {"colour": "red"}).status_code == 400


@pytest.mark.parametrize(("body", "field"), [
    ({"kpi": "attendance"}, "kpi"),  # a shift KPI: not from interactions
    ({"scope": "team"}, "team"),  # a team-scoped rule names its team
    ({"scope": "channel", "channel": "chat", "team": "{north}"}, "team"),
    ({"window": "hours", "window_size": 0}, "window_size"),
    ({"window": "days", "window_size": 93}, "window_size"),
    ({"recipient_roles": ["agent"]}, "recipient_roles.0"),
    ({"recipient_users": [999999]}, "recipient_users"),
    ({"colour": "red"}, "colour"),
])
def test_rule_validation(cast, client_as, body, field):
    body = {key: cast.north.pk if value == "{north}" else value for key, value in body.items()}
    response = client_as(cast.users["admin"]).post(cast.url("alert-rules/"), {**NEW_RULE, **body}, format="json")
    assert response.status_code == 400, response.content
    assert field in [error["field"] for error in response.json()["errors"]]


def test_another_tenants_team_is_refused(cast, client_as):
    response = client_as(cast.users["admin"]).post(
        cast.url("alert-rules/"), {**NEW_RULE, "scope": "team", "team": cast.other_team.pk}, format="json")
    assert response.status_code == 400 and response.json()["errors"][0]["field"] == "team"


def test_changing_the_scope_clears_the_old_target(cast, client_as, ids):
    client = client_as(cast.users["admin"])
    body = client.patch(cast.url(f"alert-rules/{ids['north_rule']}/"), {"scope": "channel", "channel": "chat"},
                        format="json").json()
    assert (body["scope"], body["team"], body["channel"]) == ("channel", None, "chat")


def test_dashboard_counts_open_alerts_the_caller_sees(cast, client_as, ids):
    from tests.performance.conftest import make_period

    period = make_period(cast.tenant)
    counts = {role: client_as(cast.users[role]).get(cast.url("reports/dashboard/"), {"period": period.pk})
              .json()["tenant"]["open_alerts"] for role in ("admin", "supervisor")}
    assert counts == {"admin": 2, "supervisor": 1}
    Alert.objects.filter(pk=ids["tenant_alert"]).update(status="resolved", resolution="manual")
    assert client_as(cast.users["admin"]).get(cast.url("reports/dashboard/"), {"period": period.pk}).json()[
        "tenant"]["open_alerts"] == 1


def _queries(client, url) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, {"page_size": 100})
    assert response.status_code == 200
    return len(ctx), len(response.json()["results"])


@pytest.mark.parametrize("resource", ["alert-rules/", "alerts/"])
@pytest.mark.parametrize("role", ["admin", "supervisor"])
def test_list_query_count_does_not_grow(cast, client_as, resource, role):
    from datetime import datetime

    client = client_as(cast.users[role])

    def make(start, n):
        for i in range(start, start + n):
            the_rule = rule(cast, f"Rule {i}", scope="team", team=cast.north, kpi="offered", comparison="gte",
                            min_sample=0, threshold=0)
            alert_rule_evaluate(rule=the_rule, now=datetime(2026, 11, 1, 12, tzinfo=timezone.get_current_timezone()))

    make(0, 5)
    few, few_rows = _queries(client, cast.url(resource))
    make(5, 45)
    many, many_rows = _queries(client, cast.url(resource))
    assert (few_rows, many_rows) == (5, 50)
    assert many == few

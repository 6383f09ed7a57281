"""The API speaks English and Simplified Chinese: Accept-Language, else the user's preference, else the tenant's
default language, else English. Codes never change with the language; the OpenAPI schema stays English."""

import csv
import io

import pytest
from openpyxl import load_workbook
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import AccessToken

from accounts.services import api_key_create
from common.actor import Actor
from tests.performance.test_scores_api import october, scores_url  # noqa: F401 (fixture)

ZH = {"HTTP_ACCEPT_LANGUAGE": "zh-Hans"}


def kpi(client, cast, code="aht", **headers):
    return client.get(cast.url(f"kpis/{code}/"), **headers)


def test_accept_language_chooses_chinese_and_the_response_says_so(cast, client_as):
    response = kpi(client_as(cast.users["admin"]), cast, **ZH)
    body = response.json()
    assert response["Content-Language"] == "zh-Hans"
    assert "Accept-Language" in response["Vary"]
    assert (body["code"], body["name"], body["unit"], body["unit_label"]) == ("aht", "平均处理时长", "seconds", "秒")
    assert body["direction"] == "lower"


@pytest.mark.parametrize("header", ["zh-CN", "zh-CN,zh;q=0.9,en;q=0.8", "fr;q=1, zh-Hans;q=0.5"])
def test_browser_headers_map_to_simplified_chinese(cast, client_as, header):
    response = kpi(client_as(cast.users["admin"]), cast, HTTP_ACCEPT_LANGUAGE=header)
    assert (response["Content-Language"], response.json()["name"]) == ("zh-Hans", "平均处理时长")


def test_english_is_the_default(cast, client_as):
    response = kpi(client_as(cast.users["admin"]), cast)
    assert (response["Content-Language"], response.json()["name"]) == ("en", "Average handle time")


def test_the_users_preference_applies_without_a_header_and_the_header_wins(cast, client_as):
    user = cast.users["agent"]
    client = client_as(user)
    assert client.patch("/api/v1/me/", {"language": "zh-hans"}).json()["language"] == "zh-hans"
    assert kpi(client, cast, "fcr").json()["name"] == "一次性解决率"
    assert kpi(client, cast, "fcr", HTTP_ACCEPT_LANGUAGE="en").json()["name"] == "First-contact resolution"
    # Outside any tenant the preference comes with authentication (a real token here, not a forced user).
    token = APIClient(HTTP_AUTHORIZATION=f"Bearer {AccessToken.for_user(user)}")
    assert token.get("/api/v1/me/")["Content-Language"] == "zh-Hans"


def test_the_tenant_default_applies_to_members_without_a_preference(cast, client_as):
    cast.tenant.default_language = "zh-hans"
    cast.tenant.save()
    assert kpi(client_as(cast.users["admin"]), cast, "answer_rate").json()["name"] == "接通率"
    cast.users["admin"].language = "en"
    cast.users["admin"].save()
    assert kpi(client_as(cast.users["admin"]), cast, "answer_rate").json()["name"] == "Answer rate"
    me = client_as(cast.users["supervisor"]).get("/api/v1/me/").json()
    assert me["tenants"][0]["default_language"] == "zh-hans"


def test_integration_keys_get_their_tenants_language(cast):
    cast.tenant.default_language = "zh-hans"
    cast.tenant.save()
    _, plain = api_key_create(actor=Actor(tenant=cast.tenant, role="admin", user=cast.users["admin"]), name="shop")
    client = APIClient(HTTP_AUTHORIZATION=f"Api-Key {plain}")
    response = client.post(cast.url("interactions/"), {}, format="json")
    assert response.status_code == 400
    assert response["Content-Language"] == "zh-Hans"


def test_an_outsider_cannot_tell_a_tenants_language(cast, client_as):
    """A Chinese-speaking tenant's 404 for an outsider reads like the 404 of a tenant that does not exist."""
    cast.tenant.default_language = "zh-hans"
    cast.tenant.save()
    outsider = client_as(cast.outsider)
    existing = outsider.get(cast.url("teams/"))
    missing = outsider.get("/api/v1/tenants/no-such-tenant/teams/")
    assert existing.status_code == missing.status_code == 404
    assert existing["Content-Language"] == missing["Content-Language"] == "en"
    assert existing.json()["title"] == missing.json()["title"]


def test_validation_errors_are_translated_but_codes_are_not(cast, client_as):
    client = client_as(cast.users["admin"])
    english = client.post(cast.url("teams/"), {}).json()
    chinese = client.post(cast.url("teams/"), {}, **ZH).json()
    assert english["errors"][0]["message"] == "This field is required."
    assert chinese["errors"][0]["message"] == "该字段是必填项。"
    assert chinese["code"] == english["code"] == "validation_error"
    assert chinese["errors"][0]["code"] == english["errors"][0]["code"] == "required"
    assert chinese["errors"][0]["field"] == "name"


def test_not_found_is_translated(cast, client_as):
    response = client_as(cast.users["admin"]).get(cast.url("teams/999999/"), **ZH)
    body = response.json()
    assert response.status_code == 404 and body["code"] == "not_found"
    assert body["detail"] == "未找到。"


def test_profile_language_is_validated(cast, client_as):
    response = client_as(cast.users["agent"]).patch("/api/v1/me/", {"language": "fr"})
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "language"
    cast.users["agent"].refresh_from_db()
    assert cast.users["agent"].language == ""


def test_score_export_headers_follow_the_language(cast, client_as, october):  # noqa: F811
    client = client_as(cast.users["admin"])
    english = client.get(scores_url(cast, october, "export/"))
    chinese = client.get(scores_url(cast, october, "export/"), **ZH)
    assert english["Content-Type"].startswith("text/csv")
    assert english["X-Time-Zone"] == cast.tenant.time_zone
    header_en = next(csv.reader(io.StringIO(english.content.decode("utf-8-sig"))))
    header_zh, first, *rest = list(csv.reader(io.StringIO(chinese.content.decode("utf-8-sig"))))
    assert header_en[:3] == ["Rank", "Employee code", "Agent"]
    assert header_zh[:5] == ["排名", "工号", "客服", "团队", "总分"]
    assert (first[0], first[1], first[4]) == ("1", "N001", "75.00")
    assert len(rest) == 5


def test_score_export_as_xlsx(cast, client_as, october):  # noqa: F811
    response = client_as(cast.users["admin"]).get(scores_url(cast, october, "export/"), {"file_format": "xlsx"},
                                                  **ZH)
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.values)
    assert rows[0][:2] == ("排名", "工号")
    assert rows[1][:2] == (1, "N001")
    bad = client_as(cast.users["admin"]).get(scores_url(cast, october, "export/"), {"file_format": "pdf"})
    assert bad.status_code == 400 and bad.json()["errors"][0]["field"] == "file_format"


def test_the_schema_stays_english(db):
    response = APIClient().get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json", **ZH)
    assert response.status_code == 200
    text = response.content.decode()
    assert "平均处理时长" not in text and "该字段" not in text
    assert response.json()["info"]["title"] == "jixiao API"


def test_the_vocabulary_gives_every_code_a_label_in_the_requested_language(db):
    english = APIClient().get("/api/v1/vocabulary/").json()
    chinese = APIClient().get("/api/v1/vocabulary/", **ZH).json()
    assert {"channels", "roles", "period_statuses", "review_statuses", "scenarios", "kpi_units"} <= set(chinese)
    assert english.keys() == chinese.keys()
    for name in english:
        assert [t["code"] for t in english[name]] == [t["code"] for t in chinese[name]], name
    labels = {name: {t["code"]: t["label"] for t in terms} for name, terms in chinese.items()}
    assert labels["channels"]["phone"] == "电话"
    assert labels["period_statuses"]["closed"] == "已关闭"
    assert labels["roles"]["qa_inspector"] == "质检员"
    assert {t["code"]: t["label"] for t in english["channels"]}["phone"] == "Phone"


def test_built_in_scenarios_are_labelled_in_the_readers_language_and_tenant_names_stay(cast, client_as):
    client = client_as(cast.users["admin"])
    built_in = client.post(cast.url("scenarios/"), {"code": "complaint"})
    own = client.post(cast.url("scenarios/"), {"code": "presale", "name": "售前咨询"})
    assert built_in.status_code == own.status_code == 201
    assert client.get(cast.url(f"scenarios/{built_in.json()['id']}/"), **ZH).json()["name"] == "投诉"
    assert client.get(cast.url(f"scenarios/{built_in.json()['id']}/")).json()["name"] == "Complaint"
    assert client.get(cast.url(f"scenarios/{own.json()['id']}/")).json()["name"] == "售前咨询"
    nameless = client.post(cast.url("scenarios/"), {"code": "vip_line"}, **ZH)
    assert nameless.status_code == 400 and nameless.json()["errors"][0]["field"] == "name"


def test_stored_reasons_are_shown_in_the_readers_language(cast, client_as, october):  # noqa: F811
    client = client_as(cast.users["admin"])
    unscored = client.get(scores_url(cast, october), {"scored": "false"}, **ZH).json()["results"]
    assert unscored and {row["unscored_reason"] for row in unscored} == {"数据不足"}
    english = client.get(scores_url(cast, october), {"scored": "false"}).json()["results"]
    assert {row["unscored_reason"] for row in english} == {"insufficient data"}


def test_xlsx_export_survives_control_characters_in_names(cast, client_as, october):  # noqa: F811
    cast.north.name = "North\x01/[desk]"
    cast.north.save()
    october.name = "2026-10:[a]?"
    october.save()
    response = client_as(cast.users["admin"]).get(scores_url(cast, october, "export/"), {"file_format": "xlsx"})
    assert response.status_code == 200
    rows = list(load_workbook(io.BytesIO(response.content)).active.values)
    assert "North/[desk]" in {row[3] for row in rows[1:]}

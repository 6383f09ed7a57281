"""Accounts and the shared machinery (problem details, strict input, webhooks) in Simplified Chinese: messages are
translated, codes and field names are not, and mail is written in its reader's language, not the sender's."""

from __future__ import annotations

import pytest

from accounts.models import Tenant
from common.models import Webhook, WebhookAttempt, WebhookDelivery
from common.webhooks.delivery import DISABLED_REASON, NOT_SENT_INACTIVE, RECEIVER_ANSWERED
from common.webhooks.services import webhook_create
from tests.common.conftest import admin_of
from tests.factories import UserFactory

ZH = {"HTTP_ACCEPT_LANGUAGE": "zh-Hans"}
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.fixture
def admin(cast, client_as):
    return client_as(cast.users["admin"])


def invite(admin, cast, email: str, callbacks, **headers):
    with callbacks(execute=True):
        response = admin.post(cast.url("invitations/"), {"email": email, "role": "qa_inspector"}, **headers)
    assert response.status_code == 201, response.content
    return response


def test_an_invitation_mail_of_a_chinese_tenant_is_in_chinese_whatever_the_admin_reads(
        cast, admin, mailoutbox, django_capture_on_commit_callbacks):
    cast.tenant.default_language = "zh-hans"
    cast.tenant.save()
    response = invite(admin, cast, "xiaoming@example.test", django_capture_on_commit_callbacks, **EN)
    assert response["Content-Language"] == "en"  # the admin's answer stays in the admin's language
    (mail,) = mailoutbox
    assert mail.subject == "您受邀加入 jixiao 上的 Acme Support"
    assert "邀请您以质检员身份加入 jixiao 上的 Acme Support。" in mail.body
    assert "打开此链接接受邀请：" in mail.body and "invited you" not in mail.body


def test_an_existing_account_gets_the_invitation_in_its_own_language(
        cast, admin, mailoutbox, django_capture_on_commit_callbacks):
    cast.tenant.default_language = "zh-hans"
    cast.tenant.save()
    UserFactory(email="anna@example.test", language="en")
    invite(admin, cast, "anna@example.test", django_capture_on_commit_callbacks, **ZH)
    (mail,) = mailoutbox
    assert mail.subject == "You are invited to join Acme Support on jixiao"
    assert "as QA inspector." in mail.body


def test_an_english_tenant_invites_in_english_even_from_a_chinese_admin(
        cast, admin, mailoutbox, django_capture_on_commit_callbacks):
    invite(admin, cast, "new@example.test", django_capture_on_commit_callbacks, **ZH)
    assert mailoutbox[0].subject == "You are invited to join Acme Support on jixiao"


def test_a_tenant_is_created_with_its_default_language_which_is_validated(db, client_as, mailoutbox,
                                                                          django_capture_on_commit_callbacks):
    staff = client_as(UserFactory(email="ops@jixiao.test", is_staff=True))
    body = {"slug": "hangzhou", "name": "杭州客服中心", "time_zone": "Asia/Shanghai",
            "settings": {"default_language": "zh-hans"}, "first_admin": {"email": "boss@hz.test"}}
    refused = staff.post("/api/v1/tenants/", {**body, "settings": {"default_language": "fr"}}, format="json", **ZH)
    assert refused.status_code == 400
    (error,) = refused.json()["errors"]
    assert error["field"] == "settings.default_language"
    assert error["message"] == "请从以下语言中选择一种：en, zh-hans。"
    assert not Tenant.objects.filter(slug="hangzhou").exists()

    with django_capture_on_commit_callbacks(execute=True):
        created = staff.post("/api/v1/tenants/", body, format="json")
    assert created.status_code == 201, created.content
    assert created.json()["settings"]["default_language"] == "zh-hans"
    assert Tenant.objects.get(slug="hangzhou").default_language == "zh-hans"
    assert mailoutbox[0].subject == "您受邀加入 jixiao 上的 杭州客服中心"


def test_a_service_refusal_is_translated_and_its_code_is_not(cast, admin):
    english = admin.post(cast.url("invitations/"), {"email": "agent@acme.test", "role": "agent"}).json()
    chinese = admin.post(cast.url("invitations/"), {"email": "agent@acme.test", "role": "agent"}, **ZH).json()
    assert english["detail"] == "This email already belongs to an active member of the tenant."
    assert chinese["detail"] == "此邮箱已属于该租户的有效成员。"
    assert chinese["code"] == english["code"] == "conflict"
    assert chinese["title"] == "请求与资源的当前状态冲突。"


def test_row_errors_of_a_bulk_create_are_translated_with_their_fields(cast, admin):
    rows = [{"employee_code": "X1", "display_name": "甲", "team": cast.north.pk},
            {"employee_code": "X1", "display_name": "乙", "team": cast.north.pk},
            {"employee_code": "N001", "display_name": "丙", "team": cast.north.pk}]
    response = admin.post(cast.url("agents/bulk/"), {"agents": rows}, format="json", **ZH)
    body = response.json()
    assert response.status_code == 400 and body["code"] == "validation_error"
    assert body["title"] == "输入无效。" and body["detail"] == "2 个字段无效。"
    assert {(e["field"], e["message"]) for e in body["errors"]} == {
        ("agents.1.employee_code", "此工号在本批次中出现了多次。"),
        ("agents.2.employee_code", "已存在使用此工号的客服。"),
    }


def test_a_role_refusal_names_the_role_in_the_readers_language(cast, client_as):
    response = client_as(cast.users["agent"]).post(cast.url("teams/"), {"name": "East"}, **ZH)
    body = response.json()
    assert response.status_code == 403 and body["code"] == "permission_denied"
    assert body["detail"] == "您的角色“客服”（agent）无权执行此操作。"
    assert body["title"] == "您没有执行该操作的权限。"


def test_strict_input_refusals_are_translated(cast, admin):
    unknown = admin.post(cast.url("teams/"), {"name": "East", "colour": "red"}, **ZH).json()
    assert [(e["field"], e["code"], e["message"]) for e in unknown["errors"]] == [
        ("colour", "unknown_field", "未知字段。")]
    parameter = admin.get(cast.url("teams/"), {"colour": "red"}, **ZH).json()
    (error,) = parameter["errors"]
    assert (error["field"], error["code"]) == ("colour", "unknown_parameter")
    assert error["message"].startswith("未知的查询参数。此接口接受：")
    page = admin.get(cast.url("teams/"), {"page_size": "0"}, **ZH).json()
    assert page["errors"][0]["message"] == "请填写 1 至 500 之间的整数。"


def test_unknown_addresses_and_methods_are_translated(cast, admin):
    missing = admin.get("/api/v1/me", **ZH)
    assert missing.status_code == 404 and missing.json()["code"] == "not_found"
    assert missing.json()["title"] == "未找到。"
    assert missing.json()["detail"] == "此地址没有资源。您是否要访问 /api/v1/me/（末尾带斜杠）？"
    method = admin.delete(cast.url("invitations/"), **ZH).json()
    assert (method["code"], method["title"]) == ("method_not_allowed", "不允许的请求方法。")


def test_invitation_links_and_api_keys_are_refused_in_chinese(db, client):
    link = client.get("/api/v1/invitations/no-such-token/", **ZH).json()
    assert link["code"] == "invitation_unavailable"
    assert link["detail"].startswith("此邀请链接无效")
    key = client.get("/api/v1/me/", HTTP_AUTHORIZATION="Api-Key jx_abc.def", **ZH).json()
    assert (key["code"], key["detail"]) == ("authentication_failed", "API 密钥无效。")


def test_webhook_messages_are_in_the_readers_language(cast, admin):
    refused = admin.post(cast.url("webhooks/"), {"url": "ftp://example.com/x", "events": ["period.computed"]},
                         format="json", **ZH).json()
    assert [(e["field"], e["message"]) for e in refused["errors"]] == [
        ("url", "只有 http 和 https 地址可以接收 Webhook。")]

    webhook, _secret = webhook_create(actor=admin_of(cast), url="https://93.184.216.34/hook",
                                      events=["period.computed"])
    Webhook.objects.filter(pk=webhook.pk).update(is_active=False, disabled_reason=DISABLED_REASON)
    delivery = WebhookDelivery.objects.create(tenant=cast.tenant, webhook=webhook, event="period.computed",
                                              payload={}, status="failed", attempt_count=2)
    WebhookAttempt.objects.create(tenant=cast.tenant, delivery=delivery, number=1, status_code=503,
                                  error=RECEIVER_ANSWERED % {"status": 503})
    WebhookAttempt.objects.create(tenant=cast.tenant, delivery=delivery, number=2, error=NOT_SENT_INACTIVE)

    shown = admin.get(cast.url(f"webhooks/{webhook.pk}/"), **ZH).json()
    assert shown["disabled_reason"] == "连续投递失败次数过多，已被停用。"
    (listed,) = admin.get(cast.url(f"webhooks/{webhook.pk}/deliveries/"), **ZH).json()["results"]
    assert [(a["status_code"], a["error"]) for a in listed["attempts"]] == [
        (503, "接收端返回了 HTTP 503。"), (None, "未发送：该 Webhook 已被停用。")]
    english = admin.get(cast.url(f"webhooks/{webhook.pk}/deliveries/")).json()["results"][0]
    assert english["attempts"][0]["error"] == "The receiver answered HTTP 503."
    events = {e["code"]: e["description"] for e in admin.get(cast.url("webhooks/event-types/"), **ZH).json()}
    assert events["webhook.test"] == "管理员请求的测试投递。"


def test_the_vocabulary_labels_invitation_and_delivery_statuses(db, client):
    labels = client.get("/api/v1/vocabulary/", **ZH).json()
    invitation = {t["code"]: t["label"] for t in labels["invitation_statuses"]}
    delivery = {t["code"]: t["label"] for t in labels["webhook_delivery_statuses"]}
    assert invitation == {"pending": "待处理", "accepted": "已接受", "revoked": "已撤销", "expired": "已过期"}
    assert delivery["sending"] == "发送中" and delivery["failed"] == "已失败"


def test_the_schema_tag_descriptions_stay_english(db, client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json", **ZH).json()
    tags = {tag["name"]: tag["description"] for tag in schema["tags"]}
    assert tags["teams"].startswith("Teams of agents.")
    problem = schema["components"]["schemas"]["ProblemDetails"]["properties"]
    assert problem["code"]["description"].startswith("A stable, machine-readable code")

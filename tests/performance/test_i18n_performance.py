"""Performance messages in Simplified Chinese: refusals of services, row and column errors of ingestion, scheme
validation and warnings, job errors stored in English. Codes and fields never change with the language."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from performance.models import ComputationJob, Interaction
from performance.services.scoring import computation_jobs_requeue_stalled, period_compute
from tests.performance.conftest import admin_actor, make_period, make_version

ZH = {"HTTP_ACCEPT_LANGUAGE": "zh-Hans"}
KPIS = [{"kpi_code": "csat", "weight": "60", "floor": "50", "target": "90"},
        {"kpi_code": "aht", "weight": "40", "floor": "600", "target": "300"}]


@pytest.fixture
def admin(cast, client_as):
    return client_as(cast.users["admin"])


def test_closing_an_open_period_is_refused_in_chinese_with_the_same_code(cast, admin):
    period = make_period(cast.tenant)
    english = admin.post(cast.url(f"periods/{period.pk}/close/"))
    chinese = admin.post(cast.url(f"periods/{period.pk}/close/"), **ZH)

    assert english.status_code == chinese.status_code == 409
    assert english.json()["detail"] == 'Only a period in review can be closed (its status is "Open").'
    assert chinese.json()["detail"] == "只有复核中的考核周期才能关闭（当前状态为“进行中”）。"
    assert english.json()["code"] == chinese.json()["code"] == "period_not_in_review"
    period.refresh_from_db()
    assert period.status == "open"


def test_bulk_row_errors_are_chinese_with_the_same_fields_and_codes(cast, admin):
    rows = [{"agent": "N001", "channel": "phone", "external_id": "c-1", "started_at": "2026-10-01T09:30:00+08:00",
             "csat": 9},
            {"agent": "NOPE", "channel": "fax", "external_id": "c-2", "started_at": "2026-10-01T09:30:00"}]
    english = admin.post(cast.url("interactions/bulk/"), {"rows": rows}, format="json").json()
    chinese = admin.post(cast.url("interactions/bulk/"), {"rows": rows}, format="json", **ZH).json()

    def keys(body):
        return [(error["field"], error["code"]) for error in body["errors"]]

    assert keys(chinese) == keys(english) == [
        ("rows.0.csat", "max_value"), ("rows.1.channel", "invalid_choice"), ("rows.1.started_at", "naive_datetime"),
        ("rows.1.agent", "does_not_exist")]
    ordinary = admin.post(cast.url("periods/"), {}, **ZH).json()  # any other validation error
    assert (chinese["code"], chinese["title"], chinese["detail"]) == (
        "validation_error", ordinary["title"], "2 行无效；未写入任何数据。")
    assert chinese["title"] != english["title"] == "Invalid input."
    messages = [error["message"] for error in chinese["errors"]]
    assert messages[0] == "请确保该值小于或者等于 5。"
    assert messages[1].startswith("“fax”不是合法选项；请使用以下之一：phone, chat")
    assert messages[2].startswith("该日期时间没有 UTC 偏移量")
    assert messages[3] == "该租户中没有工号为“NOPE”的客服。"
    assert english["errors"][3]["message"] == 'No agent with employee code "NOPE" in this tenant.'
    assert not Interaction.objects.exists()


def test_csv_column_errors_are_chinese(cast, admin):
    upload = SimpleUploadedFile("interactions.csv", b"agent,channel,colour\nN001,phone,red\n", content_type="text/csv")
    response = admin.post(cast.url("interactions/import/"), {"file": upload}, format="multipart", **ZH)

    assert response.status_code == 400
    body = response.json()
    assert body["detail"] == "表头行无效；未写入任何数据。"
    assert [(error["field"], error["code"]) for error in body["errors"]] == [
        ("line.1", "unknown_column"), ("line.1", "missing_column")]
    assert body["errors"][0]["message"].startswith(
        "未知的列：\"colour\"。可用的列为：agent, channel, direction, scenario")
    assert body["errors"][1]["message"] == '缺少必需的列："external_id", "started_at"。'
    assert not Interaction.objects.exists()


def test_scheme_version_validation_and_warnings_are_chinese(cast, admin):
    make_version(cast.tenant, name="Other", effective_from=date(2026, 9, 1), teams=[cast.north])
    scheme = admin.post(cast.url("schemes/"), {"name": "Standard"}).json()["id"]
    versions = cast.url(f"schemes/{scheme}/versions/")

    overlap = admin.post(versions, {"effective_from": "2026-10-01", "kpis": KPIS}, **ZH)
    assert overlap.status_code == 400
    assert [(e["field"], e["code"]) for e in overlap.json()["errors"]] == [("effective_from", "invalid")]
    assert overlap.json()["detail"] == ("与评分方案“Other”的版本 1 重叠（相同场景、团队有重叠，自 2026-09-01 起生效，"
                                        "无结束日期）。请先结束该版本，或选择其他日期。")

    same_floor = [{**KPIS[0], "target": "50"}]
    refused = admin.post(versions, {"effective_from": "2026-10-01", "teams": [cast.south.pk], "kpis": same_floor},
                         **ZH)
    assert refused.json()["errors"] == [{"field": "kpis.0.target", "code": "invalid",
                                         "message": "目标值必须与下限值不同（下限值得 0 分，目标值得 100 分）。"}]

    codes = ["csat", "aht", "fcr", "asa", "answer_rate", "attendance"]
    many = [{"kpi_code": c, "weight": "1", "floor": "0", "target": "100"} for c in codes]
    created = admin.post(versions, {"effective_from": "2026-10-01", "teams": [cast.south.pk], "kpis": many}, **ZH)
    assert created.status_code == 201, created.content
    assert created.json()["warnings"] == ["6 个指标：超过 5 个指标会使公式难以解释，也难以据此改进工作。"]


def test_a_stalled_jobs_error_is_stored_in_english_and_read_in_chinese(cast, admin):
    period = make_period(cast.tenant)
    job = period_compute(actor=admin_actor(cast.tenant), period=period)  # its task message is never sent here
    assert computation_jobs_requeue_stalled(stall_seconds=0, max_requeues=0) == {"requeued": [], "failed": [job.pk]}

    job.refresh_from_db()
    assert job.errors[0]["message"].startswith("The computation stalled")  # the msgid, in English
    chinese = admin.get(cast.url(f"jobs/{job.pk}/"), **ZH).json()
    english = admin.get(cast.url(f"jobs/{job.pk}/")).json()
    assert chinese["errors"] == [{"code": "JobStalled", "message": (
        "计算已停滞：其任务已重新发送 0 次（最多 0 次），但没有工作进程将其运行完成。请重新计算该考核周期。")}]
    assert english["errors"][0]["message"].startswith("The computation stalled: its task was sent again 0 times")
    assert ComputationJob.objects.get().status == "failed"

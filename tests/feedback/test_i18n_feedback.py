"""QA refusals and notices read in Simplified Chinese when asked for; codes and field names never change."""

from datetime import date

import pytest

from feedback.models import QAAssignment, QAAssignmentBatch, QAReview, Rubric
from tests.factories import InteractionFactory
from tests.feedback.factories import answers_for, published_review
from tests.feedback.test_rubrics import SECTIONS

ZH = {"HTTP_ACCEPT_LANGUAGE": "zh-Hans"}


def in_both_languages(send):
    """The same (refused, so repeatable) request, answered in English and in Chinese."""
    english, chinese = send(), send(**ZH)
    assert english.status_code == chinese.status_code
    assert (english["Content-Language"], chinese["Content-Language"]) == ("en", "zh-Hans")
    return english.json(), chinese.json()


def codes(body):
    return body["code"], [(e["field"], e["code"]) for e in body.get("errors", [])]


@pytest.fixture
def inspector(cast, client_as):
    return client_as(cast.users["qa_inspector"])


def test_publishing_a_draft_is_refused_in_chinese(cast, inspector, version, north_ix):
    draft = inspector.post(cast.url("qa-reviews/"), {"interaction": north_ix.pk, "rubric_version": version.pk},
                           format="json").json()
    english, chinese = in_both_languages(lambda **h: inspector.post(cast.url(f"qa-reviews/{draft['id']}/publish/"),
                                                                    **h))
    assert english["detail"] == "Only a submitted review can be published; this one is a draft."
    assert chinese["detail"] == "只有已提交的质检评分可以发布；这份质检评分还是草稿。"
    assert codes(chinese) == codes(english) == ("conflict", [])
    assert QAReview.objects.get(pk=draft["id"]).status == "draft"


def test_editing_a_published_review_is_refused_in_chinese(cast, inspector, version, north_ix):
    review = published_review(inspector=cast.users["qa_inspector"], interaction=north_ix, version=version,
                              ratings=[5, 1, 10, 3])
    english, chinese = in_both_languages(lambda **h: inspector.patch(
        cast.url(f"qa-reviews/{review.pk}/"), {"overall_comment": "later"}, format="json", **h))
    assert english["detail"] == "Only a draft review can be edited; this one is published."
    assert chinese["detail"] == "只有草稿状态的质检评分可以编辑；这份质检评分已发布。"
    assert codes(chinese) == codes(english) == ("conflict", [])
    review.refresh_from_db()
    assert review.overall_comment == ""


def test_an_answer_off_its_scale_is_a_row_error_in_chinese(cast, inspector, version, north_ix):
    answers = answers_for(version, [4, 1, 11, 2])  # C3 is rated 0-10
    english, chinese = in_both_languages(lambda **h: inspector.post(
        cast.url("qa-reviews/"), {"interaction": north_ix.pk, "rubric_version": version.pk, "answers": answers},
        format="json", **h))
    assert english["errors"][0]["message"] == "'C3' is rated on 0-10; got 11."
    assert chinese["errors"][0]["message"] == "评分项“C3”的分值范围为 0-10，收到的是 11。"
    assert codes(chinese) == codes(english) == ("validation_error", [("answers.2.rating", "invalid")])
    assert not QAReview.objects.exists()


def test_a_duplicate_rubric_name_is_refused_in_chinese(cast, client_as):
    lead = client_as(cast.users["qa_lead"])
    assert lead.post(cast.url("rubrics/"), {"name": "Calls", "sections": SECTIONS}, format="json").status_code == 201
    english, chinese = in_both_languages(lambda **h: lead.post(
        cast.url("rubrics/"), {"name": "Calls", "sections": SECTIONS}, format="json", **h))
    assert english["errors"][0]["message"] == "A rubric with this name already exists."
    assert chinese["errors"][0]["message"] == "同名的质检评分表已存在。"
    assert codes(chinese) == codes(english) == ("validation_error", [("name", "invalid")])
    assert Rubric.objects.filter(tenant=cast.tenant).count() == 1


def test_a_published_rubric_version_refuses_changes_in_chinese(cast, client_as, version):
    lead = client_as(cast.users["qa_lead"])
    english, chinese = in_both_languages(lambda **h: lead.patch(
        cast.url(f"rubric-versions/{version.pk}/"), {"notes": "new"}, format="json", **h))
    assert english["detail"] == "Version 1 is published and can no longer change; create a new version instead."
    assert chinese["detail"] == "版本 1 已发布，不能再修改；请改为创建新版本。"
    assert codes(chinese) == codes(english) == ("conflict", [])


def test_skipping_a_skipped_assignment_is_refused_in_chinese(cast, inspector, north_ix):
    batch = QAAssignmentBatch.objects.create(
        tenant=cast.tenant, date_from=date(2026, 3, 1), date_to=date(2026, 4, 1), team_ids=[cast.north.pk],
        inspector_ids=[cast.users["qa_inspector"].pk], per_agent=1, seed=1)
    assignment = QAAssignment.objects.create(
        tenant=cast.tenant, batch=batch, interaction=north_ix, agent=north_ix.agent,
        inspector=cast.users["qa_inspector"], status="skipped", skip_reason="Recording missing")
    english, chinese = in_both_languages(lambda **h: inspector.post(
        cast.url(f"qa-assignments/{assignment.pk}/skip/"), {"reason": "again"}, format="json", **h))
    assert english["detail"] == "Only a pending assignment can be skipped; this one is skipped."
    assert chinese["detail"] == "只有待处理的抽检任务可以跳过；该抽检任务已跳过。"
    assert codes(chinese) == codes(english) == ("conflict", [])
    assignment.refresh_from_db()
    assert assignment.skip_reason == "Recording missing"


def test_sampling_more_than_a_year_is_refused_in_chinese(cast, client_as):
    lead = client_as(cast.users["qa_lead"])
    body = {"date_from": "2026-01-01", "date_to": "2027-01-03", "teams": [cast.north.pk],
            "inspectors": [cast.users["qa_inspector"].pk], "per_agent": 2}
    english, chinese = in_both_languages(lambda **h: lead.post(cast.url("qa-assignments/generate/"), body,
                                                               format="json", **h))
    assert english["errors"][0]["message"] == "The range may cover at most 366 days."
    assert chinese["errors"][0]["message"] == "日期范围最多为 366 天。"
    assert codes(chinese) == codes(english) == ("validation_error", [("date_to", "invalid")])
    assert not QAAssignmentBatch.objects.exists()


def test_the_published_review_notice_reads_in_chinese(cast, client_as, version):
    review = published_review(inspector=cast.users["qa_inspector"], interaction=InteractionFactory(
        agent=cast.own_agent), version=version, ratings=[5, 1, 10, 3])
    [row] = client_as(cast.users["agent"]).get(cast.url("notifications/"), **ZH).json()["results"]
    assert row["message"] == f"您的联络记录 {review.interaction_id} 的质检评分已发布：100.00 分。"
    assert row["event"] == "qa_review.published"

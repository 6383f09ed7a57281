"""Attachments: stored through the storage API, within the tenant's size and type limits (content checked),
served only through the API to people who may see the appeal."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.models import TeamGrant, Tenant
from feedback.models import AppealAttachment
from tests.feedback.appeal_helpers import decide_all, file_review_appeal, own_review

PDF = b"%PDF-1.4\n% a tiny pdf\n"


def upload(client, cast, appeal, name, content):
    return client.post(cast.url(f"appeals/{appeal.pk}/attachments/"),
                       {"file": SimpleUploadedFile(name, content, content_type="application/x-anything")},
                       format="multipart")


def test_attach_list_and_download(cast, client_as, version, settings):
    appeal = file_review_appeal(cast, own_review(cast, version))
    agent = client_as(cast.users["agent"])
    response = upload(agent, cast, appeal, "recording-notes.pdf", PDF)
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["name"], body["content_type"], body["size"]) == ("recording-notes.pdf", "application/pdf", len(PDF))
    stored = AppealAttachment.objects.get()
    assert stored.file.name.startswith(f"appeals/{cast.tenant.pk}/{appeal.pk}/") and "recording" not in stored.file.name
    assert (settings.MEDIA_ROOT / stored.file.name).read_bytes() == PDF
    listed = client_as(cast.users["qa_inspector"]).get(cast.url(f"appeals/{appeal.pk}/attachments/")).json()
    assert [row["id"] for row in listed["results"]] == [stored.pk]
    url = cast.url(f"appeals/{appeal.pk}/attachments/{stored.pk}/")
    download = client_as(cast.users["admin"]).get(url)
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF
    assert download["Content-Type"] == "application/pdf"
    assert 'attachment; filename="recording-notes.pdf"' == download["Content-Disposition"]
    assert appeal.events.filter(kind="attached").exists()


def test_only_people_who_see_the_appeal_get_its_files(cast, client_as, version):
    appeal = file_review_appeal(cast, own_review(cast, version))
    upload(client_as(cast.users["agent"]), cast, appeal, "a.pdf", PDF)
    url = cast.url(f"appeals/{appeal.pk}/attachments/{AppealAttachment.objects.get().pk}/")
    TeamGrant.objects.filter(user=cast.users["supervisor"]).delete()  # no grant on north any more
    assert client_as(cast.users["supervisor"]).get(url).status_code == 404
    assert client_as(cast.outsider).get(url).status_code == 404
    assert client_as(None).get(url).status_code == 401
    assert client_as(cast.users["agent"]).get(cast.url(f"appeals/{appeal.pk}/attachments/999999/")).status_code == 404


def test_size_and_type_limits_are_the_tenants(cast, client_as, version):
    Tenant.objects.filter(pk=cast.tenant.pk).update(appeal_attachment_max_bytes=1024, appeal_attachment_types=["pdf"])
    appeal = file_review_appeal(cast, own_review(cast, version))
    agent = client_as(cast.users["agent"])
    too_big = upload(agent, cast, appeal, "big.pdf", PDF + b"x" * 1024)
    assert too_big.status_code == 400 and "at most 1024 bytes" in too_big.json()["detail"]
    wrong_type = upload(agent, cast, appeal, "notes.txt", b"hello")
    assert wrong_type.status_code == 400 and "Allowed types: pdf" in wrong_type.json()["detail"]
    disguised = upload(agent, cast, appeal, "evil.pdf", b"MZ\x90\x00 not a pdf")
    assert disguised.status_code == 400 and disguised.json()["errors"][0]["field"] == "file"
    extra = agent.post(cast.url(f"appeals/{appeal.pk}/attachments/"),
                       {"file": SimpleUploadedFile("a.pdf", PDF), "note": "x"}, format="multipart")
    assert extra.status_code == 400 and extra.json()["errors"][0]["code"] == "unknown_field"
    assert not AppealAttachment.objects.exists()


def test_files_are_attached_only_while_the_appeal_is_open(cast, client_as, version):
    appeal = decide_all(file_review_appeal(cast, own_review(cast, version)), cast.users["admin"], accepted=False)
    response = upload(client_as(cast.users["agent"]), cast, appeal, "late.pdf", PDF)
    assert response.status_code == 409 and response.json()["code"] == "appeal_wrong_state"


def test_tenant_settings_accept_the_attachment_limits(client_as, db):
    from accounts.services.tenants import _settings_clean

    assert _settings_clean({"appeal_attachment_types": [".PDF", "png"], "appeal_attachment_max_bytes": 2048}) == {
        "appeal_attachment_types": ["pdf", "png"], "appeal_attachment_max_bytes": 2048}
    from rest_framework.exceptions import ValidationError

    with pytest.raises(ValidationError):
        _settings_clean({"appeal_attachment_types": "pdf"})


def test_a_failed_attach_leaves_no_file_behind(cast, client_as, version, settings, monkeypatch):
    from feedback.services import appeal_attachments

    appeal = file_review_appeal(cast, own_review(cast, version))

    def broken_audit(**kwargs):
        raise RuntimeError("audit store unavailable")

    monkeypatch.setattr(appeal_attachments, "audit_record", broken_audit)
    agent = client_as(cast.users["agent"])
    agent.raise_request_exception = False
    response = upload(agent, cast, appeal, "notes.pdf", PDF)
    assert response.status_code == 500
    assert not AppealAttachment.objects.exists()
    media = settings.MEDIA_ROOT
    assert not media.exists() or not [path for path in media.rglob("*") if path.is_file()]

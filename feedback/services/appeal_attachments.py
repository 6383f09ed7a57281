"""Files attached to an appeal: stored through Django's storage API, checked against the tenant's limits, and
served only through the API to people who may see the appeal."""

from __future__ import annotations

from pathlib import PurePath

from django.db import transaction
from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import ValidationError

from common.actor import Actor
from common.audit import audit_record
from common.errors import Conflict
from feedback.models import OPEN_STATUSES, Appeal, AppealAttachment, AppealEvent

MAX_ATTACHMENTS = 10
# The media type each allowed extension is served with (never the uploader's claim), and the first bytes its
# content must start with where the format has a signature.
MEDIA_TYPES = {
    "pdf": "application/pdf", "png": "image/png", "jpg": "image/jpeg", "jpeg": "image/jpeg", "gif": "image/gif",
    "webp": "image/webp", "txt": "text/plain", "csv": "text/csv", "mp3": "audio/mpeg", "wav": "audio/wav",
    "m4a": "audio/mp4", "ogg": "audio/ogg",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
SIGNATURES = {"pdf": (b"%PDF",), "png": (b"\x89PNG\r\n\x1a\n",), "jpg": (b"\xff\xd8\xff",),
              "jpeg": (b"\xff\xd8\xff",), "gif": (b"GIF87a", b"GIF89a"), "wav": (b"RIFF",), "ogg": (b"OggS",),
              "docx": (b"PK\x03\x04",), "xlsx": (b"PK\x03\x04",)}


def _checked_extension(appeal: Appeal, upload) -> str:
    allowed = appeal.tenant.appeal_attachment_types
    extension = PurePath(upload.name or "").suffix.lower().removeprefix(".")
    if extension not in allowed:
        raise ValidationError({"file": [_("Files of this type cannot be attached. Allowed types: %(types)s.") % {
            "types": ", ".join(allowed)}]}, code="file_type_not_allowed")
    head = upload.read(16)
    upload.seek(0)
    if extension in SIGNATURES and not head.startswith(SIGNATURES[extension]):
        raise ValidationError({"file": [_("The file's content is not a %(type)s file.") % {"type": extension}]},
                              code="file_content_mismatch")
    return extension


def appeal_attachment_add(*, appeal: Appeal, actor: Actor, upload) -> AppealAttachment:
    """Attach `upload` while the appeal is open; refused (400) beyond the tenant's size limit, for a type the
    tenant does not allow, for content that does not match its type, or past MAX_ATTACHMENTS."""
    stored = []
    try:
        with transaction.atomic():
            return _attachment_add(appeal=appeal, actor=actor, upload=upload, stored=stored)
    except BaseException:
        # The rows are rolled back (commit-time checks included); the stored file is not part of the transaction.
        for attachment in stored:
            attachment.file.delete(save=False)
        raise


def _attachment_add(*, appeal: Appeal, actor: Actor, upload, stored: list) -> AppealAttachment:
    appeal = Appeal.objects.select_for_update(of=("self",)).select_related("tenant").get(pk=appeal.pk)
    if appeal.status not in OPEN_STATUSES:
        raise Conflict(_("Files can only be attached while the appeal is open; it is %(status)s.") % {
            "status": appeal.status}, code="appeal_wrong_state")
    limit = appeal.tenant.appeal_attachment_max_bytes
    if upload.size > limit:
        raise ValidationError({"file": [_("The file may be at most %(size)s bytes.") % {"size": limit}]},
                              code="file_too_large")
    if not upload.size:
        raise ValidationError({"file": [_("The file is empty.")]}, code="empty")
    extension = _checked_extension(appeal, upload)
    if appeal.attachments.count() >= MAX_ATTACHMENTS:
        raise ValidationError({"file": [_("An appeal may have at most %(n)s files.") % {"n": MAX_ATTACHMENTS}]},
                              code="too_many_files")
    attachment = AppealAttachment(tenant_id=appeal.tenant_id, appeal=appeal, name=PurePath(upload.name).name[:255],
                                  content_type=MEDIA_TYPES.get(extension, "application/octet-stream"),
                                  size=upload.size, uploaded_by=actor.user)
    attachment.file.save(attachment.name, upload, save=False)
    stored.append(attachment)
    attachment.save()
    AppealEvent.objects.create(tenant_id=appeal.tenant_id, appeal=appeal, kind="attached", actor=actor.user,
                               from_status=appeal.status, to_status=appeal.status, data={"attachment": attachment.pk})
    audit_record(actor=actor, action="appeal.attachment_added", obj=appeal,
                 after={"attachment": attachment.pk, "name": attachment.name, "size": attachment.size})
    return attachment

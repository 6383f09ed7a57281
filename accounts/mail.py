"""The mails accounts sends, through Django's email framework (console backend unless SMTP is configured)."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from accounts.models import Invitation, Role, User
from common.locale import recipient_language

INVITATION_SUBJECT = _("You are invited to join %(tenant)s on jixiao")
INVITATION_BODY = _(
    "Hello,\n\n"
    "%(inviter)s invited you to join %(tenant)s on jixiao as %(role)s.\n\n"
    "Open this link to accept the invitation:\n%(url)s\n\n"
    "The link is valid until %(expires)s. If you did not expect this invitation, you can ignore this mail."
)
PLATFORM_INVITER = _("The jixiao team")


def invitation_accept_url(token: str) -> str:
    return settings.INVITATION_ACCEPT_URL.format(token=token)


def invitation_language(invitation: Invitation) -> str:
    """The invitee's language if the email already has an account that chose one, else the tenant's default
    (never the inviting admin's: the mail is for the invitee)."""
    account = User.objects.filter(email__iexact=invitation.email).only("language").first()
    return recipient_language(account, invitation.tenant)


def invitation_mail_send(*, invitation: Invitation, token: str) -> None:
    """Mail the invitation's link; `token` is the plain token, which exists only until this mail is sent."""
    inviter = invitation.invited_by
    with translation.override(invitation_language(invitation)):
        params = {
            "tenant": invitation.tenant.name,
            "inviter": (inviter.full_name or inviter.email) if inviter else PLATFORM_INVITER,
            "role": Role(invitation.role).label,
            "url": invitation_accept_url(token),
            "expires": f"{invitation.expires_at.astimezone(invitation.tenant.zone):%Y-%m-%d %H:%M} "
                       f"({invitation.tenant.time_zone})",
        }
        subject, body = str(INVITATION_SUBJECT % params), str(INVITATION_BODY % params)
    send_mail(subject, body, None, [invitation.email])

"""Where notifications go besides the console inbox. Configured by
``settings.NOTIFICATION_SENDERS`` (dotted paths); each sender gets the saved
``Notification`` and must not raise for one recipient's problem."""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import send_mail

logger = logging.getLogger(__name__)


class EmailSender:
    """E-mails the notification to the recipient's address, when they have one."""

    def send(self, notification) -> None:
        address = notification.recipient.email
        if not address:
            return
        try:
            send_mail(notification.title, notification.body, None, [address])
        except Exception:  # a mail server problem must not fail the business action
            logger.exception("e-mail notification %s failed", notification.pk)


class SmsGateway:
    """The SMS provider's client. The real one lives outside this machine; deployments
    point ``SMS_GATEWAY`` at theirs. The default only logs."""

    def send(self, mobile: str, text: str) -> None:
        logger.info("SMS to %s: %s", mobile[-4:].rjust(len(mobile), "*"), text)


class SmsSender:
    """Sends the title by SMS to the recipient's private mobile (staff profile)."""

    def __init__(self, gateway: SmsGateway | None = None):
        from django.utils.module_loading import import_string

        self.gateway = gateway or import_string(
            getattr(settings, "SMS_GATEWAY", "inbox.senders.SmsGateway"))()

    def send(self, notification) -> None:
        profile = getattr(notification.recipient, "staff", None)
        if profile is None or not profile.mobile:
            return
        try:
            self.gateway.send(profile.mobile, notification.title)
        except Exception:
            logger.exception("SMS notification %s failed", notification.pk)


def requester_gateway() -> SmsGateway:
    """The SMS gateway for messages to requesters (who have no account)."""
    from django.utils.module_loading import import_string

    return import_string(settings.SMS_GATEWAY)()

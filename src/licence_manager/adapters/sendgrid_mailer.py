"""Email through SendGrid's v3 API with the official client (or the local stand-in)."""

from __future__ import annotations

import base64
import json
import re
import time
from collections.abc import Mapping
from typing import Any

from licence_manager.ports import Email, MailDeferred, Mailer, MailInDoubt, MailRejected
from licence_manager.ports.messaging import RecipientsRejected as RecipientsRejected

# Where SendGrid's 400 points when it refuses a recipient: "personalizations.1.to.0.email".
_RECIPIENT_FIELD = re.compile(r"personalizations\.(\d+)\.(to|cc|bcc)\.(\d+)\.email")


class SendGridMailer(Mailer):
    def __init__(self, api_key: str, sender: str, host: str | None = None, timeout: float = 20.0):
        from sendgrid import SendGridAPIClient

        kwargs: dict[str, Any] = {"api_key": api_key}
        if host:
            kwargs["host"] = host
        self._client = SendGridAPIClient(**kwargs)
        self._client.client.timeout = timeout  # the client has no timeout argument of its own
        self._sender = sender

    def _message(self, email: Email) -> Any:
        from sendgrid.helpers.mail import (
            Attachment,
            CustomArg,
            Disposition,
            FileContent,
            FileName,
            FileType,
            Mail,
        )

        message = Mail(
            from_email=self._sender,
            to_emails=list(email.to),
            subject=email.subject,
            plain_text_content=email.text,
            html_content=email.html,
            is_multiple=True,  # one envelope each: recipients never see each other's address
        )
        # Carried through SendGrid's events, so a delivery can be traced to our notification.
        message.custom_arg = CustomArg("notificationId", email.reference)
        for item in email.attachments:
            message.add_attachment(
                Attachment(
                    FileContent(base64.b64encode(item.content).decode()),
                    FileName(item.filename),
                    FileType(item.mime_type),
                    Disposition("attachment"),
                )
            )
        return message

    def send(self, email: Email) -> str:
        from python_http_client.exceptions import HTTPError

        try:
            # Built first: an address the helper cannot parse is this email's fault, for good.
            body = self._message(email).get()
        except (KeyError, ValueError, TypeError) as error:
            raise MailRejected(f"the email could not be built: {error!r}") from error
        try:
            response = self._client.send(body)
        except HTTPError as error:
            status = int(getattr(error, "status_code", 0) or 0)
            detail = _body(error)
            if status == 429:
                raise MailDeferred(
                    f"rate limited: {detail}", _seconds_until_reset(error)
                ) from error
            if status == 504:
                raise MailInDoubt(f"SendGrid timed out upstream (504): {detail}") from error
            if status >= 500 or status == 0:
                raise MailDeferred(f"SendGrid unavailable ({status}): {detail}") from error
            refused = _refused_recipients(detail, body) if status == 400 else ()
            if refused:
                raise RecipientsRejected(
                    f"SendGrid refused the email ({status}): {detail}", refused
                ) from error
            raise MailRejected(f"SendGrid refused the email ({status}): {detail}") from error
        except TimeoutError as error:
            raise MailInDoubt(f"SendGrid did not answer in time: {error}") from error
        except OSError as error:  # refused or unreachable: nothing was handed over
            raise MailDeferred(f"SendGrid unreachable: {error}") from error
        return str(response.headers.get("X-Message-Id", ""))


def _body(error: Any) -> str:
    body = getattr(error, "body", b"")
    return body.decode(errors="replace") if isinstance(body, bytes) else str(body)


def _refused_recipients(detail: str, sent: Mapping[str, Any]) -> tuple[str, ...]:
    """The addresses SendGrid's errors point at, read back from the body we sent; empty when
    any error is about something else (dropping recipients would not fix that)."""
    try:
        errors = json.loads(detail)["errors"]
        addresses = []
        for item in errors:
            where = _RECIPIENT_FIELD.fullmatch(str(item.get("field") or ""))
            if where is None:
                return ()
            envelope, kind, position = where.groups()
            addresses.append(sent["personalizations"][int(envelope)][kind][int(position)]["email"])
    except (ValueError, KeyError, IndexError, TypeError, AttributeError):
        return ()
    return tuple(dict.fromkeys(str(a) for a in addresses))


def _seconds_until_reset(error: Any) -> float | None:
    """X-RateLimit-Reset is the Unix time the window reopens."""
    headers = getattr(error, "headers", None) or {}
    try:
        reset = float(headers.get("X-RateLimit-Reset") or "")
    except (TypeError, ValueError):
        return None
    return max(reset - time.time(), 0.0)

"""Accepted sends: 202 like SendGrid, and every field lands intact in the outbox."""

from __future__ import annotations

import base64
import re
from datetime import UTC, datetime, timedelta
from typing import Any

from sendgrid.helpers.mail import (
    Attachment,
    Bcc,
    Category,
    Cc,
    ContentId,
    CustomArg,
    Disposition,
    FileContent,
    FileName,
    FileType,
    Header,
    Mail,
    Personalization,
    ReplyTo,
    To,
)

from licence_manager_local.sendgrid_standin import (
    Address,
    RunningStandIn,
    SendGridStandInControl,
)

from .conftest import minimal_body

PDF = b"%PDF-1.4\n\x00\x01\x02binary invoice\xff"


def _full_mail() -> Mail:
    mail = Mail(
        from_email=("licences@reseller.example", "Licence Manager"),
        to_emails=[To("owner@customer.example", "Ada Owner")],
        subject="Your Workspace licences changed",
        plain_text_content="Seats: 12 -> 15",
        html_content="<p>Seats: <b>12</b> &rarr; <b>15</b></p>",
    )
    mail.add_cc(Cc("finance@customer.example"))
    mail.add_bcc(Bcc("audit@reseller.example"))
    mail.reply_to = ReplyTo("support@reseller.example", "Support")
    mail.add_custom_arg(CustomArg("customer_id", "C0123"))
    mail.add_custom_arg(CustomArg("change_id", "chg-42"))
    mail.add_category(Category("licence-change"))
    mail.add_header(Header("X-Entity-Ref-ID", "chg-42"))
    mail.add_attachment(
        Attachment(
            FileContent(base64.b64encode(PDF).decode()),
            FileName("invoice.pdf"),
            FileType("application/pdf"),
            Disposition("attachment"),
        )
    )
    return mail


def test_full_send_is_accepted_and_recorded_field_by_field(
    standin: RunningStandIn, client: Any
) -> None:
    before = datetime.now(UTC)
    response = client.send(_full_mail())

    assert response.status_code == 202
    assert response.body == b""
    message_id = response.headers["X-Message-Id"]
    assert re.fullmatch(r"[A-Za-z0-9_-]{22}", message_id)

    [message] = standin.outbox
    assert message.message_id == message_id
    assert before - timedelta(seconds=1) <= message.received_at <= datetime.now(UTC)
    assert message.from_ == Address("licences@reseller.example", "Licence Manager")
    assert message.reply_to == Address("support@reseller.example", "Support")
    assert message.subject == "Your Workspace licences changed"
    assert list(message.content) == ["text/plain", "text/html"]
    assert message.text == "Seats: 12 -> 15"
    assert message.html == "<p>Seats: <b>12</b> &rarr; <b>15</b></p>"
    assert message.custom_args == {"customer_id": "C0123", "change_id": "chg-42"}
    assert message.categories == ("licence-change",)
    assert message.headers == {"X-Entity-Ref-ID": "chg-42"}
    assert message.warnings == ()

    [envelope] = message.personalizations
    assert envelope.to == (Address("owner@customer.example", "Ada Owner"),)
    assert envelope.cc == (Address("finance@customer.example"),)
    assert envelope.bcc == (Address("audit@reseller.example"),)
    assert envelope.subject == "Your Workspace licences changed"
    assert envelope.custom_args == {"customer_id": "C0123", "change_id": "chg-42"}
    assert message.recipients == (
        "owner@customer.example",
        "finance@customer.example",
        "audit@reseller.example",
    )

    [attachment] = message.attachments
    assert attachment.content == PDF
    assert attachment.filename == "invoice.pdf"
    assert attachment.type == "application/pdf"
    assert attachment.disposition == "attachment"

    # The raw body is what the client really sent, for anything not modelled above.
    assert message.raw["custom_args"] == {"customer_id": "C0123", "change_id": "chg-42"}
    assert standin.stats.snapshot() == {202: 1}


def test_personalizations_override_subject_and_merge_custom_args(
    standin: RunningStandIn, client: Any
) -> None:
    mail = Mail(
        from_email="licences@reseller.example",
        subject="Default subject",
        plain_text_content="Hello",
    )
    mail.add_custom_arg(CustomArg("source", "sync"))
    mail.add_custom_arg(CustomArg("customer_id", "global"))
    for index, email in enumerate(["a@one.example", "b@two.example"]):
        envelope = Personalization()
        envelope.add_to(To(email))
        envelope.add_custom_arg(CustomArg("customer_id", f"C{index}"))
        if index == 1:
            envelope.subject = "Own subject"
        mail.add_personalization(envelope)

    assert client.send(mail).status_code == 202

    [message] = standin.outbox
    # The helper prepends personalizations, so match by recipient rather than position.
    by_recipient = {p.to[0].email: p for p in message.personalizations}
    assert by_recipient["a@one.example"].subject == "Default subject"
    assert by_recipient["b@two.example"].subject == "Own subject"
    assert by_recipient["a@one.example"].custom_args == {"source": "sync", "customer_id": "C0"}
    assert by_recipient["b@two.example"].custom_args == {"source": "sync", "customer_id": "C1"}
    assert message.custom_args == {"source": "sync", "customer_id": "global"}
    assert standin.outbox.for_recipient("B@two.example") == [message]


def test_template_send_needs_neither_subject_nor_content(
    standin: RunningStandIn, client: Any
) -> None:
    mail = Mail(from_email="licences@reseller.example", to_emails="owner@customer.example")
    mail.template_id = "d-0123456789abcdef0123456789abcdef"
    mail.dynamic_template_data = {"seats": 15}

    assert client.send(mail).status_code == 202

    [message] = standin.outbox
    assert message.template_id == "d-0123456789abcdef0123456789abcdef"
    assert message.personalizations[0].dynamic_template_data == {"seats": 15}
    assert message.content == {}


def test_inline_attachment_keeps_its_content_id(standin: RunningStandIn, client: Any) -> None:
    logo = b"\x89PNG\r\n\x1a\nlogo"
    mail = Mail(
        from_email="licences@reseller.example",
        to_emails="owner@customer.example",
        subject="Logo",
        html_content='<img src="cid:logo">',
    )
    mail.add_attachment(
        Attachment(
            FileContent(base64.b64encode(logo).decode()),
            FileName("logo.png"),
            FileType("image/png"),
            Disposition("inline"),
            ContentId("logo"),
        )
    )
    client.send(mail)

    [attachment] = standin.outbox[0].attachments
    assert (attachment.content, attachment.disposition, attachment.content_id) == (
        logo,
        "inline",
        "logo",
    )


def test_sandbox_mode_answers_200_and_sends_nothing(standin: RunningStandIn, client: Any) -> None:
    body = minimal_body(mail_settings={"sandbox_mode": {"enable": True}})

    response = client.send(body)

    assert response.status_code == 200
    assert response.body == b""
    assert len(standin.outbox) == 0


def test_comma_in_recipient_name_is_accepted_with_a_warning(
    standin: RunningStandIn, client: Any
) -> None:
    # SendGrid answers 202 and drops the recipient later; the outbox says so.
    body = minimal_body(
        personalizations=[{"to": [{"email": "owner@customer.example", "name": "Owner, Ada"}]}]
    )

    assert client.send(body).status_code == 202

    [warning] = standin.outbox[0].warnings
    assert "personalizations.0.to.0.name" in warning


def test_control_outbox_lists_and_clears(
    standin: RunningStandIn, client: Any, control: SendGridStandInControl
) -> None:
    client.send(_full_mail())

    [entry] = control.wait_for_outbox(1)
    assert entry["from"] == {"email": "licences@reseller.example", "name": "Licence Manager"}
    assert entry["content"]["text/plain"] == "Seats: 12 -> 15"
    assert entry["personalizations"][0]["bcc"] == [
        {"email": "audit@reseller.example", "name": None}
    ]
    [attachment] = entry["attachments"]
    assert base64.b64decode(attachment["content_base64"]) == PDF
    assert attachment["size"] == len(PDF)
    assert datetime.fromisoformat(entry["received_at"]).tzinfo is not None

    assert control.clear_outbox() == 1
    assert control.outbox() == []
    assert len(standin.outbox) == 0

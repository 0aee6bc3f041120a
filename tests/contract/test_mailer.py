"""One contract, two mailers: the recording fake and the real SendGrid adapter (the official
client against the local stand-in, which speaks SendGrid's v3 wire format) must hand over the
same email. Then how the real one fails, which SendNotification's retries are built on."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from licence_manager.adapters.sendgrid_mailer import RecipientsRejected, SendGridMailer
from licence_manager.domain.email_address import AddressesRefused
from licence_manager.ports import (
    Attachment,
    Email,
    MailDeferred,
    Mailer,
    MailInDoubt,
    MailRejected,
)
from licence_manager_local.sendgrid_standin import (
    RunningStandIn,
    SentMessage,
    start_sendgrid_standin,
)
from tests.fakes.memory_automation import RecordingMailer
from tests.fakes.unit_of_work import MemoryUnitOfWork

SENDER = "licences@reseller.example"
TIMEOUT = 5.0  # generous: only the timeout test wants a short one
EMAIL = Email(
    to=("admin@acme.example", "ops@acme.example"),
    subject="Low licences: Business Standard at acme.example",
    text="1 seat vacant of 10.",
    html="<p>1 seat vacant of 10.</p>",
    reference="C01_1010020028-low-1",
    attachments=(Attachment("usage.csv", b"day,assigned\n2026-11-02,9\n", "text/csv"),),
)

# A mailer, and a way to read back what it handed over, as Emails.
MailerAndSent = tuple[Mailer, Callable[[], list[Email]]]


def as_email(message: SentMessage) -> Email:
    """What the stand-in received, read back into the port's terms."""
    return Email(
        to=tuple(sorted(message.recipients)),
        subject=message.subject or "",
        text=message.text or "",
        html=message.html or "",
        reference=message.custom_args["notificationId"],
        attachments=tuple(
            Attachment(a.filename, a.content, a.type or "") for a in message.attachments
        ),
    )


@pytest.fixture
def standin() -> Iterator[RunningStandIn]:
    with start_sendgrid_standin() as running:
        yield running


@pytest.fixture
def sendgrid(standin: RunningStandIn) -> SendGridMailer:
    return SendGridMailer(standin.api_key, SENDER, host=standin.url, timeout=TIMEOUT)


@pytest.fixture(params=["recording", "sendgrid-standin"])
def mailer_and_sent(request: pytest.FixtureRequest) -> MailerAndSent:
    if request.param == "recording":
        recording = RecordingMailer()
        return recording, lambda: list(recording.sent)
    standin: RunningStandIn = request.getfixturevalue("standin")
    mailer = request.getfixturevalue("sendgrid")
    return mailer, lambda: [as_email(m) for m in standin.outbox]


# the shared contract


def test_a_sent_email_arrives_whole(mailer_and_sent: MailerAndSent) -> None:
    mailer, sent = mailer_and_sent
    mailer.send(EMAIL)
    assert sent() == [EMAIL]


def test_each_send_returns_its_own_message_id(mailer_and_sent: MailerAndSent) -> None:
    mailer, sent = mailer_and_sent
    first = mailer.send(EMAIL)
    second = mailer.send(EMAIL)
    assert first and second and first != second
    assert len(sent()) == 2


@pytest.mark.parametrize(
    "mailer_and_sent",
    [
        "recording",
        "sendgrid-standin",
    ],
    indirect=True,
)
def test_an_address_sendgrid_refuses_is_named_and_nothing_is_sent(
    mailer_and_sent: MailerAndSent,
) -> None:
    mailer, sent = mailer_and_sent
    email = Email(("admin@acme.example", "it@acme..example"), "s", "t", "<p>h</p>", "n1")

    with pytest.raises(MailRejected) as raised:
        mailer.send(email)

    assert isinstance(raised.value, AddressesRefused)
    assert raised.value.addresses == ("it@acme..example",)
    assert sent() == []


# the real adapter only


@pytest.mark.parametrize(
    ("to", "refused"),
    [
        (("it@acme..example", "admin@acme.example"), ("it@acme..example",)),
        (
            ("a@acme.example", ".it@acme.example", "b@acme.example", "it@-acme.example"),
            (".it@acme.example", "it@-acme.example"),
        ),
        (("it@acme_corp.example",), ("it@acme_corp.example",)),
    ],
)
def test_sendgrids_400_is_read_back_into_the_addresses_it_names(
    standin: RunningStandIn, sendgrid: SendGridMailer, to: tuple[str, ...], refused: tuple[str, ...]
) -> None:
    """SendGrid names a bad address by its place in the request ("personalizations.1.to.0.email"),
    not by the address: the adapter maps each place back to the address it sent there."""
    with pytest.raises(RecipientsRejected) as raised:
        sendgrid.send(Email(to, "s", "t", "<p>h</p>", reference="n1"))

    assert sorted(raised.value.addresses) == sorted(refused)
    assert "400" in str(raised.value)
    assert len(standin.outbox) == 0


def test_a_400_about_something_other_than_an_address_names_none(
    standin: RunningStandIn, sendgrid: SendGridMailer
) -> None:
    standin.faults.fail_next(400)

    with pytest.raises(MailRejected) as raised:
        sendgrid.send(EMAIL)

    assert not isinstance(raised.value, AddressesRefused)


def test_the_delivery_service_sends_to_the_good_addresses_through_sendgrid(
    standin: RunningStandIn, sendgrid: SendGridMailer
) -> None:
    """End to end through the real client and the stand-in: the bad address does not stop the
    email reaching the others, and the notification names it."""
    from datetime import UTC, datetime

    from licence_manager.domain.model import LicenceKey
    from licence_manager.domain.notifications import (
        DeliveryStatus,
        Notification,
        NotificationType,
        Recipient,
    )
    from licence_manager.services.alerts import SendNotification
    from tests.fakes.memory_automation import InMemoryStore

    store = InMemoryStore()
    key = LicenceKey("C01", "1010020028")
    for address in ("admin@acme.example", "it@acme..example"):
        store.save_recipient(Recipient("C01", address))
    store.notification_records["n1"] = Notification(
        "n1", key, NotificationType.LOW_LICENCES, datetime.now(UTC), {"skuName": "Standard"}
    )

    delivered = SendNotification(
        store, MemoryUnitOfWork(store), sendgrid, "", sleep=lambda _s: None
    )("n1")

    assert delivered is not None and delivered.status is DeliveryStatus.SENT
    assert delivered.refused_recipients == ("it@acme..example",)
    (message,) = standin.outbox
    assert message.recipients == ("admin@acme.example",)


def test_the_message_id_is_sendgrids_and_the_sender_is_ours(
    standin: RunningStandIn, sendgrid: SendGridMailer
) -> None:
    message_id = sendgrid.send(EMAIL)

    (message,) = standin.outbox
    assert message_id == message.message_id
    assert message.from_.email == SENDER
    assert message.warnings == ()
    # one envelope per recipient: nobody sees the others' addresses
    assert sorted(p.recipients for p in message.personalizations) == [
        (r,) for r in sorted(EMAIL.to)
    ]


def test_a_429_is_deferred_until_the_announced_reset(
    standin: RunningStandIn, sendgrid: SendGridMailer
) -> None:
    standin.faults.fail_next(429, reset_in_seconds=20)

    with pytest.raises(MailDeferred) as raised:
        sendgrid.send(EMAIL)

    wait = raised.value.retry_after_seconds
    assert wait is not None and 18 <= wait <= 21  # the header is whole seconds, rounded up
    assert len(standin.outbox) == 0


def test_a_real_rate_limit_is_deferred_until_its_window_ends(
    standin: RunningStandIn, sendgrid: SendGridMailer
) -> None:
    standin.rate_limit.configure(1, window_seconds=30)
    sendgrid.send(EMAIL)

    with pytest.raises(MailDeferred) as raised:
        sendgrid.send(EMAIL)

    wait = raised.value.retry_after_seconds
    assert wait is not None and 27 <= wait <= 31
    assert len(standin.outbox) == 1


@pytest.mark.parametrize("code", [500, 502, 503])
def test_a_server_error_is_deferred(
    standin: RunningStandIn, sendgrid: SendGridMailer, code: int
) -> None:
    standin.faults.fail_next(code)

    with pytest.raises(MailDeferred) as raised:
        sendgrid.send(EMAIL)

    assert raised.value.retry_after_seconds is None
    assert str(code) in str(raised.value)
    assert len(standin.outbox) == 0


@pytest.mark.parametrize("code", [400, 401, 403, 413])
def test_a_refusal_is_rejected_for_good(
    standin: RunningStandIn, sendgrid: SendGridMailer, code: int
) -> None:
    standin.faults.fail_next(code)

    with pytest.raises(MailRejected, match=str(code)):
        sendgrid.send(EMAIL)

    assert len(standin.outbox) == 0


def test_a_wrong_api_key_is_rejected(standin: RunningStandIn) -> None:
    mailer = SendGridMailer("SG.not-the-key", SENDER, host=standin.url, timeout=TIMEOUT)

    with pytest.raises(MailRejected, match="401"):
        mailer.send(EMAIL)


def test_an_address_sendgrid_refuses_is_rejected(sendgrid: SendGridMailer) -> None:
    with pytest.raises(MailRejected, match="400"):
        sendgrid.send(Email(("admin@acme",), "s", "t", "<p>h</p>", reference="n1"))


def test_a_gateway_timeout_is_in_doubt(standin: RunningStandIn, sendgrid: SendGridMailer) -> None:
    standin.faults.fail_next(504)

    with pytest.raises(MailInDoubt, match="504"):
        sendgrid.send(EMAIL)


def test_an_answer_later_than_the_timeout_is_in_doubt_because_the_email_went_out(
    standin: RunningStandIn,
) -> None:
    """A timeout does not mean nothing was sent: retrying could send the email twice."""
    impatient = SendGridMailer(standin.api_key, SENDER, host=standin.url, timeout=0.5)
    standin.faults.hang_next(3.0)

    with pytest.raises(MailInDoubt):
        impatient.send(EMAIL)

    assert [as_email(m) for m in standin.outbox] == [EMAIL]


@pytest.mark.parametrize("address", ["helpdesk", "x@@y.example"])
def test_an_address_the_client_cannot_parse_is_rejected_before_sending(
    standin: RunningStandIn, sendgrid: SendGridMailer, address: str
) -> None:
    with pytest.raises(MailRejected, match="could not be built"):
        sendgrid.send(Email((address,), "s", "t", "<p>h</p>", reference="n1"))
    assert len(standin.outbox) == 0


def test_a_slow_sendgrid_answer_leaves_one_email_and_an_unconfirmed_notification(
    standin: RunningStandIn,
) -> None:
    """The delivery service does not retry an email that may have gone out."""
    from datetime import UTC, datetime

    from licence_manager.domain.model import LicenceKey
    from licence_manager.domain.notifications import (
        DeliveryStatus,
        Notification,
        NotificationType,
        Recipient,
    )
    from licence_manager.services.alerts import SendNotification
    from tests.fakes.memory_automation import InMemoryStore

    store = InMemoryStore()
    key = LicenceKey("C01", "1010020028")
    store.save_recipient(Recipient("C01", "admin@acme.example"))
    store.notification_records["n1"] = Notification(
        "n1", key, NotificationType.LOW_LICENCES, datetime.now(UTC), {"skuName": "Standard"}
    )
    impatient = SendGridMailer(standin.api_key, SENDER, host=standin.url, timeout=0.5)
    standin.faults.hang_next(2.0)

    delivered = SendNotification(
        store, MemoryUnitOfWork(store), impatient, "", sleep=lambda _s: None
    )("n1")

    assert delivered is not None and delivered.status is DeliveryStatus.UNCONFIRMED
    assert len(standin.outbox.wait_for(1)) == 1


def test_an_unreachable_sendgrid_is_deferred(standin: RunningStandIn) -> None:
    url = standin.url
    standin.stop()
    mailer = SendGridMailer(standin.api_key, SENDER, host=url, timeout=TIMEOUT)

    with pytest.raises(MailDeferred):
        mailer.send(EMAIL)

"""The channel sender port, against the fake and against the real sender posting to the Chat,
Slack and webhook stand-ins: what counts as posted, deferred (429: nothing posted), in doubt
(5xx after posting, no answer in time) or refused."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Protocol

import pytest

from licence_manager.adapters.webhook_sender import WebhookSender
from licence_manager.domain.channel_messages import build_message
from licence_manager.domain.channels import Channel, ChannelKind
from licence_manager.domain.model import LicenceKey
from licence_manager.domain.notifications import Notification, NotificationType
from licence_manager.domain.webhook_signature import new_secret
from licence_manager.ports.channels import ChannelSender, PostDeferred, PostInDoubt, PostRejected
from licence_manager_local.channel_standins import start_channel_standin
from licence_manager_local.channel_standins.runner import RunningChannelStandIn
from tests.builders import T0
from tests.fakes.channels import ScriptedSender

NOTE = Notification("n1", LicenceKey("C01", "1010020028"), NotificationType.LOW_LICENCES, T0, {})


class Faults(Protocol):
    def posted(self) -> int: ...
    def refuse_429(self, seconds: float) -> None: ...
    def fail_after_post(self) -> None: ...
    def reject(self) -> None: ...


@dataclass
class Subject:
    sender: ChannelSender
    channel: Channel
    faults: Faults


class StandInFaults:
    def __init__(self, standin: RunningChannelStandIn) -> None:
        self._standin = standin

    def posted(self) -> int:
        return len(self._standin.outbox.snapshot())

    def refuse_429(self, seconds: float) -> None:
        self._standin.app.refuse_next(429, retry_after=seconds)

    def fail_after_post(self) -> None:
        self._standin.app.fail_after_post(500)

    def reject(self) -> None:
        self._standin.app.refuse_next(404)


class FakeFaults:
    def __init__(self, sender: ScriptedSender) -> None:
        self._sender = sender

    def posted(self) -> int:
        return len(self._sender.posted)

    def refuse_429(self, seconds: float) -> None:
        self._sender.script.append(f"429:{seconds:g}")

    def fail_after_post(self) -> None:
        self._sender.script.append("5xx")

    def reject(self) -> None:
        self._sender.script.append("reject")


@pytest.fixture(scope="module")
def standin() -> Iterator[RunningChannelStandIn]:
    with start_channel_standin() as running:
        yield running


SECRET = new_secret()


@pytest.fixture(params=["fake", "google_chat", "slack", "webhook"])
def subject(request: pytest.FixtureRequest, standin: RunningChannelStandIn) -> Subject:
    standin.app.reset()
    if request.param == "fake":
        fake = ScriptedSender()
        channel = Channel("C01", "c", ChannelKind.SLACK, "x", "https://hooks.slack.com/services/a")
        return Subject(fake, channel, FakeFaults(fake))
    kind = ChannelKind(request.param)
    url = {
        ChannelKind.GOOGLE_CHAT: standin.chat_url("SPACE1"),
        ChannelKind.SLACK: standin.slack_url(),
        ChannelKind.WEBHOOK: standin.webhook_url("r1"),
    }[kind]
    standin.app.set_secret("r1", SECRET)
    channel = Channel("C01", "c", kind, "x", url, signing_secret=SECRET)
    return Subject(WebhookSender(timeout=2.0), channel, StandInFaults(standin))


def _post(subject: Subject) -> None:
    message = build_message(subject.channel.kind, [NOTE], "")
    subject.sender.post(subject.channel, message.body, message.thread_key)


def test_a_post_arrives_once(subject: Subject) -> None:
    _post(subject)
    assert subject.faults.posted() == 1


def test_a_429_posts_nothing_and_says_when_to_come_back(subject: Subject) -> None:
    subject.faults.refuse_429(3)
    with pytest.raises(PostDeferred) as raised:
        _post(subject)
    assert raised.value.retry_after_seconds == 3
    assert subject.faults.posted() == 0


def test_a_5xx_after_posting_is_in_doubt(subject: Subject) -> None:
    subject.faults.fail_after_post()
    with pytest.raises(PostInDoubt):
        _post(subject)
    assert subject.faults.posted() == 1  # it did arrive: the sender cannot know


def test_a_refusal_is_for_good(subject: Subject) -> None:
    subject.faults.reject()
    with pytest.raises(PostRejected):
        _post(subject)
    assert subject.faults.posted() == 0


def test_no_answer_in_time_is_in_doubt(standin: RunningChannelStandIn) -> None:
    standin.app.reset()
    standin.app.hang_next(1.5)
    channel = Channel("C01", "c", ChannelKind.SLACK, "x", standin.slack_url())
    with pytest.raises(PostInDoubt):
        WebhookSender(timeout=0.3).post(channel, b'{"text":"hi"}')
    assert len(standin.outbox.snapshot()) == 1


def test_chat_posts_carry_the_thread_key_and_reply_option(standin: RunningChannelStandIn) -> None:
    standin.app.reset()
    channel = Channel("C01", "c", ChannelKind.GOOGLE_CHAT, "x", standin.chat_url("S"))
    message = build_message(ChannelKind.GOOGLE_CHAT, [NOTE], "")
    WebhookSender().post(channel, message.body, message.thread_key)
    (posted,) = standin.outbox.snapshot()
    assert posted.kind == "google_chat" and posted.thread_key == "licence-manager-C01-1010020028"


def test_the_url_never_reaches_the_logs(
    standin: RunningChannelStandIn, caplog: pytest.LogCaptureFixture
) -> None:
    """The URL's key and token are the channel's secret: not in any log record or error."""
    standin.app.reset()
    url = (
        standin.chat_url("SECRETSPACE")
        .replace("local-key", "KEYk3y")
        .replace("local-token", "TOKt0k")
    )
    channel = Channel("C01", "c", ChannelKind.GOOGLE_CHAT, "x", url)
    sender = WebhookSender(timeout=0.3)
    texts: list[str] = []
    with caplog.at_level(logging.DEBUG):
        logging.getLogger().setLevel(logging.DEBUG)
        sender.post(channel, b'{"text":"hi"}')
        for fault in (
            lambda: standin.app.fail_after_post(503),
            lambda: standin.app.refuse_next(404),
        ):
            fault()
            try:
                sender.post(channel, b'{"text":"hi"}')
            except (PostInDoubt, PostRejected) as error:
                texts.append(repr(error) + str(error))
        dead = Channel("C01", "c", ChannelKind.SLACK, "x", "http://127.0.0.1:1/services/TOKt0k")
        with pytest.raises(PostDeferred) as refused:
            sender.post(dead, b'{"text":"hi"}')
        texts.append(str(refused.value))
    texts += [record.getMessage() + str(record.__dict__) for record in caplog.records]
    texts.append(repr(channel))
    for secret in ("KEYk3y", "TOKt0k", "SECRETSPACE"):
        assert not any(secret in text for text in texts), secret

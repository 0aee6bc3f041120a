"""Channel payloads, webhook signatures and the per-channel rate slots."""

from __future__ import annotations

import json

import pytest

from licence_manager.domain.channel_messages import MAX_TEXT_BYTES, build_message, thread_key
from licence_manager.domain.channels import (
    Channel,
    ChannelKind,
    channels_for,
    masked_url,
    url_problem,
)
from licence_manager.domain.model import LicenceKey
from licence_manager.domain.notifications import Notification, NotificationType
from licence_manager.domain.rate_slots import RateSlots
from licence_manager.domain.webhook_signature import sign, verify
from tests.builders import T0

CHAT_URL = "https://chat.googleapis.com/v1/spaces/AAAA/messages?key=KEYSECRET&token=TOKSECRET"


def low(
    notification_id: str = "n1", sku: str = "1010020028", domain: str = "acme.example"
) -> Notification:
    facts: dict[str, str | int | float | None] = {
        "skuName": "Business Standard",
        "customerDomain": domain,
        "assigned": 9,
        "total": 10,
        "vacant": 1,
    }
    return Notification(
        notification_id, LicenceKey("C01", sku), NotificationType.LOW_LICENCES, T0, facts
    )


def test_a_chat_message_threads_per_customer_and_sku() -> None:
    message = build_message(ChannelKind.GOOGLE_CHAT, [low()], "https://lm.example/")
    body = json.loads(message.body)
    assert body["thread"] == {"threadKey": "licence-manager-C01-1010020028"}
    assert message.thread_key == thread_key(low())
    assert "*Low licences: Business Standard for acme.example (1 vacant)*" in body["text"]
    assert "<https://lm.example/|Open Licence Manager>" in body["text"]


def test_a_chat_batch_over_several_skus_goes_to_the_customers_thread() -> None:
    message = build_message(ChannelKind.GOOGLE_CHAT, [low("n1"), low("n2", "1010020020")], "")
    assert json.loads(message.body)["thread"] == {"threadKey": "licence-manager-C01"}


def test_a_slack_message_has_fallback_text_and_one_mrkdwn_section() -> None:
    message = build_message(ChannelKind.SLACK, [low("n1"), low("n2", "1010020020")], "")
    body = json.loads(message.body)
    assert body["blocks"] == [{"type": "section", "text": {"type": "mrkdwn", "text": body["text"]}}]
    assert body["text"].count("*Low licences") == 2
    assert message.thread_key == "" and message.notification_ids == ("n1", "n2")


def test_markup_in_names_is_escaped_not_turned_into_links() -> None:
    body = json.loads(build_message(ChannelKind.SLACK, [low(domain="<!channel>&co")], "").body)
    assert "<!channel>" not in body["text"] and "&lt;!channel&gt;&amp;co" in body["text"]


def test_a_webhook_body_lists_each_notification() -> None:
    body = json.loads(build_message(ChannelKind.WEBHOOK, [low("n1"), low("n2")], "").body)
    assert body["type"] == "licence_manager.notifications" and body["customerId"] == "C01"
    assert [n["id"] for n in body["notifications"]] == ["n1", "n2"]
    assert body["notifications"][0]["type"] == "low_licences"


def test_a_huge_batch_is_cut_below_chats_limit() -> None:
    many = [low(f"n{i}") for i in range(400)]
    assert len(build_message(ChannelKind.GOOGLE_CHAT, many, "").body) < 32_000
    assert MAX_TEXT_BYTES < 32_000


def test_signatures_verify_only_the_signed_body_within_the_window() -> None:
    header = sign("s3cret", b'{"a":1}', 1_700_000_000)
    assert verify("s3cret", header, b'{"a":1}', 1_700_000_100)
    assert not verify("s3cret", header, b'{"a":2}', 1_700_000_100)  # body changed
    assert not verify("other", header, b'{"a":1}', 1_700_000_100)  # wrong secret
    assert not verify("s3cret", header, b'{"a":1}', 1_700_000_301)  # replayed too late
    assert not verify("s3cret", "v1=abc", b'{"a":1}', 1_700_000_000)  # no timestamp


def test_rate_slots_space_one_channels_posts_a_second_apart() -> None:
    slots = RateSlots(1.0)
    assert slots.reserve("chat-a", 100.0) == 0
    assert slots.reserve("chat-a", 100.2) == pytest.approx(0.8)
    assert slots.reserve("chat-b", 100.2) == 0  # another space is not held up
    slots.hold_off("chat-b", 105.0)  # a 429 said Retry-After 4.8 s
    assert slots.reserve("chat-b", 100.3) == pytest.approx(4.7)


def test_urls_are_checked_per_kind_and_shown_masked() -> None:
    assert url_problem(ChannelKind.GOOGLE_CHAT, CHAT_URL) is None
    assert url_problem(ChannelKind.SLACK, CHAT_URL) is not None
    assert url_problem(ChannelKind.WEBHOOK, "http://example.com/x") is not None
    assert url_problem(ChannelKind.WEBHOOK, "http://127.0.0.1:9/hooks/a", allow_local=True) is None
    shown = masked_url(CHAT_URL)
    assert "KEYSECRET" not in shown and "TOKSECRET" not in shown
    assert shown.startswith("https://chat.googleapis.com/")


def test_channels_follow_the_same_choices_as_email() -> None:
    chat = Channel("C01", "a", ChannelKind.GOOGLE_CHAT, "ops", CHAT_URL)
    quiet = Channel(
        "C01", "b", ChannelKind.SLACK, "x", "u", frozenset({NotificationType.MONTH_END_REPORT})
    )
    assert channels_for([chat, quiet], NotificationType.LOW_LICENCES) == [chat]
    # A held approval follows the "top-up failed" choice, as for email.
    assert channels_for([chat, quiet], NotificationType.APPROVAL_NEEDED) == [chat]
    assert "KEYSECRET" not in repr(chat)

"""Ports for alert channels: where they are kept (URLs encrypted) and how a message is posted."""

from __future__ import annotations

import abc
from dataclasses import dataclass
from datetime import datetime

from licence_manager.domain.channels import Channel


@dataclass(frozen=True, slots=True)
class ChangedBy:
    """A person's change from the dashboard: audited (domain.changes.channel_changed) in the
    customer's chain, in the same transaction as the change itself."""

    actor: str
    at: datetime


class ChannelStore(abc.ABC):
    """Channels with their URLs readable: only the sender and the api's masking see them."""

    @abc.abstractmethod
    def channels(self, customer_id: str) -> list[Channel]:
        """The customer's channels, by channel id."""

    @abc.abstractmethod
    def channel(self, customer_id: str, channel_id: str) -> Channel | None: ...

    @abc.abstractmethod
    def add_channel(self, channel: Channel, by: ChangedBy | None = None) -> bool:
        """False, adding nothing, if the id is taken. `by`: audit it (seeds pass none)."""

    @abc.abstractmethod
    def update_channel(self, channel: Channel, by: ChangedBy | None = None) -> bool:
        """Its name and choices (never the URL: a new URL is a new channel); False if absent."""

    @abc.abstractmethod
    def remove_channel(
        self, customer_id: str, channel_id: str, by: ChangedBy | None = None
    ) -> bool: ...


class PostRejected(Exception):
    """Refused for good (a 4xx other than 429: revoked hook, archived channel, bad payload)."""


class PostDeferred(Exception):
    """Not accepted, nothing posted: try later (429, or the endpoint unreachable)."""

    def __init__(self, message: str, retry_after_seconds: float | None = None) -> None:
        super().__init__(message)
        self.retry_after_seconds = retry_after_seconds


class PostInDoubt(Exception):
    """Sent, no clear answer (a timeout, a reset after sending, a 5xx): it may have been posted.
    Neither Slack nor a generic webhook has an idempotency key, so it is never re-sent."""


class ChannelSender(abc.ABC):
    @abc.abstractmethod
    def post(self, channel: Channel, body: bytes, thread_key: str = "") -> None:
        """Post the message body to the channel; raises PostRejected, PostDeferred or
        PostInDoubt. Errors never carry the URL."""

"""In-memory alert channels, bouncing addresses and a scripted channel sender (held honest by
tests/contract/test_channel_sender.py against the stand-ins through the real sender)."""

from __future__ import annotations

import threading
from collections import deque
from dataclasses import dataclass, replace
from datetime import datetime

from licence_manager.domain.channels import Channel
from licence_manager.ports.channels import (
    ChannelSender,
    ChannelStore,
    PostDeferred,
    PostInDoubt,
    PostRejected,
)
from licence_manager.ports.email_feedback import Bounce, BounceStore


class MemoryChannelStore(ChannelStore):
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.records: dict[str, Channel] = {}

    def channels(self, customer_id: str) -> list[Channel]:
        with self._lock:
            found = [c for c in self.records.values() if c.customer_id == customer_id]
        return sorted(found, key=lambda c: c.channel_id)

    def channel(self, customer_id: str, channel_id: str) -> Channel | None:
        with self._lock:
            return self.records.get(f"{customer_id}_{channel_id}")

    def add_channel(self, channel: Channel) -> bool:
        with self._lock:
            if channel.doc_id in self.records:
                return False
            self.records[channel.doc_id] = channel
            return True

    def update_channel(self, channel: Channel) -> bool:
        with self._lock:
            found = self.records.get(channel.doc_id)
            if found is None:
                return False
            self.records[channel.doc_id] = replace(found, name=channel.name, wants=channel.wants)
            return True

    def remove_channel(self, customer_id: str, channel_id: str) -> bool:
        with self._lock:
            return self.records.pop(f"{customer_id}_{channel_id}", None) is not None


@dataclass(frozen=True)
class Post:
    channel_id: str
    body: bytes
    thread_key: str


class ScriptedSender(ChannelSender):
    """Records every post; `script` answers the next posts in order: "429:<seconds>" (nothing
    posted), "5xx" (posted, then an error), "reject" (nothing posted), or "ok"."""

    def __init__(self, *script: str) -> None:
        self._lock = threading.Lock()
        self.script: deque[str] = deque(script)
        self.posted: list[Post] = []  # what reached the channel
        self.calls = 0

    def post(self, channel: Channel, body: bytes, thread_key: str = "") -> None:
        with self._lock:
            self.calls += 1
            step = self.script.popleft() if self.script else "ok"
            if step.startswith("429"):
                _, _, seconds = step.partition(":")
                raise PostDeferred("rate limited (429)", float(seconds) if seconds else None)
            if step == "reject":
                raise PostRejected("refused (404 no_service)")
            self.posted.append(Post(channel.channel_id, body, thread_key))
            if step == "5xx":
                raise PostInDoubt("answered 500; it may have been posted")


class MemoryBounceStore(BounceStore):
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.records: dict[tuple[str, str], Bounce] = {}

    def bouncing(self, customer_id: str) -> dict[str, Bounce]:
        with self._lock:
            return {e: b for (c, e), b in self.records.items() if c == customer_id}

    def record(self, bounce: Bounce) -> None:
        key = (bounce.customer_id, bounce.email.lower())
        with self._lock:
            found = self.records.get(key)
            if found is None or found.at < bounce.at:
                self.records[key] = bounce

    def delivered(self, customer_id: str, email: str, at: datetime) -> None:
        key = (customer_id, email.lower())
        with self._lock:
            found = self.records.get(key)
            if found is not None and found.at < at:
                del self.records[key]

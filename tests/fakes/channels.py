"""In-memory alert channels, bouncing addresses and a scripted channel sender (held honest by
tests/contract/test_channel_sender.py against the stand-ins through the real sender)."""

from __future__ import annotations

import threading
from collections import deque
from dataclasses import dataclass, replace
from datetime import datetime

from licence_manager.domain import changes
from licence_manager.domain.audit import AuditEntry
from licence_manager.domain.channels import Channel
from licence_manager.domain.model import GENESIS
from licence_manager.ports.channels import (
    ChangedBy,
    ChannelSender,
    ChannelStore,
    PostDeferred,
    PostInDoubt,
    PostRejected,
)
from licence_manager.ports.email_feedback import Bounce, BounceStore
from tests.fakes.memory_dashboard import InMemoryApiStore


class MemoryChannelStore(ChannelStore):
    """`audit`: the in-memory dashboard store whose customer chain the audited changes join
    (as the Firestore adapter writes into the same audit collections); None keeps them here."""

    def __init__(self, audit: InMemoryApiStore | None = None) -> None:
        self._lock = threading.Lock()
        self.records: dict[str, Channel] = {}
        self._audit_store = audit
        self.audited: list[AuditEntry] = []

    def _audit(self, by: ChangedBy | None, before: Channel | None, after: Channel | None) -> None:
        if by is None:
            return
        subject = after or before
        assert subject is not None
        key = changes.customer_key(subject.customer_id)
        if self._audit_store is None:
            head = self.audited[-1].head if self.audited else GENESIS
            self.audited.append(changes.channel_changed(head, by.at, by.actor, before, after))
            return
        with self._audit_store._lock:
            head = self._audit_store.heads.get(key, GENESIS)
            entry = changes.channel_changed(head, by.at, by.actor, before, after)
            self._audit_store._audit_one(key, entry)
        self.audited.append(entry)

    def channels(self, customer_id: str) -> list[Channel]:
        with self._lock:
            found = [c for c in self.records.values() if c.customer_id == customer_id]
        return sorted(found, key=lambda c: c.channel_id)

    def channel(self, customer_id: str, channel_id: str) -> Channel | None:
        with self._lock:
            return self.records.get(f"{customer_id}_{channel_id}")

    def add_channel(self, channel: Channel, by: ChangedBy | None = None) -> bool:
        with self._lock:
            if channel.doc_id in self.records:
                return False
            self.records[channel.doc_id] = channel
            self._audit(by, None, channel)
            return True

    def update_channel(self, channel: Channel, by: ChangedBy | None = None) -> bool:
        with self._lock:
            found = self.records.get(channel.doc_id)
            if found is None:
                return False
            after = replace(found, name=channel.name, wants=channel.wants)
            self.records[channel.doc_id] = after
            self._audit(by, found, after)
            return True

    def remove_channel(
        self, customer_id: str, channel_id: str, by: ChangedBy | None = None
    ) -> bool:
        with self._lock:
            found = self.records.pop(f"{customer_id}_{channel_id}", None)
            if found is None:
                return False
            self._audit(by, found, None)
            return True


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

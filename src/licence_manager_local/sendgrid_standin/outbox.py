"""What the stand-in "sent": one `SentMessage` per accepted request, kept in memory.

Entries are built only from bodies that passed validation, so the parsing here can
trust the shapes. Effective values are precomputed per personalization (subject and
custom_args after SendGrid's merge) because those are what recipients and the Event
Webhook would see, which is what tests usually want to assert on.
"""

from __future__ import annotations

import base64
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, overload

from .content import decode_attachment


@dataclass(frozen=True, slots=True)
class Address:
    email: str
    name: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {"email": self.email, "name": self.name}


@dataclass(frozen=True, slots=True)
class SentAttachment:
    filename: str
    content: bytes  # decoded from the request's base64
    type: str | None = None
    disposition: str = "attachment"
    content_id: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "filename": self.filename,
            "type": self.type,
            "disposition": self.disposition,
            "content_id": self.content_id,
            "size": len(self.content),
            "content_base64": base64.b64encode(self.content).decode("ascii"),
        }


@dataclass(frozen=True, slots=True)
class SentPersonalization:
    """One envelope. `subject`, `custom_args` and `send_at` are the effective values."""

    to: tuple[Address, ...]
    cc: tuple[Address, ...] = ()
    bcc: tuple[Address, ...] = ()
    subject: str | None = None  # its own subject, else the message subject
    custom_args: Mapping[str, str] = field(default_factory=dict)  # message's, overridden by its own
    headers: Mapping[str, str] = field(default_factory=dict)
    substitutions: Mapping[str, str] = field(default_factory=dict)
    dynamic_template_data: Mapping[str, Any] | None = None
    send_at: int | None = None
    from_: Address | None = None  # a per-envelope sender, when given

    @property
    def recipients(self) -> tuple[str, ...]:
        return tuple(a.email for a in (*self.to, *self.cc, *self.bcc))

    def to_json(self) -> dict[str, Any]:
        return {
            "to": [a.to_json() for a in self.to],
            "cc": [a.to_json() for a in self.cc],
            "bcc": [a.to_json() for a in self.bcc],
            "subject": self.subject,
            "custom_args": dict(self.custom_args),
            "headers": dict(self.headers),
            "substitutions": dict(self.substitutions),
            "dynamic_template_data": self.dynamic_template_data,
            "send_at": self.send_at,
            "from": self.from_.to_json() if self.from_ else None,
        }


@dataclass(frozen=True, slots=True)
class SentMessage:
    message_id: str  # the X-Message-Id the caller was given
    received_at: datetime  # UTC
    from_: Address
    personalizations: tuple[SentPersonalization, ...]
    subject: str | None = None  # message level; see SentPersonalization.subject
    content: Mapping[str, str] = field(default_factory=dict)  # MIME type -> value, in order
    custom_args: Mapping[str, str] = field(default_factory=dict)  # message level only
    categories: tuple[str, ...] = ()
    attachments: tuple[SentAttachment, ...] = ()
    headers: Mapping[str, str] = field(default_factory=dict)
    reply_to: Address | None = None
    template_id: str | None = None
    send_at: int | None = None
    warnings: tuple[str, ...] = ()  # accepted, but SendGrid would drop some of it later
    raw: Mapping[str, Any] = field(default_factory=dict)  # the request body as decoded

    @property
    def text(self) -> str | None:
        return self.content.get("text/plain")

    @property
    def html(self) -> str | None:
        return self.content.get("text/html")

    @property
    def recipients(self) -> tuple[str, ...]:
        """Every to, cc and bcc address over all personalizations, in request order."""
        return tuple(email for p in self.personalizations for email in p.recipients)

    def to_json(self) -> dict[str, Any]:
        return {
            "message_id": self.message_id,
            "received_at": self.received_at.isoformat(),
            "from": self.from_.to_json(),
            "reply_to": self.reply_to.to_json() if self.reply_to else None,
            "personalizations": [p.to_json() for p in self.personalizations],
            "subject": self.subject,
            "content": dict(self.content),
            "custom_args": dict(self.custom_args),
            "categories": list(self.categories),
            "attachments": [a.to_json() for a in self.attachments],
            "headers": dict(self.headers),
            "template_id": self.template_id,
            "send_at": self.send_at,
            "warnings": list(self.warnings),
            "raw": self.raw,
        }


def build_message(
    body: Mapping[str, Any],
    message_id: str,
    received_at: datetime,
    warnings: Sequence[str] = (),
) -> SentMessage:
    """Turn a validated request body into the outbox entry."""
    subject = body.get("subject")
    global_args: Mapping[str, str] = body.get("custom_args") or {}
    send_at = body.get("send_at")
    personalizations = tuple(
        SentPersonalization(
            to=_addresses(p.get("to")),
            cc=_addresses(p.get("cc")),
            bcc=_addresses(p.get("bcc")),
            subject=p.get("subject") or subject,
            custom_args={**global_args, **(p.get("custom_args") or {})},
            headers=dict(p.get("headers") or {}),
            substitutions=dict(p.get("substitutions") or {}),
            dynamic_template_data=p.get("dynamic_template_data"),
            send_at=p.get("send_at", send_at),
            from_=_address(p["from"]) if "from" in p else None,
        )
        for p in body["personalizations"]
    )
    attachments = tuple(
        SentAttachment(
            filename=a["filename"],
            content=decode_attachment(a["content"]),
            type=a.get("type"),
            disposition=a.get("disposition", "attachment"),
            content_id=a.get("content_id"),
        )
        for a in body.get("attachments") or []
    )
    return SentMessage(
        message_id=message_id,
        received_at=received_at,
        from_=_address(body["from"]),
        personalizations=personalizations,
        subject=subject,
        content={block["type"]: block["value"] for block in body.get("content") or []},
        custom_args=dict(global_args),
        categories=tuple(body.get("categories") or ()),
        attachments=attachments,
        headers=dict(body.get("headers") or {}),
        reply_to=_address(body["reply_to"]) if "reply_to" in body else None,
        template_id=body.get("template_id"),
        send_at=send_at,
        warnings=tuple(warnings),
        raw=body,
    )


def _address(value: Mapping[str, Any]) -> Address:
    return Address(value["email"], value.get("name"))


def _addresses(value: Any) -> tuple[Address, ...]:
    return tuple(_address(v) for v in value or ())


class Outbox(Sequence[SentMessage]):
    """Thread-safe, append-only (until cleared) list of accepted messages.

    Reads return snapshots, so a test can iterate while the server keeps accepting.
    """

    def __init__(self) -> None:
        self._messages: list[SentMessage] = []
        self._changed = threading.Condition()

    def append(self, message: SentMessage) -> None:
        with self._changed:
            self._messages.append(message)
            self._changed.notify_all()

    def snapshot(self) -> list[SentMessage]:
        with self._changed:
            return list(self._messages)

    def clear(self) -> int:
        with self._changed:
            cleared = len(self._messages)
            self._messages.clear()
            return cleared

    def wait_for(self, count: int, timeout: float = 5.0) -> list[SentMessage]:
        """Block until at least `count` messages are in; for code that sends asynchronously."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while len(self._messages) < count:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise TimeoutError(
                        f"outbox has {len(self._messages)} messages, wanted {count} "
                        f"within {timeout:g}s"
                    )
                self._changed.wait(remaining)
            return list(self._messages)

    def for_recipient(self, email: str) -> list[SentMessage]:
        """Messages naming `email` as to, cc or bcc (case-insensitive)."""
        wanted = email.lower()
        return [m for m in self.snapshot() if wanted in (r.lower() for r in m.recipients)]

    def __len__(self) -> int:
        with self._changed:
            return len(self._messages)

    @overload
    def __getitem__(self, index: int) -> SentMessage: ...

    @overload
    def __getitem__(self, index: slice) -> list[SentMessage]: ...

    def __getitem__(self, index: int | slice) -> SentMessage | list[SentMessage]:
        with self._changed:
            return self._messages[index]

    def __iter__(self) -> Iterator[SentMessage]:
        return iter(self.snapshot())

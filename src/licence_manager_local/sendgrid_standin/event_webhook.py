"""The stand-in's Event Webhook poster: after each accepted send (when `auto` is on), or on
demand from /_control/events, it posts signed events for a sent message's recipients to the
configured URL, custom args carried as SendGrid carries them. An address whose local part starts
with "bounce" bounces; every other one is delivered."""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from typing import Any

from .events import EventSigner, event, post_events
from .outbox import SentMessage

log = logging.getLogger(__name__)


@dataclass
class EventWebhookPoster:
    signer: EventSigner = field(default_factory=EventSigner)
    url: str | None = None
    auto: bool = False
    posted: list[dict[str, Any]] = field(default_factory=list)  # every event posted

    def state(self) -> dict[str, Any]:
        return {"url": self.url, "auto": self.auto, "publicKey": self.signer.public_key}

    def after_send(self, message: SentMessage) -> None:
        if self.auto and self.url:
            # SendGrid posts events seconds later, never inside the send's answer.
            threading.Thread(
                target=self._post_quietly, args=(message, None, None), daemon=True
            ).start()

    def post_for(
        self, message: SentMessage, kind: str | None, email: str | None
    ) -> list[dict[str, Any]]:
        """Post `kind` (or each address's natural outcome) for the message's recipients (or
        only `email`); returns the events posted."""
        if not self.url:
            raise ValueError("no event webhook URL is configured")
        events = [
            event(
                kind or ("bounce" if address.lower().startswith("bounce") else "delivered"),
                address,
                message.message_id,
                personalization.custom_args,
                reason="550 5.1.1 The email account does not exist (stand-in)"
                if (kind or "").startswith("bounce") or address.lower().startswith("bounce")
                else "",
            )
            for personalization in message.personalizations
            for address in personalization.recipients
            if email is None or address.lower() == email.lower()
        ]
        if events:
            post_events(self.url, self.signer, events)
            self.posted.extend(events)
        return events

    def _post_quietly(self, message: SentMessage, kind: str | None, email: str | None) -> None:
        try:
            self.post_for(message, kind, email)
        except Exception as error:
            log.warning("event webhook post failed: %s", error)

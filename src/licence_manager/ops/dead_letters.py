"""Dead letters: messages Pub/Sub gave up delivering after 5 attempts, kept on each route's
"<topic>-dead-letter-inspect" pull subscription (infra/terraform/pubsub.tf, topology.py).

Looking never consumes: a message pulled to be shown is handed back at once (ack deadline 0).
Re-driving publishes the message's body and attributes to the route's own topic, waits for
Pub/Sub to acknowledge that publish, and only then acknowledges the dead letter: a crash in
between leaves a copy on both, never on neither, and every consumer is idempotent (the
Firestore document is the truth; messages only carry ids)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TextIO

from licence_manager_local.topology import ROUTES, PushRoute

# Attributes Pub/Sub adds when it dead-letters a message: not the message's own.
_PUBSUB_ADDED = "CloudPubSubDeadLetter"
PULL_BATCH = 100
# How long one pull waits for messages: an empty subscription answers nothing until then.
PULL_WAIT_SECONDS = 3.0


class DeadLetterError(Exception):
    """Something an operator must act on; the message says what."""


@dataclass(frozen=True)
class Route:
    """One push route of a deployment, with its prefixed names."""

    route: PushRoute
    prefix: str

    @property
    def topic(self) -> str:
        return f"{self.prefix}-{self.route.topic}"

    @property
    def subscription(self) -> str:
        return f"{self.prefix}-{self.route.dead_letter_subscription}"


def routes(prefix: str) -> list[Route]:
    return [Route(r, prefix) for r in ROUTES]


def route_named(prefix: str, name: str) -> Route:
    """The route a --subscription names: its topic ("topup-requests"), prefixed topic, or the
    dead-letter subscription itself, with or without the prefix."""
    for candidate in routes(prefix):
        if name in {
            candidate.route.topic,
            candidate.topic,
            candidate.route.dead_letter_subscription,
            candidate.subscription,
        }:
            return candidate
    known = ", ".join(r.route.topic for r in routes(prefix))
    raise DeadLetterError(f"no route {name!r}; the routes are: {known}")


@dataclass(frozen=True)
class DeadLetter:
    ack_id: str
    message_id: str
    published: datetime | None
    attempts: int
    data: bytes
    attributes: dict[str, str]

    @property
    def body(self) -> str:
        try:
            return json.dumps(json.loads(self.data), sort_keys=True)
        except ValueError:
            return repr(self.data)

    @property
    def own_attributes(self) -> dict[str, str]:
        return {k: v for k, v in self.attributes.items() if not k.startswith(_PUBSUB_ADDED)}


def _dead_letter(received: Any) -> DeadLetter:
    message = received.message
    published = message.publish_time
    return DeadLetter(
        ack_id=received.ack_id,
        message_id=message.message_id,
        published=published if isinstance(published, datetime) else None,
        # Pub/Sub records how often it tried before giving up.
        attempts=int(message.attributes.get(f"{_PUBSUB_ADDED}SourceDeliveryCount", 0) or 0),
        data=bytes(message.data),
        attributes=dict(message.attributes),
    )


class DeadLetters:
    """The dead letters of one deployment, through google-cloud-pubsub's clients."""

    def __init__(self, project: str, subscriber: Any, publisher: Any) -> None:
        self._project = project
        self._subscriber = subscriber
        self._publisher = publisher

    def _path(self, route: Route) -> str:
        return str(self._subscriber.subscription_path(self._project, route.subscription))

    def pull(self, route: Route, limit: int) -> list[DeadLetter]:
        """Up to `limit` dead letters, held until released or acknowledged."""
        found: list[DeadLetter] = []
        seen: set[str] = set()
        from google.api_core.exceptions import DeadlineExceeded

        while len(found) < limit:
            try:
                response = self._subscriber.pull(
                    request={
                        "subscription": self._path(route),
                        "max_messages": min(PULL_BATCH, limit - len(found)),
                    },
                    timeout=PULL_WAIT_SECONDS,
                    retry=None,
                )
            except DeadlineExceeded:
                break  # nothing (more) to pull
            batch = [_dead_letter(r) for r in response.received_messages]
            fresh = [d for d in batch if d.message_id not in seen]
            if not fresh:
                break
            seen.update(d.message_id for d in fresh)
            found += fresh
        return found

    def release(self, route: Route, letters: Iterable[DeadLetter]) -> None:
        """Hand pulled messages back at once, untouched."""
        ack_ids = [d.ack_id for d in letters]
        if ack_ids:
            self._subscriber.modify_ack_deadline(
                request={
                    "subscription": self._path(route),
                    "ack_ids": ack_ids,
                    "ack_deadline_seconds": 0,
                }
            )

    def redrive(
        self, route: Route, letters: list[DeadLetter], progress: Callable[[int, DeadLetter], None]
    ) -> int:
        """Publish each to the route's topic, then acknowledge it; returns how many. A failed
        publish stops the run: that message and the rest stay dead letters."""
        topic = self._publisher.topic_path(self._project, route.topic)
        done = 0
        for letter in letters:
            self._publisher.publish(topic, letter.data, **letter.own_attributes).result(timeout=60)
            self._subscriber.acknowledge(
                request={"subscription": self._path(route), "ack_ids": [letter.ack_id]}
            )
            done += 1
            progress(done, letter)
        return done


def default_dead_letters(project: str) -> DeadLetters:
    from google.cloud import pubsub_v1  # type: ignore[attr-defined]

    return DeadLetters(project, pubsub_v1.SubscriberClient(), pubsub_v1.PublisherClient())


def show(letters: list[DeadLetter], out: TextIO) -> None:
    for letter in letters:
        when = f"{letter.published:%Y-%m-%d %H:%M:%S} UTC" if letter.published else "-"
        attempts = f", {letter.attempts} attempts" if letter.attempts else ""
        print(f"{letter.message_id}  published {when}{attempts}", file=out)
        print(f"  body: {letter.body}", file=out)
        if letter.own_attributes:
            print(f"  attributes: {json.dumps(letter.own_attributes, sort_keys=True)}", file=out)

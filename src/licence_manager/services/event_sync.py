"""A reseller event → a targeted sync of its one customer, coalesced (domain.relist_coalescing).

Duplicates and reordering cost nothing: the re-list reads Google's current figures and records
them through the scheduled sync's record step, which writes only what changed. A lost event is
caught by the next scheduled sync."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from licence_manager.domain.relist_coalescing import Arrival, Coalescing
from licence_manager.domain.reseller_events import ResellerEvent
from licence_manager.observability import get_logger
from licence_manager.ports.relists import RelistGate
from licence_manager.services.customer_sync import CustomerSyncReport

log = get_logger(__name__)
DEFAULT_RULE = Coalescing()


class EventOutcome(StrEnum):
    RELISTED = "RELISTED"  # this event's handler re-listed at once
    FOLLOWED_UP = "FOLLOWED_UP"  # waited out the window, then re-listed once for every event in it
    COALESCED = "COALESCED"  # a re-list owned by another handler covers it
    COVERED = "COVERED"  # published before a re-list started, which saw it
    OVERTAKEN = "OVERTAKEN"  # owned a follow-up, but a later re-list covered it
    IGNORED = "IGNORED"  # an event type Google has not documented


@dataclass(frozen=True, slots=True)
class EventHandled:
    outcome: EventOutcome
    report: CustomerSyncReport | None = None


class ReactToResellerEvent:
    def __init__(
        self,
        gate: RelistGate,
        sync_customer: Callable[[str], CustomerSyncReport],
        clock: Callable[[], datetime],
        rule: Coalescing = DEFAULT_RULE,
        sleep: Callable[[float], None] = time.sleep,
        new_token: Callable[[], str] = lambda: uuid.uuid4().hex,
    ) -> None:
        self._gate, self._sync = gate, sync_customer
        self._clock, self._rule, self._sleep = clock, rule, sleep
        self._new_token = new_token

    def __call__(self, event: ResellerEvent) -> EventHandled:
        if not event.known:
            # Every documented type names a customer whose subscriptions changed; an
            # undocumented one is logged for a person to read, and the scheduled sync goes on.
            log.warning(
                "reseller event of an unknown type ignored",
                extra={"customerId": event.customer_id, "eventType": event.event_type},
            )
            return EventHandled(EventOutcome.IGNORED)
        token, now = self._new_token(), self._clock()
        decided = self._gate.arrive(event.customer_id, now, token, self._rule, event.event_time)
        if decided.arrival is Arrival.COVERED:
            return EventHandled(EventOutcome.COVERED)
        if decided.arrival is Arrival.RELIST_NOW:
            return EventHandled(EventOutcome.RELISTED, self._relist(event.customer_id, now))
        if decided.arrival is Arrival.COALESCED or decided.due_at is None:
            return EventHandled(EventOutcome.COALESCED)
        wait = (decided.due_at - self._clock()).total_seconds()
        if wait > 0:
            self._sleep(wait)
        started = self._clock()
        if not self._gate.claim(event.customer_id, token, started):
            return EventHandled(EventOutcome.OVERTAKEN)
        return EventHandled(EventOutcome.FOLLOWED_UP, self._relist(event.customer_id, started))

    def _relist(self, customer_id: str, started_at: datetime) -> CustomerSyncReport:
        """Re-list; once it recorded what it read, events published before it started are
        covered. A failure propagates (the message is redelivered) and covers nothing."""
        report = self._sync(customer_id)
        self._gate.completed(customer_id, started_at)
        return report

"""Ports for automation: settings, seat-change requests and the seats themselves."""

from __future__ import annotations

import abc
from collections.abc import Callable
from datetime import datetime, timedelta

from licence_manager.domain.automation import AutomationState, Evaluation
from licence_manager.domain.model import AuditHead, Licence, LicenceKey, Subscription
from licence_manager.domain.outcomes import RequestContext, TopUpOutcome
from licence_manager.domain.settings import LicenceSettings
from licence_manager.domain.topup import Claim, RequestStatus, TopUpRequest

# Given the licence (None if unknown), its settings, automation state, audit head and the
# status of the request pending for it (if any), decide what to create.
EvaluationDecision = Callable[
    [Licence | None, LicenceSettings, AutomationState, AuditHead, RequestStatus | None],
    Evaluation | None,
]
OutcomeDecision = Callable[[RequestContext], TopUpOutcome | None]


class AutomationStore(abc.ABC):
    @abc.abstractmethod
    def settings(self, key: LicenceKey) -> LicenceSettings:
        """The licence's settings; the defaults (everything off) if never saved."""

    @abc.abstractmethod
    def save_settings(
        self, key: LicenceKey, settings: LicenceSettings, updated_by: str, at: datetime
    ) -> None:
        """Save, and lift any pause a failed top-up put on automation for this licence."""

    @abc.abstractmethod
    def evaluate(self, key: LicenceKey, decide: EvaluationDecision) -> Evaluation | None:
        """In one transaction: read, decide, then write the state, the new request, the new
        notifications and audit entries (create-only: a replay cannot duplicate them)."""

    @abc.abstractmethod
    def create_request(self, request: TopUpRequest) -> bool:
        """Create the request unless one with its id exists; True if created."""

    @abc.abstractmethod
    def request(self, request_id: str) -> TopUpRequest | None: ...

    @abc.abstractmethod
    def requests_of(self, key: LicenceKey) -> list[TopUpRequest]:
        """A licence's requests, oldest first."""

    @abc.abstractmethod
    def take_request(
        self, request_id: str, now: datetime, lease: timedelta
    ) -> tuple[Claim, TopUpRequest | None]:
        """Claim a request for one attempt (see domain.outcomes.take); None if unknown."""

    @abc.abstractmethod
    def mark_change_sent(self, request_id: str, at: datetime) -> None:
        """Record, before asking Google, that this request's change is about to be sent."""

    @abc.abstractmethod
    def release_request(self, request_id: str) -> None:
        """Give a claimed request back (PENDING) after a transient failure."""

    @abc.abstractmethod
    def finish_request(
        self, request_id: str, at: datetime, decide: OutcomeDecision
    ) -> TopUpOutcome | None:
        """In one transaction: read the request, licence, its day, automation state and audit
        head; write the outcome (request, licence, day, state, audit, notification)."""

    @abc.abstractmethod
    def automation_state(self, key: LicenceKey) -> AutomationState: ...


class SeatChanger(abc.ABC):
    """The Reseller API, as far as changing seats goes."""

    @abc.abstractmethod
    def current(self, customer_id: str, sku_id: str) -> Subscription | None:
        """A fresh read of the customer's subscription to the SKU (online only)."""

    @abc.abstractmethod
    def change_seats(self, subscription: Subscription, total: int) -> Subscription:
        """Set the total (the field the plan uses) on the subscription; raises SourceError."""

    @abc.abstractmethod
    def insert(
        self, customer_id: str, sku_id: str, plan_name: str, seats: int, reference: str
    ) -> Subscription:
        """Buy a SKU the customer does not have (subscriptions.insert) with `seats` seats on
        `plan_name` (a request plan name, e.g. ANNUAL_MONTHLY_PAY); `reference` travels as the
        purchase order id. Raises SourceError (409 when the customer already has the SKU)."""

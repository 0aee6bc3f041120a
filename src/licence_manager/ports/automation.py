"""Ports for automation: settings, seat-change requests and the seats themselves."""

from __future__ import annotations

import abc
from collections.abc import Sequence
from datetime import datetime

from licence_manager.domain.automation import AutomationState
from licence_manager.domain.model import LicenceKey, Subscription
from licence_manager.domain.settings import LicenceSettings
from licence_manager.domain.topup import TopUpRequest
from licence_manager.ports.unit_of_work import SavedSettings


class AutomationStore(abc.ABC):
    @abc.abstractmethod
    def settings(self, key: LicenceKey) -> LicenceSettings:
        """The licence's settings; the defaults (everything off) if never saved."""

    @abc.abstractmethod
    def saved_settings(self, key: LicenceKey) -> SavedSettings:
        """The settings with who saved them and when (their version): one document read."""

    @abc.abstractmethod
    def create_request(self, request: TopUpRequest) -> bool:
        """Create the request unless one with its id exists; True if created."""

    @abc.abstractmethod
    def request(self, request_id: str) -> TopUpRequest | None: ...

    @abc.abstractmethod
    def requests_of(self, key: LicenceKey) -> list[TopUpRequest]:
        """A licence's requests, oldest first."""

    @abc.abstractmethod
    def requests_in_progress(self, limit: int = 500) -> list[TopUpRequest]:
        """Requests cleared to buy and not final (PENDING or CLAIMED), oldest first: what the
        sweeper drives (not those AWAITING_APPROVAL)."""

    @abc.abstractmethod
    def requests_awaiting_approval(self, limit: int = 500) -> list[TopUpRequest]:
        """Requests above a spending limit waiting for reseller ops, oldest first."""

    @abc.abstractmethod
    def requests_of_customer_since(self, customer_id: str, since: datetime) -> list[TopUpRequest]:
        """A customer's requests (every SKU) made at or after `since`, oldest first: what this
        month's spending is estimated from."""

    @abc.abstractmethod
    def automation_state(self, key: LicenceKey) -> AutomationState: ...

    def settings_and_states(
        self, keys: Sequence[LicenceKey]
    ) -> dict[LicenceKey, tuple[LicenceSettings, AutomationState]]:
        """Each licence's settings and automation state, as `settings` and `automation_state`
        answer them; a store that can read many documents in one round trip does so."""
        return {key: (self.settings(key), self.automation_state(key)) for key in keys}


class SeatChanger(abc.ABC):
    """The Reseller API, as far as changing seats goes."""

    @abc.abstractmethod
    def current(self, customer_id: str, sku_id: str) -> Subscription | None:
        """A fresh read of the customer's subscription to the SKU (online only)."""

    @abc.abstractmethod
    def change_seats(
        self, subscription: Subscription, total: int, send_until: datetime | None = None
    ) -> Subscription:
        """Set the total (the field the plan uses) on the subscription; raises SourceError.
        No try starts that could still be running at `send_until` (the caller's lease ends
        soon after): the call gives up instead, saying whether an earlier try may have
        applied (SourceError.may_have_applied)."""

    @abc.abstractmethod
    def insert(
        self, customer_id: str, sku_id: str, plan_name: str, seats: int, reference: str
    ) -> Subscription:
        """Buy a SKU the customer does not have (subscriptions.insert) with `seats` seats on
        `plan_name` (a request plan name, e.g. ANNUAL_MONTHLY_PAY); `reference` travels as the
        purchase order id. Raises SourceError (409 when the customer already has the SKU)."""

    @abc.abstractmethod
    def change_renewal(
        self, subscription: Subscription, renewal_type: str, send_until: datetime | None = None
    ) -> Subscription:
        """subscriptions.changeRenewalSettings: what an annual plan does at the end of its
        term (an open string, domain.renewal). Google accepts it for annual plans only (400
        otherwise). Setting the type a subscription already has changes nothing, so a repeat
        is harmless. `send_until` and SourceError as for change_seats."""

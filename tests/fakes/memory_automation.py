"""In-memory fakes of the automation and messaging ports, sharing one lock and one set of
documents with the licence store fake, like one Firestore database."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime

from licence_manager.domain.anomaly import AnomalyPolicy
from licence_manager.domain.audit import AuditEntry
from licence_manager.domain.automation import AutomationState
from licence_manager.domain.buying import BuyingControl
from licence_manager.domain.channels import channels_unsettled
from licence_manager.domain.email_address import is_valid_email
from licence_manager.domain.holder_digest import HolderDigest
from licence_manager.domain.holders import HolderRecord
from licence_manager.domain.insights import LicenceInsights
from licence_manager.domain.model import AuditHead, LicenceKey, Subscription
from licence_manager.domain.notifications import (
    DeliveryStatus,
    Notification,
    Recipient,
)
from licence_manager.domain.saving_totals import SavingTotals
from licence_manager.domain.savings import Saving
from licence_manager.domain.settings import LicenceSettings
from licence_manager.domain.spending import SpendingLimit
from licence_manager.domain.topup import RequestStatus, TopUpRequest
from licence_manager.ports import (
    Email,
    Mailer,
    Publisher,
    SeatChanger,
    SourceError,
    Store,
)
from licence_manager.ports.messaging import RecipientsRejected
from licence_manager.ports.unit_of_work import SavedSettings
from tests.fakes.memory import InMemoryLicenceStore


class InMemoryStore(InMemoryLicenceStore, Store):
    def __init__(self) -> None:
        super().__init__()
        self.settings_records: dict[LicenceKey, LicenceSettings] = {}
        self.requests: dict[str, TopUpRequest] = {}
        self.notification_records: dict[str, Notification] = {}
        self.recipient_records: dict[str, Recipient] = {}
        # Who saved each licence's settings and when (Firestore keeps them in the document).
        self.settings_saved: dict[LicenceKey, tuple[str, datetime]] = {}
        self.controls: dict[str, BuyingControl] = {}
        self.buying_changes: dict[str, BuyingControl] = {}
        self.spending_limits: dict[str, SpendingLimit] = {}
        self.insights: dict[str, LicenceInsights] = {}  # licence_insights, by customer id
        # seat_holders by document id and holder_digests by customer id: what an unassign
        # checks and removes (the Reclaim page's fake reads the same holders).
        self.seat_holders: dict[str, HolderRecord] = {}
        self.holder_digests: dict[str, HolderDigest] = {}
        self.saving_records: dict[str, Saving] = {}  # savings, by saving id
        self.saving_totals_records: dict[str, SavingTotals] = {}  # saving_totals, by customer id
        self.anomaly_policies: dict[str, AnomalyPolicy] = {}  # by customer id

    # settings and evaluation
    def settings(self, key: LicenceKey) -> LicenceSettings:
        with self._lock:
            return self.settings_records.get(key, LicenceSettings())

    def saved_settings(self, key: LicenceKey) -> SavedSettings:
        with self._lock:
            if key not in self.settings_records:
                return SavedSettings(LicenceSettings())
            by, at = self.settings_saved.get(key, ("", None))
            return SavedSettings(self.settings_records[key], by, at)

    def automation_state(self, key: LicenceKey) -> AutomationState:
        with self._lock:
            return self.automation.get(key, AutomationState())

    def _append_audit(
        self, key: LicenceKey, entries: tuple[AuditEntry, ...], head: AuditHead | None
    ) -> None:
        if entries and head is not None:
            self.audit.setdefault(key, []).extend(entries)
            self.heads[key] = head

    # requests
    def create_request(self, request: TopUpRequest) -> bool:
        with self._lock:
            if request.request_id in self.requests:
                return False
            self.requests[request.request_id] = request
            return True

    def request(self, request_id: str) -> TopUpRequest | None:
        with self._lock:
            return self.requests.get(request_id)

    def requests_of(self, key: LicenceKey) -> list[TopUpRequest]:
        with self._lock:
            found = [r for r in self.requests.values() if r.key == key]
        return sorted(found, key=lambda r: (r.created_at, r.request_id))

    def requests_in_progress(self, limit: int = 500) -> list[TopUpRequest]:
        with self._lock:
            found = [r for r in self.requests.values() if r.status.in_progress]
        return sorted(found, key=lambda r: (r.created_at, r.request_id))[:limit]

    def requests_awaiting_approval(self, limit: int = 500) -> list[TopUpRequest]:
        with self._lock:
            found = [
                r for r in self.requests.values() if r.status is RequestStatus.AWAITING_APPROVAL
            ]
        return sorted(found, key=lambda r: (r.created_at, r.request_id))[:limit]

    def requests_of_customer_since(self, customer_id: str, since: datetime) -> list[TopUpRequest]:
        with self._lock:
            found = [
                r
                for r in self.requests.values()
                if r.key.customer_id == customer_id and r.created_at >= since
            ]
        return sorted(found, key=lambda r: (r.created_at, r.request_id))

    # notifications
    def notification(self, notification_id: str) -> Notification | None:
        with self._lock:
            return self.notification_records.get(notification_id)

    def notifications_of(self, customer_id: str) -> list[Notification]:
        with self._lock:
            found = [
                n for n in self.notification_records.values() if n.key.customer_id == customer_id
            ]
        return sorted(found, key=lambda n: (n.created_at, n.notification_id), reverse=True)

    def notifications_unsent(self, limit: int = 500) -> list[Notification]:
        unsent = (DeliveryStatus.PENDING, DeliveryStatus.CLAIMED, DeliveryStatus.SENDING)
        with self._lock:
            found = [n for n in self.notification_records.values() if n.status in unsent]
        return sorted(found, key=lambda n: (n.created_at, n.notification_id))[:limit]

    def notifications_channels_unsent(self, limit: int = 500) -> list[Notification]:
        with self._lock:
            found = [n for n in self.notification_records.values() if channels_unsettled(n)]
        return sorted(found, key=lambda n: (n.created_at, n.notification_id))[:limit]

    def recipients(self, customer_id: str) -> list[Recipient]:
        with self._lock:
            found = [r for r in self.recipient_records.values() if r.customer_id == customer_id]
        return sorted(found, key=lambda r: r.email)

    def save_recipient(self, recipient: Recipient) -> None:
        with self._lock:
            self.recipient_records[recipient.doc_id] = recipient

    def remove_recipient(self, customer_id: str, email: str) -> None:
        with self._lock:
            self.recipient_records.pop(Recipient(customer_id, email).doc_id, None)


class RecordingPublisher(Publisher):
    def __init__(self) -> None:
        self.top_ups: list[str] = []
        self.notifications: list[str] = []
        self.month_end_customers: list[tuple[str, str]] = []  # (customer id, month)
        self.month_end_pages: list[tuple[str, str]] = []  # (month, after)
        self.holder_sync_customers: list[str] = []
        self.holder_sync_pages: list[str] = []  # after
        self.audit_verify_customers: list[str] = []
        self.audit_verify_pages: list[str] = []  # after

    def publish_top_up(self, request_id: str) -> None:
        self.top_ups.append(request_id)

    def publish_notification(self, notification_id: str) -> None:
        self.notifications.append(notification_id)

    def publish_month_end_customers(self, month: str, customer_ids: Sequence[str]) -> None:
        self.month_end_customers += [(customer_id, month) for customer_id in customer_ids]

    def publish_month_end_page(self, month: str, after: str) -> None:
        self.month_end_pages.append((month, after))

    def publish_holder_sync_customers(self, customer_ids: Sequence[str]) -> None:
        self.holder_sync_customers += customer_ids

    def publish_holder_sync_page(self, after: str) -> None:
        self.holder_sync_pages.append(after)

    def publish_audit_verify_customers(self, customer_ids: Sequence[str]) -> None:
        self.audit_verify_customers += customer_ids

    def publish_audit_verify_page(self, after: str) -> None:
        self.audit_verify_pages.append(after)


class RecordingMailer(Mailer):
    """Records what it would send; refuses addresses SendGrid refuses, naming them, as SendGrid
    does (the mailer contract tests hold it to the real adapter)."""

    def __init__(self) -> None:
        self.sent: list[Email] = []

    def send(self, email: Email) -> str:
        refused = [address for address in email.to if not is_valid_email(address)]
        if refused:
            raise RecipientsRejected("the provider refused these recipients", refused)
        self.sent.append(email)
        return f"message-{len(self.sent)}"


class FakeSeatChanger(SeatChanger):
    """Subscriptions in memory with the Reseller API's seat rules that matter for top-ups."""

    def __init__(self, subscriptions: list[Subscription]) -> None:
        self.subscriptions = {s.key: s for s in subscriptions}
        self.changes: list[tuple[LicenceKey, int]] = []
        self.inserts: list[tuple[LicenceKey, int]] = []
        self.renewal_changes: list[tuple[LicenceKey, str]] = []
        self._ids = 0

    def current(self, customer_id: str, sku_id: str) -> Subscription | None:
        return self.subscriptions.get(LicenceKey(customer_id, sku_id))

    def change_seats(
        self, subscription: Subscription, total: int, send_until: datetime | None = None
    ) -> Subscription:
        current = self.subscriptions.get(subscription.key)
        if current is None or current.subscription_id != subscription.subscription_id:
            raise SourceError("subscription not found", status=404, reason="notFound")
        if current.status != "ACTIVE":
            raise SourceError("the subscription is not active", status=400, reason="invalid")
        if total < current.total_seats and current.plan.value == "ANNUAL":
            raise SourceError("annual seats cannot be reduced", status=400, reason="invalid")
        if total < current.licensed_number_of_seats:
            raise SourceError("fewer seats than assigned users", status=400, reason="invalid")
        self._ids += 1
        new_id = f"{current.subscription_id}+{self._ids}"
        if current.plan.value == "ANNUAL":
            changed = replace(current, subscription_id=new_id, number_of_seats=total)
        else:
            changed = replace(current, subscription_id=new_id, maximum_number_of_seats=total)
        self.subscriptions[subscription.key] = changed
        self.changes.append((subscription.key, total))
        return changed

    def change_renewal(
        self, subscription: Subscription, renewal_type: str, send_until: datetime | None = None
    ) -> Subscription:
        """changeRenewalSettings with the simulator's rules: annual plans only (400), an
        active subscription, a new subscription id as on every update."""
        current = self.subscriptions.get(subscription.key)
        if current is None or current.subscription_id != subscription.subscription_id:
            raise SourceError("subscription not found", status=404, reason="notFound")
        if current.plan.value != "ANNUAL":
            raise SourceError(
                "renewal settings apply to annual plans only", status=400, reason="invalid"
            )
        if current.status != "ACTIVE":
            raise SourceError("the subscription is not active", status=400, reason="invalid")
        if not renewal_type:
            raise SourceError("renewalType is required", status=400, reason="invalid")
        self._ids += 1
        changed = replace(
            current,
            subscription_id=f"{current.subscription_id}+{self._ids}",
            renewal_type=renewal_type,
        )
        self.subscriptions[subscription.key] = changed
        self.renewal_changes.append((subscription.key, renewal_type))
        return changed

    def insert(
        self, customer_id: str, sku_id: str, plan_name: str, seats: int, reference: str
    ) -> Subscription:
        """subscriptions.insert with the rules a purchase meets: a SKU Google sells, one
        subscription per SKU (409 otherwise), trials capped at 10 seats."""
        from licence_manager.domain.catalogue import PLANS, SKUS

        key = LicenceKey(customer_id, sku_id)
        if sku_id not in SKUS:
            raise SourceError(f"Invalid skuId: {sku_id}", status=400, reason="invalid")
        if plan_name not in PLANS:
            raise SourceError(f"Invalid planName: {plan_name}", status=400, reason="invalid")
        if plan_name == "TRIAL" and seats > 10:
            raise SourceError("a trial is limited to 10 seats", status=400, reason="invalid")
        if key in self.subscriptions:
            raise SourceError("the customer already has this SKU", status=409, reason="duplicate")
        domains = [
            s.customer_domain for s in self.subscriptions.values() if s.customer_id == customer_id
        ]
        domain = domains[0] if domains else f"{customer_id.lower()}.example"
        annual = plan_name.startswith("ANNUAL")
        self._ids += 1
        bought = Subscription(
            customer_id=customer_id,
            customer_domain=domain,
            sku_id=sku_id,
            sku_name=SKUS[sku_id].sku_name,
            plan_name="ANNUAL" if plan_name == "ANNUAL_MONTHLY_PAY" else plan_name,
            subscription_id=f"sub-{sku_id}+{self._ids}",
            status="ACTIVE",
            number_of_seats=seats if annual else None,
            maximum_number_of_seats=None if annual else seats,
            licensed_number_of_seats=0,
            purchase_order_id=reference[:80],
        )
        self.subscriptions[key] = bought
        self.inserts.append((key, seats))
        return bought

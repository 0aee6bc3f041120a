"""The API app on the in-memory store: two customers with licences, one user per role, and a
client that signs in through the local dev sign-in like the web app does."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from licence_manager.api.app import create_app
from licence_manager.domain.model import Customer
from licence_manager.domain.notifications import Notification, NotificationType, Recipient
from licence_manager.domain.observation import LicenceContext, RecordedChange, record_observation
from licence_manager.domain.users import Role, User
from licence_manager.services.additions import RequestAddition
from licence_manager.services.anomaly import ResumeTopUps
from licence_manager.services.approvals import DecideApproval
from licence_manager.services.email_events import RecordEmailEvents
from licence_manager.services.purchases import RequestPurchase
from licence_manager.services.renewal_requests import RequestRenewalChange
from licence_manager.services.resend import ResendNotification
from licence_manager.services.unassign_requests import RequestUnassign
from licence_manager_local.demo_prices import seed_demo_prices
from licence_manager_local.sendgrid_standin.events import EventSigner
from tests.builders import T0, subscription
from tests.fakes.channels import MemoryBounceStore, MemoryChannelStore
from tests.fakes.memory_automation import RecordingPublisher
from tests.fakes.memory_dashboard import InMemoryApiStore
from tests.fakes.unit_of_work import MemoryUnitOfWork, record

# Signs SendGrid Event Webhook batches the test api accepts (tests/api/test_email_events_api.py).
EVENT_SIGNER = EventSigner()
ACME, GLOBEX = "C01acme", "C02globex"
STANDARD, STARTER, PLUS = "1010020028", "1010020027", "1010020025"
ADMIN = "admin@acme.example"
OTHER_ADMIN = "admin@globex.example"
MANAGER = "manager@reseller.example"  # account manager of ACME only
OPS = "ops@reseller.example"
TZ = "Europe/London"
# A PUT of settings names every field (issue 10 item 13); these are the defaults, all off.
SETTINGS_OFF: dict[str, Any] = {
    "lowLicenceAlert": False,
    "alertVacantAtOrBelow": None,
    "alertUtilisationAtOrAbove": None,
    "autoTopUp": False,
    "topUpWhenVacantBelow": 1,
    "topUpTargetVacant": 1,
    "topUpMode": "restore",
    "topUpStep": 1,
    "maxTotalSeats": None,
    "maxSeatsPerMonth": None,
    "holdTopUpsWhenReclaimable": None,
}


def observe(store: InMemoryApiStore, **kwargs: Any) -> None:
    sub = subscription(**kwargs)

    def decide(context: LicenceContext) -> RecordedChange | None:
        return record_observation(context, sub, T0, TZ)

    record(store, sub.key, T0, TZ, decide)


def build_store() -> InMemoryApiStore:
    store = InMemoryApiStore()
    store.save_customer(Customer(ACME, "acme.example", "Acme Ltd", TZ))
    store.save_customer(Customer(GLOBEX, "globex.example", "Globex", TZ))
    observe(store, customer_id=ACME, domain="acme.example", sku_id=STANDARD, total=10, assigned=8)
    observe(
        store,
        customer_id=ACME,
        domain="acme.example",
        sku_id=STARTER,
        plan="ANNUAL_YEARLY_PAY",
        total=20,
        assigned=5,
        subscription_id="sub-2",
    )
    observe(store, customer_id=GLOBEX, domain="globex.example", sku_id=STANDARD, total=50)
    store.save_recipient(Recipient(ACME, "it@acme.example", "IT desk"))
    store.save_recipient(Recipient(GLOBEX, "it@globex.example", "Globex IT"))
    seed_demo_prices(store)
    for customer, sku in ((ACME, STANDARD), (GLOBEX, STANDARD)):
        key = next(lic.key for lic in store.licences_of(customer) if lic.key.sku_id == sku)
        store.notification_records[f"{key.doc_id}-low-1"] = Notification(
            f"{key.doc_id}-low-1",
            key,
            NotificationType.LOW_LICENCES,
            T0,
            {"skuName": "Standard"},
            recipients=(f"it@{customer}.example",),
        )
    store.save_user(User(ADMIN, "Alex", Role.CUSTOMER_ADMIN, frozenset({ACME})))
    store.save_user(User(OTHER_ADMIN, "Gus", Role.CUSTOMER_ADMIN, frozenset({GLOBEX})))
    store.save_user(User(MANAGER, "Morgan", Role.ACCOUNT_MANAGER, frozenset({ACME})))
    store.save_user(User(OPS, "Olu", Role.RESELLER_OPS))
    return store


@dataclass
class Api:
    app: Flask
    store: InMemoryApiStore
    publisher: RecordingPublisher
    tokens: dict[str, str] = field(default_factory=dict)

    def client(self) -> FlaskClient:
        return self.app.test_client()

    def token(self, email: str) -> str:
        if email not in self.tokens:
            response = self.client().post("/api/v1/session", json={"email": email})
            assert response.status_code == 201, response.get_json()
            self.tokens[email] = response.get_json()["token"]
        return self.tokens[email]

    def headers(self, email: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token(email)}"}

    def call(self, method: str, path: str, email: str | None = ADMIN, **kwargs: Any) -> Any:
        headers = self.headers(email) if email else {}
        return self.client().open(path, method=method, headers=headers, **kwargs)


def build_api(local_mode: bool = True, **kwargs: Any) -> Api:
    store = build_store()
    publisher = RecordingPublisher()
    kwargs.setdefault("reports", lambda: _reports(store))
    uow = MemoryUnitOfWork(store)
    # Alert channels and SendGrid's events (issue 14), in memory; a test may pass None instead.
    channels, bounces = MemoryChannelStore(audit=store), MemoryBounceStore()
    kwargs.setdefault("channels", lambda: channels)
    kwargs.setdefault("post_trial", lambda _channel: None)
    kwargs.setdefault("bounces", lambda: bounces)
    kwargs.setdefault("email_events", RecordEmailEvents(uow, bounces))
    kwargs.setdefault("sendgrid_event_public_key", EVENT_SIGNER.public_key)
    app = create_app(
        store,
        RequestAddition(store, publisher, uow),
        local_mode=local_mode,
        request_purchase=RequestPurchase(store, publisher, uow),
        unit_of_work=uow,
        decide_approval=DecideApproval(uow, publisher),
        resend_notification=ResendNotification(uow, publisher),
        request_renewal_change=RequestRenewalChange(uow, publisher),
        request_unassign=RequestUnassign(uow, publisher),
        resume_top_ups=ResumeTopUps(uow, publisher),
        **kwargs,
    )
    app.testing = True
    return Api(app, store, publisher)


def _reports(store: InMemoryApiStore) -> Any:
    """Issue 4's report service on the same in-memory store."""
    from licence_manager.services.reports import Reports
    from tests.fakes.memory_reports import InMemoryReports

    return Reports(InMemoryReports(store), store, prices=store)


@pytest.fixture
def api() -> Api:
    return build_api()

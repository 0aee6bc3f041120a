"""The whole top-up flow on the local stack, every part real: the Reseller simulator, Google's
Firestore and Pub/Sub emulators, the Eventarc stand-in, the four event functions under
functions-framework with Pub/Sub push, and the SendGrid stand-in.

Users grow past the threshold → exactly one top-up in the simulator, one low-licence email and
one confirmation email, and the audit trail — with a Reseller 503 on changeSeats and a SendGrid
429 thrown in on the way."""

from __future__ import annotations

import argparse
import json
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from licence_manager.adapters.firestore_unit_of_work import FirestoreUnitOfWork
from licence_manager.domain.audit import AuditAction, verify_chain
from licence_manager.domain.model import LicenceKey
from licence_manager.domain.settings import LicenceSettings
from licence_manager.domain.topup import RequestStatus
from licence_manager.services.settings import save_settings
from licence_manager_local import run
from licence_manager_local.emulators import free_port
from licence_manager_local.sendgrid_standin import SendGridStandInControl
from licence_manager_local.simulator import SimulatorControl
from tests.signin import http_bearer

pytestmark = [pytest.mark.slow, pytest.mark.emulator]


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[run.Endpoints]:
    local = run.Stack(tmp_path_factory.mktemp("local-run"))
    args = argparse.Namespace(
        sync_interval=0, drift_seconds=0, port=free_port(), demo_settings=False
    )
    try:
        yield run.start(local, args, threading.Event())
    finally:
        local.stop()


def eventually(check: Callable[[], Any], timeout: float = 60.0, what: str = "") -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = check()
        if result:
            return result
        time.sleep(0.3)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


def firestore_store(endpoints: run.Endpoints, monkeypatch: pytest.MonkeyPatch) -> Any:
    from google.cloud import firestore

    from licence_manager.adapters.firestore_automation import FirestoreStore

    monkeypatch.setenv("FIRESTORE_EMULATOR_HOST", endpoints.firestore_host)
    monkeypatch.setenv("PUBSUB_EMULATOR_HOST", endpoints.pubsub_host)
    return FirestoreStore(firestore.Client(project=run.PROJECT))


def licences(endpoints: run.Endpoints, customer_id: str) -> list[dict[str, Any]]:
    url = f"{endpoints.api}/api/v1/customers/{customer_id}/licences"
    request = urllib.request.Request(url, headers=http_bearer(endpoints.api))
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return json.load(response)  # type: ignore[no-any-return]
    except urllib.error.HTTPError as error:
        if error.code == 404:  # not synced yet
            return []
        raise


def test_users_growing_past_the_threshold_top_up_once_and_email_twice(
    stack: run.Endpoints, monkeypatch: pytest.MonkeyPatch
) -> None:
    simulator, sendgrid = SimulatorControl(stack.simulator), SendGridStandInControl(stack.sendgrid)
    store = firestore_store(stack, monkeypatch)
    flexible = next(
        s
        for s in simulator.snapshot()["subscriptions"]
        if s["planName"] == "FLEXIBLE"
        and s["status"] == "ACTIVE"
        and s["billingMethod"] == "ONLINE"
    )
    customer, sku, total = flexible["customerId"], flexible["skuId"], flexible["seats"]
    key = LicenceKey(customer, sku)
    simulator.set_users(customer, sku, total - 5)  # comfortably vacant to begin with
    run.trigger_sync()
    eventually(
        lambda: any(
            lic["skuId"] == sku and lic["vacant"] == 5 for lic in licences(stack, customer)
        ),
        what="the first sync",
    )
    save_settings(
        FirestoreUnitOfWork(store._db),
        key,
        LicenceSettings(
            low_licence_alert=True,
            alert_vacant_at_or_below=2,
            auto_top_up=True,
            top_up_when_vacant_below=2,
            top_up_target_vacant=4,
            max_total_seats=100,
        ),
        "test",
        datetime.now(UTC),
    )
    sendgrid.clear_outbox()
    simulator.reset_stats()
    simulator.fail_next(503, count=2, method="subscriptions.changeSeats")
    sendgrid.fail_next(429, count=1, reset_in_seconds=1)

    simulator.set_users(customer, sku, total - 1)  # 1 vacant: below 2
    run.trigger_sync()

    emails = eventually(
        lambda: len(sendgrid.outbox()) >= 2 and sendgrid.outbox(), timeout=90, what="two emails"
    )
    time.sleep(3)  # anything duplicated would arrive by now
    emails = sendgrid.outbox()
    subjects = sorted(e["subject"] for e in emails)
    assert len(emails) == 2, subjects
    domain = flexible["customerDomain"]
    assert subjects[0].startswith("3 licences added: ") and subjects[0].endswith(domain)
    assert subjects[1].startswith("Low licences: ") and subjects[1].endswith(f"{domain} (1 vacant)")
    contact = next(
        c["alternateEmail"]
        for c in simulator.snapshot()["customers"]
        if c["customerId"] == customer
    )
    for email in emails:
        (personalization,) = email["personalizations"]
        assert [to["email"] for to in personalization["to"]] == [contact.lower()]
        assert personalization["custom_args"]["notificationId"].startswith(key.doc_id)

    after = next(
        s
        for s in simulator.snapshot()["subscriptions"]
        if s["skuId"] == sku and s["customerId"] == customer
    )
    assert after["seats"] == total + 3  # 1 vacant → 4 vacant
    stats = simulator.stats()
    assert stats["subscriptions.changeSeats"] == 3  # two 503s, then the change, once

    (request,) = [r for r in store.requests_of(key)]
    assert request.status is RequestStatus.APPLIED
    entries = store.audit_entries(key)
    actions = [e.action for e in entries]
    assert actions[-3:] == [
        AuditAction.LOW_LICENCE_ALERT,
        AuditAction.TOP_UP_REQUESTED,
        AuditAction.TOP_UP_APPLIED,
    ]
    assert AuditAction.SEATS_CHANGED_OUTSIDE not in actions
    assert verify_chain(entries) == []

    run.trigger_sync()  # the sync that sees the new seats changes nothing and buys nothing
    time.sleep(4)
    assert simulator.stats()["subscriptions.changeSeats"] == 3
    assert len(sendgrid.outbox()) == 2
    assert eventually(
        lambda: [
            lic for lic in licences(stack, customer) if lic["skuId"] == sku and lic["vacant"] == 4
        ],
        what="4 vacant",
    )


def test_the_month_end_job_through_pub_sub_emails_once_with_the_csv(
    stack: run.Endpoints, monkeypatch: pytest.MonkeyPatch
) -> None:
    from licence_manager_local import topology, trigger

    store = firestore_store(stack, monkeypatch)
    sendgrid = SendGridStandInControl(stack.sendgrid)
    sendgrid.clear_outbox()
    customers = {c.customer_id for c in store.customers()}

    def month_end_emails() -> list[dict[str, Any]]:
        return [e for e in sendgrid.outbox() if e["subject"].startswith("Licence additions")]

    # This month has not ended on any customer's clock: nothing is closed or invoiced early.
    this_month = datetime.now(UTC).strftime("%Y-%m")
    trigger.publish(
        run.PROJECT, topology.MONTH_END_TOPIC, {"job": "month-end-report", "month": this_month}
    )
    time.sleep(4)
    assert month_end_emails() == []
    assert not list(store._db.collection("monthly_additions").stream())

    # Last month has: one email per customer with the CSV, once, however often the job runs.
    first = datetime.now(UTC).replace(day=1)
    month = (first - timedelta(days=1)).strftime("%Y-%m")
    body = {"job": "month-end-report", "month": month}
    trigger.publish(run.PROJECT, topology.MONTH_END_TOPIC, body)
    eventually(
        lambda: len(month_end_emails()) == len(customers),
        timeout=60,
        what="one month-end email per customer",
    )
    trigger.publish(run.PROJECT, topology.MONTH_END_TOPIC, body)  # a rerun
    time.sleep(4)
    assert len(month_end_emails()) == len(customers)  # still one each, not two
    docs = list(store._db.collection("monthly_additions").stream())
    assert sorted(d.id for d in docs) == sorted(f"{c}_{month}" for c in customers)
    assert all(e["attachments"] for e in month_end_emails())

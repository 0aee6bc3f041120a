"""Unassigning a reclaimable add-on seat end to end through the real client libraries: the
holder sync (google-api-python-client against the simulator's Licensing, Directory and Reports
routes) stores a suspended user's Vault seat in Firestore (emulator); the admin asks for the
unassign; apply_topup carries it out with licenseAssignments.get and delete against the
simulator, and records it in one Firestore transaction. Google then shows the seat gone and the
subscription's assigned seats one lower, and the next holder sync finds nothing to write: the
holder, its digest entry and its count were taken down together."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from licence_manager.adapters.firestore_holders import FirestoreHolders
from licence_manager.adapters.firestore_store import FirestoreLicenceStore
from licence_manager.adapters.firestore_unit_of_work import FirestoreUnitOfWork
from licence_manager.adapters.licence_assignments import (
    LicensingAssignments,
    build_licensing_service,
)
from licence_manager.adapters.retry import RetryPolicy
from licence_manager.adapters.workspace_users import WorkspaceUsers, build_workspace_services
from licence_manager.config import Settings
from licence_manager.domain.audit import AuditAction
from licence_manager.domain.model import Customer, Licence, LicenceKey, Usage
from licence_manager.domain.topup import RequestStatus
from licence_manager.services.holder_sync import SyncCustomerHolders
from licence_manager.services.topup import ApplyTopUp
from licence_manager.services.unassign_requests import RequestUnassign, SeatToUnassign
from licence_manager_local.simulator import SimulatorControl, World, start_simulator
from tests.fakes.memory_automation import RecordingPublisher
from tests.integration.conftest import RecordedSleeps, reseller_source

NOW = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)  # the simulator's clock stands still here
STARTER, VAULT = "1010020027", "Google-Vault"
BOB = "bob@acme.example"
ADMIN = "alex@acme.example"
CLIENT_KEY = "0d9e8f7a-unassign-integration"


def stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.000Z")


@pytest.fixture
def simulator() -> Iterator[tuple[SimulatorControl, str]]:
    world = World(seed=5, clock=lambda: int(NOW.timestamp() * 1000))
    with start_simulator(world, strict=True) as running:
        yield SimulatorControl(running.url), running.url


def test_an_unassign_lands_once_at_google_and_the_next_holder_sync_agrees(
    simulator: tuple[SimulatorControl, str], firestore_client: Any
) -> None:
    control, url = simulator
    customer_id = control.add_customer("acme.example", "Acme", customer_id="C0acme001")[
        "customerId"
    ]
    control.add_subscription(customer_id, STARTER, "FLEXIBLE", 10)
    control.add_subscription(customer_id, VAULT, "FLEXIBLE", 3)
    long_ago = stamp(NOW - timedelta(days=400))
    for email, more in [("ann@acme.example", {}), (BOB, {"suspended": True})]:
        control.add_user(
            customer_id,
            sku_id=STARTER,
            email=email,
            creation_time=long_ago,
            last_login=stamp(NOW - timedelta(days=2)),
            **more,
        )
        control.assign_licence(customer_id, VAULT, email)
    settings = Settings.from_env({"RESELLER_API_ENDPOINT": url})
    reseller = reseller_source(url, RecordedSleeps())
    vault = reseller.current(customer_id, VAULT)
    assert vault is not None and vault.licensed_number_of_seats == 2

    licences = FirestoreLicenceStore(firestore_client)
    licences.save_customer(Customer(customer_id, "acme.example", "Acme", "UTC"))
    uow = FirestoreUnitOfWork(firestore_client)
    for sku in (STARTER, VAULT):
        key = LicenceKey(customer_id, sku)
        usage = Usage(sku, "FLEXIBLE", "s", "ACTIVE", 10, 2)
        uow.run(
            lambda tx, k=key, u=usage: tx.licences.create(
                k, Licence(k, "acme.example", u, "UTC", NOW)
            )
        )
    holders = FirestoreHolders(firestore_client)
    source = WorkspaceUsers(
        lambda: build_workspace_services(settings), RetryPolicy(max_attempts=3), RecordedSleeps()
    )
    sync = SyncCustomerHolders(source, holders, licences, clock=lambda: NOW)
    sync(customer_id)
    stored = {(r.email, r.sku_id): r for r in holders.holders_of(customer_id).values()}
    bob_vault = stored[(BOB, VAULT)]
    assert bob_vault.reclaim_reason == "SUSPENDED"

    publisher = RecordingPublisher()
    asked = RequestUnassign(uow, publisher, clock=lambda: NOW)(
        SeatToUnassign(customer_id, VAULT, BOB, bob_vault.user_id), CLIENT_KEY, ADMIN
    )
    apply = ApplyTopUp(
        uow,
        reseller,
        publisher,
        clock=lambda: NOW,
        # The adapter checks the attempt's lease on the same clock as apply_topup.
        licences=LicensingAssignments(
            lambda: build_licensing_service(settings),
            RetryPolicy(max_attempts=3),
            RecordedSleeps(),
            clock=lambda: NOW,
        ),
    )
    outcome = apply(asked.request.request_id)
    assert outcome is not None and outcome.request.status is RequestStatus.APPLIED
    apply(asked.request.request_id)  # a duplicate delivery changes nothing more

    # Google: the seat is gone and the subscription counts one user fewer.
    assert control.users(customer_id)  # the user is still there, only the licence went
    vault = reseller.current(customer_id, VAULT)
    assert vault is not None and vault.licensed_number_of_seats == 1
    # Firestore: the request, its audit entry, the holder and its digest entry, together.
    request = licences._db.collection("topup_requests").document(asked.request.request_id).get()
    assert request.to_dict()["status"] == "APPLIED"
    entries = [
        e
        for e in firestore_client.collection("audit_events").stream()
        if e.to_dict()["action"] == AuditAction.SEAT_UNASSIGNED.value
    ]
    assert len(entries) == 1 and BOB in entries[0].to_dict()["message"]
    assert bob_vault.document_id not in holders.holders_of(customer_id)
    digest = holders.holder_digest(customer_id)
    assert digest is not None and bob_vault.document_id not in digest.entries
    # The next holder sync agrees with what is stored: nothing to write but the day's check.
    again = sync(customer_id)
    assert bob_vault.document_id not in holders.holders_of(customer_id)
    assert again.written == 0  # the counts too were already taken down with the holder

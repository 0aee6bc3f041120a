"""Unassigning a reclaimable add-on seat (RequestKind.UNASSIGN) goes through apply_topup's
claim, fresh read, mark-as-sent and fenced record like every change at Google: one request per
client key, licenseAssignments.delete called at most once per seat actually held, and one
transaction recording the request, a SEAT_UNASSIGNED entry naming the admin and the user, and
the stored holder gone with its holder digest entry, whatever the deliveries, crashes and lost
answers."""

from __future__ import annotations

from datetime import timedelta

import pytest

from licence_manager.domain.audit import AuditAction, Source, verify_chain
from licence_manager.domain.holder_digest import HolderDigest
from licence_manager.domain.holders import HolderRecord
from licence_manager.domain.insights import HoldersStatus, LicenceInsights, SkuInsight
from licence_manager.domain.model import Licence, LicenceKey, Usage
from licence_manager.domain.reclaim import WORKSPACE_PRODUCT
from licence_manager.domain.topup import RequestStatus
from licence_manager.domain.unassign import (
    AUTO_LICENSED_REASON,
    NOT_SENT_NOTE,
    RECOVERED_NOTE,
)
from licence_manager.ports import SourceError
from licence_manager.services.sweeper import SweepRequests
from licence_manager.services.topup import ApplyTopUp, RetryLater
from licence_manager.services.unassign_requests import (
    RequestUnassign,
    SeatToUnassign,
)
from tests.builders import T0, subscription
from tests.fakes.memory_automation import FakeSeatChanger, InMemoryStore, RecordingPublisher
from tests.fakes.memory_licensing import FakeLicenceAssignments
from tests.fakes.unit_of_work import MemoryUnitOfWork

VAULT = "Google-Vault"
STARTER = "1010020027"
KEY = LicenceKey("C01", VAULT)
CORE = LicenceKey("C01", STARTER)
LEASE = timedelta(minutes=2)
ADMIN = "alex@acme.example"
ANN, BOB = "ann@acme.example", "bob@acme.example"
CLIENT_KEY = "3f2b9c1e-0000-4000-8000-000000000001"
ANN_DOC = f"C01_{VAULT}_1001"
OTHER_DOC = f"C01_{VAULT}_1002"


class Crash(Exception):
    pass


def holder(
    email: str, user_id: str, sku_id: str = VAULT, reason: str = "SUSPENDED"
) -> HolderRecord:
    product = VAULT if sku_id == VAULT else WORKSPACE_PRODUCT
    return HolderRecord(
        customer_id="C01",
        customer_domain="acme.example",
        product_id=product,
        sku_id=sku_id,
        email=email,
        user_id=user_id,
        suspended=reason == "SUSPENDED",
        archived=False,
        created_at=T0 - timedelta(days=400),
        last_login=None,
        last_activity=None,
        activity_as_of=None,
        reclaim_reason=reason,
        synced_at=T0,
    )


class Licensing(FakeLicenceAssignments):
    """The fake Licensing API with a crash after Google removed the seat."""

    crash_after: bool = False

    def unassign(self, product_id: str, sku_id: str, user: str, send_until: object = None) -> None:
        super().unassign(product_id, sku_id, user, None)
        if self.crash_after:
            self.crash_after = False
            raise Crash("died after Google removed the seat")


class World:
    def __init__(self, plan: str = "FLEXIBLE") -> None:
        self.now = T0
        self.store = InMemoryStore()
        google = [
            subscription(sku_id=VAULT, plan=plan, total=10, assigned=4, subscription_id="s-v"),
            subscription(sku_id=STARTER, total=10, assigned=9, subscription_id="s-s"),
        ]
        for sub in google:
            key = LicenceKey(sub.customer_id, sub.sku_id)
            self.store.licences[key] = Licence(key, "acme.example", Usage.of(sub), "UTC", T0)
        self.store.seat_holders = {
            ANN_DOC: holder(ANN, "1001"),
            OTHER_DOC: holder(BOB, "1002", reason=""),
            f"C01_{STARTER}_1001": holder(ANN, "1001", sku_id=STARTER),
        }
        self.store.holder_digests["C01"] = HolderDigest(
            "C01", {doc_id: "0123456789ab" for doc_id in self.store.seat_holders}
        )
        self.store.insights["C01"] = LicenceInsights(
            "C01",
            T0,
            HoldersStatus.OK,
            "",
            60,
            {
                VAULT: SkuInsight(
                    VAULT, holders=2, reclaimable=1, suspended=1, never_signed_in=0, inactive=0
                )
            },
        )
        self.licensing = Licensing()
        self.licensing.assign(VAULT, VAULT, ANN, BOB)
        self.licensing.assign(WORKSPACE_PRODUCT, STARTER, ANN, BOB)
        self.licensing.auto_licensed = {STARTER}
        self.publisher = RecordingPublisher()
        clock = lambda: self.now  # noqa: E731
        self.apply = ApplyTopUp(
            MemoryUnitOfWork(self.store),
            FakeSeatChanger(google),
            self.publisher,
            clock,
            LEASE,
            licences=self.licensing,
        )
        self.ask = RequestUnassign(MemoryUnitOfWork(self.store), self.publisher, clock)
        self.sweep = SweepRequests(
            MemoryUnitOfWork(self.store),
            self.store,
            self.store,
            self.publisher,
            clock=clock,
            lease=LEASE,
        )

    def asked(self, email: str = ANN, user_id: str = "1001", key: str = CLIENT_KEY) -> str:
        seat = SeatToUnassign("C01", VAULT, email, user_id)
        return self.ask(seat, key, ADMIN).request.request_id

    def deliver(self, request_id: str) -> str:
        try:
            self.apply(request_id)
            return "ok"
        except (Crash, RetryLater) as error:
            return type(error).__name__

    def status(self, request_id: str) -> RequestStatus:
        return self.store.requests[request_id].status

    def entries(self) -> list[tuple[AuditAction, Source, str]]:
        return [(e.action, e.source, e.actor) for e in self.store.audit_entries(KEY)]


# carrying it out


def test_an_unassign_deletes_once_and_records_everything_in_one_outcome() -> None:
    world = World()
    request_id = world.asked()
    writes_before = world.store.writes

    assert world.deliver(request_id) == "ok"

    assert world.licensing.deletes == [(VAULT, VAULT, ANN)]
    request = world.store.requests[request_id]
    assert request.status is RequestStatus.APPLIED
    assert request.change_sent_at is not None and not request.recovered
    assert world.entries() == [(AuditAction.SEAT_UNASSIGNED, Source.MANUAL, ADMIN)]
    entry = world.store.audit_entries(KEY)[0]
    assert ANN in entry.message and ADMIN in entry.message
    assert "next usage sync" in entry.message
    assert verify_chain(world.store.audit_entries(KEY)) == []
    # the stored holder is gone, and so is its digest entry (the others stay listed)
    assert ANN_DOC not in world.store.seat_holders
    assert set(world.store.holder_digests["C01"].entries) == {
        OTHER_DOC,
        f"C01_{STARTER}_1001",
    }
    # the licence is freed for the next change, and not written: the sync records the seats
    assert world.store.automation_state(KEY).in_flight_request_id is None
    assert world.store.licences[KEY].usage.assigned == 4
    assert world.store.writes > writes_before
    assert world.publisher.notifications == []  # the admin watches it on the page


def test_the_outcome_carries_the_plan_and_seats_a_saving_is_counted_from() -> None:
    world = World(plan="FLEXIBLE")
    outcome = world.apply(world.asked())

    assert outcome is not None and outcome.unassigned is not None
    assert (outcome.unassigned.plan_name, outcome.unassigned.seats) == ("FLEXIBLE", 1)
    assert (outcome.unassigned.email, outcome.unassigned.sent) == (ANN, True)
    assert outcome.unassigned.holder_doc_id == ANN_DOC


def test_an_annual_seat_is_said_to_stay_paid_until_renewal() -> None:
    world = World(plan="ANNUAL_MONTHLY_PAY")
    world.deliver(world.asked())

    assert "still paid for until renewal" in world.store.audit_entries(KEY)[0].message


def test_a_duplicate_delivery_deletes_nothing_more() -> None:
    world = World()
    request_id = world.asked()
    world.deliver(request_id)
    world.deliver(request_id)
    world.now += LEASE * 3
    world.deliver(request_id)

    assert len(world.licensing.deletes) == 1
    assert len(world.entries()) == 1


def test_a_crash_after_the_delete_is_recovered_by_the_fresh_read_without_a_second_delete() -> None:
    world = World()
    request_id = world.asked()
    world.licensing.crash_after = True

    assert world.deliver(request_id) == "Crash"
    assert world.status(request_id) is RequestStatus.CLAIMED
    assert world.deliver(request_id) == "RetryLater"  # its lease has not run out yet
    world.now += LEASE + timedelta(seconds=1)
    assert world.deliver(request_id) == "ok"

    assert len(world.licensing.deletes) == 1
    request = world.store.requests[request_id]
    assert (request.status, request.recovered) == (RequestStatus.APPLIED, True)
    assert RECOVERED_NOTE in request.message
    assert ANN_DOC not in world.store.seat_holders
    assert len(world.entries()) == 1


def test_a_lost_answer_is_retried_and_settled_by_the_fresh_read() -> None:
    world = World()
    request_id = world.asked()
    world.licensing.lose_next_answer = True

    assert world.deliver(request_id) == "RetryLater"
    assert world.status(request_id) is RequestStatus.PENDING  # released for the redelivery
    assert world.deliver(request_id) == "ok"

    assert len(world.licensing.deletes) == 1
    assert world.store.requests[request_id].recovered
    assert len(world.entries()) == 1


def test_a_seat_already_gone_is_recorded_as_done_without_sending() -> None:
    world = World()
    request_id = world.asked()
    world.licensing.held[(VAULT, VAULT)].discard(ANN)  # removed in the Admin console meanwhile

    assert world.deliver(request_id) == "ok"

    assert world.licensing.deletes == []
    request = world.store.requests[request_id]
    assert request.status is RequestStatus.APPLIED
    assert request.change_sent_at is None and not request.recovered
    assert NOT_SENT_NOTE in request.message
    assert ANN_DOC not in world.store.seat_holders


def test_a_delete_answered_404_goes_back_to_the_fresh_read() -> None:
    world = World()
    request_id = world.asked()
    # someone removes it between our read and our delete
    world.licensing.before_delete = lambda: world.licensing.held[(VAULT, VAULT)].discard(ANN)

    assert world.deliver(request_id) == "ok"

    assert world.licensing.deletes == []
    assert world.status(request_id) is RequestStatus.APPLIED


def test_google_refusing_an_auto_licensed_seat_fails_with_a_clear_reason() -> None:
    world = World()
    request_id = world.asked()
    world.licensing.auto_licensed.add(VAULT)  # auto-licensed for the user's unit

    assert world.deliver(request_id) == "ok"

    request = world.store.requests[request_id]
    assert request.status is RequestStatus.FAILED
    assert AUTO_LICENSED_REASON in request.message
    assert "412" in request.message
    assert world.entries() == []  # nothing changed, nothing to log as changed
    assert ANN_DOC in world.store.seat_holders
    assert ANN_DOC in world.store.holder_digests["C01"].entries
    assert world.store.automation_state(KEY).in_flight_request_id is None


def test_a_customer_that_closed_its_admin_apis_fails_saying_so() -> None:
    world = World()
    request_id = world.asked()
    world.licensing.closed = {"acme.example"}

    world.deliver(request_id)

    request = world.store.requests[request_id]
    assert request.status is RequestStatus.FAILED
    assert "Admin APIs refuse the reseller" in request.message
    assert world.licensing.deletes == []


def test_an_unavailable_api_is_retried_later_and_never_sent_twice() -> None:
    world = World()
    request_id = world.asked()
    world.licensing.failures["holds"] = [SourceError("HTTP 503", status=503)]

    assert world.deliver(request_id) == "RetryLater"
    assert world.deliver(request_id) == "ok"
    assert len(world.licensing.deletes) == 1


def test_the_sweeper_gives_up_on_one_never_sent_without_an_email() -> None:
    world = World()
    request_id = world.asked()
    world.licensing.failures["holds"] = [SourceError("HTTP 503", status=503)] * 20
    for _ in range(9):
        world.deliver(request_id)
        world.now += timedelta(minutes=6)
        world.sweep()

    request = world.store.requests[request_id]
    assert request.status is RequestStatus.FAILED
    assert request.message.startswith(f"Licence not unassigned from {ANN}: gave up")
    assert world.store.notification_records == {}
    assert ANN_DOC in world.store.seat_holders


def test_without_a_licensing_api_the_request_waits_and_is_not_lost() -> None:
    world = World()
    request_id = world.asked()
    bare = ApplyTopUp(
        MemoryUnitOfWork(world.store), FakeSeatChanger([]), world.publisher, lambda: world.now
    )
    with pytest.raises(RetryLater):
        bare(request_id)
    assert world.status(request_id) is RequestStatus.PENDING


def test_the_counts_lose_the_holder_unassigned_at_once() -> None:
    world = World()
    world.deliver(world.asked())

    counted = world.store.insights["C01"].skus[VAULT]
    assert (counted.holders, counted.reclaimable, counted.suspended) == (1, 0, 0)
    assert world.store.insights["C01"].reclaimable(VAULT) == 0  # the buying hold reads this


def test_counts_are_left_alone_when_the_unassign_failed() -> None:
    world = World()
    request_id = world.asked()
    world.licensing.auto_licensed.add(VAULT)
    world.deliver(request_id)

    assert world.store.insights["C01"].skus[VAULT].reclaimable == 1

"""Changing a renewal type from the dashboard (RequestKind.CHANGE_RENEWAL) goes through
apply_topup's claim, fresh read, compare-and-set and record like every change at Google: one
request per client key, Google called at most once per change actually needed, the licence
written through the unit of work (its digest entry marked) with one RENEWAL_TYPE_CHANGED entry
naming the admin, whatever the deliveries, crashes and lost answers."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from licence_manager.domain.audit import AuditAction, Source, verify_chain
from licence_manager.domain.model import Licence, LicenceKey, Subscription, Usage
from licence_manager.domain.renewal import (
    AUTO_RENEW_YEARLY_PAY,
    CANCEL,
    RENEW_CURRENT_USERS_YEARLY_PAY,
    SWITCH_TO_PAY_AS_YOU_GO,
)
from licence_manager.domain.topup import RequestKind, RequestStatus, SeatCheck, compare_renewal
from licence_manager.ports import SourceError
from licence_manager.services.renewal_requests import (
    RenewalChangeRefused,
    RequestRenewalChange,
)
from licence_manager.services.sweeper import SweepRequests
from licence_manager.services.topup import ApplyTopUp, RetryLater
from tests.builders import T0, subscription
from tests.fakes.memory_automation import FakeSeatChanger, InMemoryStore, RecordingPublisher
from tests.fakes.unit_of_work import MemoryUnitOfWork

KEY = LicenceKey("C01", "1010020025")
LEASE = timedelta(minutes=2)
ADMIN = "alex@acme.example"
CLIENT_KEY = "3f2b9c1e-0000-4000-8000-000000000001"
SHARD = "_all"


class Crash(Exception):
    pass


class Seats(FakeSeatChanger):
    """The fake Reseller API with faults: die before or after Google set the type, lose the
    answer (a timeout the adapter reports as may-have-applied), or refuse for good."""

    def __init__(self, renewal_type: str = AUTO_RENEW_YEARLY_PAY, plan: str = "ANNUAL_YEARLY_PAY"):
        super().__init__(
            [
                subscription(
                    sku_id=KEY.sku_id,
                    plan=plan,
                    total=20,
                    assigned=12,
                    subscription_id="s-plus",
                    renewal_type=renewal_type,
                )
            ]
        )
        self.calls = 0
        self.crash_before = False
        self.crash_after = False
        self.lose_answer = False
        self.refuse = False

    def change_renewal(
        self, subscription: Subscription, renewal_type: str, send_until: object = None
    ) -> Subscription:
        if self.crash_before:
            self.crash_before = False
            raise Crash("died before asking Google")
        self.calls += 1
        if self.refuse:
            raise SourceError("Invalid renewal type", status=400, reason="invalid")
        changed = super().change_renewal(subscription, renewal_type)
        if self.crash_after:
            self.crash_after = False
            raise Crash("died after Google set it")
        if self.lose_answer:
            self.lose_answer = False
            raise SourceError("timed out", may_have_applied=True)
        return changed


class World:
    def __init__(self, seats: Seats | None = None) -> None:
        self.now = T0
        self.store = InMemoryStore()
        self.seats = seats or Seats()
        google = self.seats.current(KEY.customer_id, KEY.sku_id)
        assert google is not None
        self.store.licences[KEY] = Licence(
            KEY, "acme.example", Usage.of(google), "Europe/London", T0
        )
        self.store.listed_in[KEY] = SHARD
        self.store.digests[SHARD] = {KEY: "0123456789ab"}  # settled: the sync's fingerprint
        self.publisher = RecordingPublisher()
        clock = lambda: self.now  # noqa: E731
        self.apply = ApplyTopUp(
            MemoryUnitOfWork(self.store), self.seats, self.publisher, clock, LEASE
        )
        self.ask = RequestRenewalChange(MemoryUnitOfWork(self.store), self.publisher, clock)
        self.sweep = SweepRequests(
            MemoryUnitOfWork(self.store),
            self.store,
            self.store,
            self.publisher,
            clock=clock,
            lease=LEASE,
        )

    def asked(self, wanted: str = RENEW_CURRENT_USERS_YEARLY_PAY, key: str = CLIENT_KEY) -> str:
        return self.ask(KEY, wanted, key, ADMIN).request.request_id

    def deliver(self, request_id: str) -> str:
        try:
            self.apply(request_id)
            return "ok"
        except (Crash, RetryLater) as error:
            return type(error).__name__

    def google_type(self) -> str:
        current = self.seats.current(KEY.customer_id, KEY.sku_id)
        assert current is not None
        return current.renewal_type

    def entries(self) -> list[tuple[AuditAction, Source, str, str]]:
        return [(e.action, e.source, e.actor, e.message) for e in self.store.audit_entries(KEY)]


CHANGED = (
    AuditAction.RENEWAL_TYPE_CHANGED,
    Source.MANUAL,
    ADMIN,
    "Renewal type changed from AUTO_RENEW_YEARLY_PAY to RENEW_CURRENT_USERS_YEARLY_PAY",
)


def test_compare_renewal() -> None:
    world = World()
    request = world.store.request(world.asked())
    assert request is not None
    assert compare_renewal(request, AUTO_RENEW_YEARLY_PAY) is SeatCheck.CHANGE
    assert compare_renewal(request, RENEW_CURRENT_USERS_YEARLY_PAY) is SeatCheck.ALREADY_APPLIED
    assert compare_renewal(request, CANCEL) is SeatCheck.SUPERSEDED


def test_a_change_is_sent_once_recorded_with_the_admin_and_marks_the_digest() -> None:
    world = World()
    request_id = world.asked()
    assert request_id == f"{KEY.doc_id}-renewal-{CLIENT_KEY}"
    assert world.publisher.top_ups == [request_id]
    request = world.store.request(request_id)
    assert request is not None
    assert (request.kind, request.status, request.seats_to_add) == (
        RequestKind.CHANGE_RENEWAL,
        RequestStatus.PENDING,
        0,
    )
    assert world.deliver(request_id) == "ok"
    assert world.seats.calls == 1 and world.google_type() == RENEW_CURRENT_USERS_YEARLY_PAY
    done = world.store.request(request_id)
    assert done is not None and done.status is RequestStatus.APPLIED and not done.recovered
    licence = world.store.licences[KEY]
    assert licence.usage.renewal_type == RENEW_CURRENT_USERS_YEARLY_PAY
    assert licence.usage.subscription_id == world.seats.subscriptions[KEY].subscription_id
    assert licence.usage.total == 20  # nothing bought
    assert world.entries() == [CHANGED]
    assert verify_chain(world.store.audit_entries(KEY)) == []
    # written through the unit of work: its digest entry is a fresh mark, not the fingerprint
    assert world.store.digests[SHARD][KEY].startswith("?")
    assert world.store.notifications_of("C01") == []  # the admin watches it on the page
    state = world.store.automation_state(KEY)
    assert state.in_flight_request_id is None  # the licence is free for the next change
    # a duplicate delivery finds it done
    assert world.deliver(request_id) == "ok"
    assert world.seats.calls == 1 and len(world.entries()) == 1


def test_the_same_client_key_asks_once_and_another_change_with_it_is_409() -> None:
    world = World()
    first = world.ask(KEY, RENEW_CURRENT_USERS_YEARLY_PAY, CLIENT_KEY, ADMIN)
    again = world.ask(KEY, RENEW_CURRENT_USERS_YEARLY_PAY, CLIENT_KEY, ADMIN)
    assert first.created and not again.created
    assert again.request.request_id == first.request.request_id
    assert len(world.store.requests_of(KEY)) == 1
    with pytest.raises(RenewalChangeRefused) as refused:
        world.ask(KEY, CANCEL, CLIENT_KEY, ADMIN)
    assert refused.value.status == 409 and "requestId" in refused.value.errors
    world.deliver(first.request.request_id)
    # asked again after it finished: the same answer, nothing published or sent again
    published = list(world.publisher.top_ups)
    done = world.ask(KEY, RENEW_CURRENT_USERS_YEARLY_PAY, CLIENT_KEY, ADMIN)
    assert done.request.status is RequestStatus.APPLIED
    assert world.publisher.top_ups == published and world.seats.calls == 1


@pytest.mark.parametrize(
    ("wanted", "key", "field"),
    [
        (AUTO_RENEW_YEARLY_PAY, CLIENT_KEY, "renewalType"),  # already the setting
        ("RENEW_ON_PROPOSED_OFFER", CLIENT_KEY, "renewalType"),
        ("RENEW_CURRENT_USERS_MONTHLY_PAY", CLIENT_KEY, "renewalType"),  # another schedule
        ("", CLIENT_KEY, "renewalType"),
        (CANCEL, "short", "requestId"),
        (CANCEL, "no spaces allowed", "requestId"),
    ],
)
def test_choices_the_rules_refuse_are_422_with_the_field(wanted: str, key: str, field: str) -> None:
    world = World()
    with pytest.raises(RenewalChangeRefused) as refused:
        world.asked(wanted, key)
    assert refused.value.status == 422 and field in refused.value.errors
    assert world.store.requests_of(KEY) == [] and world.publisher.top_ups == []


def test_a_flexible_plan_cannot_be_asked() -> None:
    world = World(Seats(renewal_type="", plan="FLEXIBLE"))
    with pytest.raises(RenewalChangeRefused) as refused:
        world.asked(SWITCH_TO_PAY_AS_YOU_GO)
    assert "Only annual plans renew" in refused.value.errors["renewalType"]


def test_after_a_crash_once_google_has_it_the_retry_records_it_without_calling_again() -> None:
    world = World()
    request_id = world.asked()
    world.seats.crash_after = True
    assert world.deliver(request_id) == "Crash"
    assert world.google_type() == RENEW_CURRENT_USERS_YEARLY_PAY and world.seats.calls == 1
    assert world.deliver(request_id) == "RetryLater"  # the dead attempt's claim is live
    world.now += LEASE + timedelta(seconds=1)
    assert world.deliver(request_id) == "ok"
    assert world.seats.calls == 1  # the fresh read showed the type: Google not called again
    done = world.store.request(request_id)
    assert done is not None and done.status is RequestStatus.APPLIED and done.recovered
    (entry,) = world.entries()
    assert (
        entry[:3] == CHANGED[:3] and entry[3] == CHANGED[3] + " (already set at Google; not sent)"
    )


def test_a_lost_answer_is_settled_by_the_fresh_read() -> None:
    world = World()
    request_id = world.asked()
    world.seats.lose_answer = True
    assert world.deliver(request_id) == "RetryLater"  # transient: Pub/Sub delivers again
    assert world.deliver(request_id) == "ok"
    assert world.seats.calls == 1
    assert world.entries()[0][:3] == CHANGED[:3]


def test_someone_changing_the_type_meanwhile_supersedes_it_and_is_recorded_as_outside() -> None:
    world = World()
    request_id = world.asked()
    world.seats.subscriptions[KEY] = replace(world.seats.subscriptions[KEY], renewal_type=CANCEL)
    assert world.deliver(request_id) == "ok"
    assert world.seats.calls == 0
    done = world.store.request(request_id)
    assert done is not None and done.status is RequestStatus.SUPERSEDED
    assert "by someone else" in done.message
    assert world.store.licences[KEY].usage.renewal_type == CANCEL
    assert [(a, s) for a, s, _, _ in world.entries()] == [
        (AuditAction.RENEWAL_TYPE_CHANGED, Source.OUTSIDE)
    ]


def test_google_refusing_fails_it_and_changes_nothing() -> None:
    world = World()
    request_id = world.asked()
    world.seats.refuse = True
    assert world.deliver(request_id) == "ok"
    done = world.store.request(request_id)
    assert done is not None and done.status is RequestStatus.FAILED
    assert "Invalid renewal type" in done.message
    assert world.store.licences[KEY].usage.renewal_type == AUTO_RENEW_YEARLY_PAY
    assert world.entries() == []


def test_the_sweeper_republishes_then_gives_up_on_a_change_never_sent() -> None:
    world = World()
    request_id = world.asked()
    world.publisher.top_ups.clear()
    world.now += timedelta(minutes=3)
    world.sweep()
    assert world.publisher.top_ups == [request_id]
    world.now += timedelta(minutes=50)
    world.sweep()
    done = world.store.request(request_id)
    assert done is not None and done.status is RequestStatus.FAILED
    assert done.message.startswith("Renewal type not changed: gave up")
    assert world.store.notifications_of("C01") == []
    assert world.seats.calls == 0


def test_a_sync_while_the_change_is_in_flight_leaves_the_type_to_its_outcome() -> None:
    from licence_manager.domain.observation import LicenceContext, record_observation

    world = World()
    stored = world.store.licences[KEY]
    google = replace(world.seats.subscriptions[KEY], renewal_type=RENEW_CURRENT_USERS_YEARLY_PAY)
    during = record_observation(
        LicenceContext(stored, in_flight_total=20), google, T0 + timedelta(minutes=1), "UTC"
    )
    assert during is None  # no "changed outside" while ours is on its way
    after = record_observation(LicenceContext(stored), google, T0 + timedelta(minutes=1), "UTC")
    assert after is not None and after.audit[0].action is AuditAction.RENEWAL_TYPE_CHANGED


steps = st.lists(
    st.sampled_from(
        ["deliver", "crash_before", "crash_after", "lose_answer", "wait", "sweep", "ask_again"]
    ),
    min_size=1,
    max_size=25,
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(steps=steps)
def test_a_renewal_change_reaches_google_at_most_once_whatever_the_deliveries(
    steps: list[str],
) -> None:
    world = World()
    request_id = world.asked()
    for step in steps:
        if step == "deliver":
            world.deliver(request_id)
        elif step == "wait":
            world.now += LEASE + timedelta(seconds=1)
        elif step == "sweep":
            world.now += timedelta(minutes=3)
            world.sweep()
        elif step == "ask_again":
            assert world.asked() == request_id
        else:
            setattr(world.seats, step, True)
    for _ in range(3):  # the sweeper and redeliveries drive it to an end
        world.now += LEASE + timedelta(seconds=1)
        world.deliver(request_id)
    done = world.store.request(request_id)
    assert done is not None and done.status.final
    assert world.seats.calls <= 1
    changed = [e for e in world.entries() if e[0] is AuditAction.RENEWAL_TYPE_CHANGED]
    if done.status is RequestStatus.APPLIED:
        assert world.google_type() == RENEW_CURRENT_USERS_YEARLY_PAY
        assert len(changed) == 1 and changed[0][2] == ADMIN
        assert world.store.licences[KEY].usage.renewal_type == RENEW_CURRENT_USERS_YEARLY_PAY
    else:
        # only the sweeper gives up, and only on a change never sent
        assert done.status is RequestStatus.FAILED and world.seats.calls == 0
        assert world.google_type() == AUTO_RENEW_YEARLY_PAY and changed == []
    assert verify_chain(world.store.audit_entries(KEY)) == []

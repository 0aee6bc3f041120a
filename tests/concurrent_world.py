"""The automation harness with the world's overlaps let in: steps that happen while an attempt is
inside changeSeats, manual additions beside automatic top-ups, settings, plans, the emergency
stop, the anomaly guard's thresholds and resumes (its pauses land wherever a sync records a
rise) and the reclaimable seats the holder sync counts changing while requests wait, outside
changes that do or do not give the subscription a new id, dead-lettered messages, answers lost
after Google applied a call, and the sweeper on its schedule. Google's side keeps its own
history of every change and who asked for it, so the property test reconciles against what
Google did, not against what Licence Manager recorded."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from licence_manager.domain.audit import Source
from licence_manager.domain.buying import AUTOMATIC_REQUEST_EXPIRY, BuyingControl
from licence_manager.domain.insights import HoldersStatus, LicenceInsights, SkuInsight
from licence_manager.domain.model import Subscription, plan_kind, seats
from licence_manager.domain.settings import LicenceSettings
from licence_manager.domain.topup import TopUpRequest
from licence_manager.ports import SourceError
from licence_manager.ports.unit_of_work import BUYING
from licence_manager.services.anomaly import NotPaused, resume_top_ups, set_anomaly_policy
from licence_manager.services.buying_control import set_buying_paused
from licence_manager.services.settings import save_settings
from licence_manager.services.sweeper import SweepRequests
from licence_manager.services.topup import RetryLater
from tests.automation_harness import (
    LEASE,
    BusPublisher,
    Crash,
    CrashingSeats,
    Faults,
    Message,
    Stack,
)
from tests.fakes.memory_automation import FakeSeatChanger

LONDON = ZoneInfo("Europe/London")  # the licence's time zone: its calendar months
CALL_TIMEOUT = timedelta(seconds=30)  # the adapter's per-try timeout: a call ends within it
SWEEP_EVERY = timedelta(minutes=5)  # the sweeper's Cloud Scheduler job

Step = tuple[str, Any]


@dataclass(frozen=True)
class GoogleChange:
    """One change Google made, as Google's own history would show it."""

    by: str  # a request id, or "outside"
    source: str  # automatic, manual or outside
    before: int
    after: int
    at: datetime
    # Why this change should not have been sent when it was, judged independently of the
    # production rule (None: it was allowed).
    wrong: str | None = None


@dataclass(frozen=True)
class Interleaving:
    """What happens while one changeSeats call is in flight."""

    lands_first: bool  # Google applies it, then the caller freezes while `steps` happen
    steps: tuple[Step, ...]


class Google(CrashingSeats):
    def __init__(self, start: Subscription, faults: Faults) -> None:
        super().__init__([start], faults)
        self.history: list[GoogleChange] = []
        self.world: World | None = None

    def change_seats(
        self, subscription: Subscription, total: int, send_until: datetime | None = None
    ) -> Subscription:
        world = self.world
        assert world is not None
        if send_until is not None and world.now + CALL_TIMEOUT > send_until:
            # The adapter's contract: no try starts that could outlast the attempt's lease.
            raise SourceError("lease ending", reason="leaseEnding")
        self.faults.check("apply:before_change_seats")
        request_id = world.applying[-1]
        wrong = world.judge(request_id, subscription)
        plan = world.next_interleaving()
        if plan is not None and not plan.lands_first:
            world.run_nested(plan.steps, time_limit=CALL_TIMEOUT)
        changed = self._land(subscription, total, request_id, wrong)
        if plan is not None and plan.lands_first:
            world.run_nested(plan.steps, time_limit=None)
        self.faults.check("apply:after_change_seats")
        if "apply:lose_answer" in self.faults.armed:
            self.faults.armed.discard("apply:lose_answer")
            self.faults.fired.append("apply:lose_answer")
            # The answer was lost; the adapter's retry met the id the change retired.
            raise SourceError("HTTP 404 notFound", status=404, may_have_applied=True)
        return changed

    def _land(
        self, subscription: Subscription, total: int, request_id: str, wrong: str | None
    ) -> Subscription:
        world = self.world
        assert world is not None
        before = self.subscriptions[subscription.key].total_seats
        changed = FakeSeatChanger.change_seats(self, subscription, total)
        request = world.store.requests[request_id]
        self.history.append(
            GoogleChange(request_id, request.source.value, before, total, world.now, wrong)
        )
        return changed


class World(Stack):
    """A Stack whose steps may overlap; see the module docstring."""

    def __init__(self, start: Subscription, settings: LicenceSettings) -> None:
        # The reclaimable seats the holder sync last wrote for the SKU (None: unknown, no
        # document or the customer's user data unreadable): the world's own truth, which the
        # judge reads, independent of how Licence Manager reads the document.
        self.reclaimable: int | None = None
        self.applying: list[str] = []
        self.interleavings: list[Interleaving] = []
        self._manual = 0
        self._next_sweep: datetime | None = None
        super().__init__(start, settings)
        self.google = Google(start, self.faults)
        self.google.world = self
        self.seats = self.google
        self.apply._seats = self.google
        self.sweeper = SweepRequests(
            self.uow,
            self.store,
            self.store,
            BusPublisher(self.bus, self.faults, "sweep"),
            lambda: self.now,
            LEASE,
        )
        self._next_sweep = self.now + SWEEP_EVERY
        original_apply = self.apply.__call__

        def apply(request_id: str) -> Any:
            self.applying.append(request_id)
            try:
                return original_apply(request_id)
            finally:
                self.applying.pop()

        self._apply = apply

    # The production apply, wrapped so Google knows which request a call belongs to.
    def apply_request(self, request_id: str) -> Any:
        return self._apply(request_id)

    def deliver(self, index: int, duplicate: bool = False) -> str:
        if not self.bus.pending:
            return "empty"
        message = self.bus.pending[index % len(self.bus.pending)]
        if message.kind != "top_up":
            return super().deliver(index, duplicate)
        try:
            self.apply_request(message.ref)
            result = "ok"
        except (Crash, RetryLater) as error:
            result = type(error).__name__
        finally:
            self._collect_watch_events()
        if result == "ok" and not duplicate and message in self.bus.pending:
            self.bus.pending.remove(message)
        return result

    # the independent judge of what may be sent
    def judge(self, request_id: str, subscription: Subscription) -> str | None:
        request: TopUpRequest = self.store.requests[request_id]
        control = self.store.controls.get(BUYING, BuyingControl())
        if control.paused:
            return "sent while buying was paused"
        if plan_kind(subscription.plan_name) is not plan_kind(request.plan_name):
            return "sent on another plan than it was decided on"
        if request.source is not Source.AUTOMATIC:
            return None
        # The anomaly guard's pause as stored at this moment, read straight from the document
        # (as the emergency stop is), not through the rule that refuses it.
        state = self.store.automation.get(self.key)
        if state is not None and state.top_ups_paused is not None:
            return "an automatic top-up while the anomaly guard paused them"
        settings = self.store.settings_records.get(self.key, LicenceSettings())
        _by, saved_at = self.store.settings_saved.get(self.key, ("", None))
        if saved_at is not None and saved_at > request.created_at:
            return "an automatic top-up decided before the settings were changed"
        if not settings.auto_top_up:
            return "an automatic top-up while they were switched off"
        if settings.max_total_seats is not None and request.total_after > settings.max_total_seats:
            return "above the maximum total"
        month = self.now.astimezone(LONDON).strftime("%Y-%m")
        this_month = sum(
            c.after - c.before
            for c in self.google.history
            if c.source == "automatic" and c.at.astimezone(LONDON).strftime("%Y-%m") == month
        )
        monthly = settings.max_seats_per_month
        if monthly is not None and this_month + request.seats_to_add > monthly:
            return "above the monthly maximum"
        if self.now - request.created_at > AUTOMATIC_REQUEST_EXPIRY:
            return "an expired automatic top-up"
        hold = settings.hold_top_ups_when_reclaimable
        if hold is not None and self.reclaimable is not None and self.reclaimable >= hold:
            return f"an automatic top-up while {seats(self.reclaimable)} could be reclaimed"
        return None

    # overlaps
    def next_interleaving(self) -> Interleaving | None:
        if len(self.applying) > 1 or not self.interleavings:
            return None  # one level of overlap: a nested call runs straight through
        return self.interleavings.pop(0)

    def run_nested(self, steps: Sequence[Step], time_limit: timedelta | None) -> None:
        spent = timedelta()
        for action, arg in steps:
            if action == "wait":
                wait = timedelta(seconds=arg)
                if time_limit is not None:
                    wait = min(wait, time_limit - spent)  # the call ends within its timeout
                spent += wait
                self.advance(wait.total_seconds())
            elif action == "outside" and time_limit is not None:
                # Between our fresh read and our call landing, an outside change always gets a
                # new id here, as Google documents. One that kept the id would be overwritten by
                # our absolute total, and changeSeats has no precondition to stop it: the one
                # race no client can close (docs/architecture.md, "Idempotency").
                self.add_seats_outside(arg[0], new_id=True)
            else:
                self.step(action, arg)

    # the world outside
    def add_seats_outside(self, seats: int, new_id: bool = True) -> None:
        sub = self.google.subscriptions[self.key]
        changed = replace(sub, maximum_number_of_seats=sub.total_seats + seats)
        if sub.number_of_seats is not None:
            changed = replace(sub, number_of_seats=sub.total_seats + seats)
        if new_id:
            changed = replace(changed, subscription_id=f"{sub.subscription_id}+admin")
        self.google.subscriptions[self.key] = changed
        self.google.history.append(
            GoogleChange("outside", "outside", sub.total_seats, changed.total_seats, self.now)
        )
        self.outside_added += seats

    def sync_holders(self, found: tuple[str, int]) -> None:
        """The holder sync writes the customer's licence_insights (outside any request's
        transaction, at any moment): a count, the user data unreadable, or no document."""
        status, count = found
        customer = self.key.customer_id
        if status == "absent":
            self.reclaimable = None
            with self.store._lock:
                self.store.insights.pop(customer, None)
            return
        readable = status == HoldersStatus.OK.value
        self.reclaimable = count if readable else None
        skus = {self.key.sku_id: SkuInsight("Google-Apps", 10, count, count, 0, 0)}
        insights = LicenceInsights(customer, self.now, HoldersStatus(status), "", 60, skus)
        self.uow.run(lambda tx: tx.insights.put(customer, insights))

    def to_annual(self) -> None:
        sub = self.google.subscriptions[self.key]
        if sub.number_of_seats is None:
            self.google.subscriptions[self.key] = replace(
                sub,
                plan_name="ANNUAL",
                number_of_seats=sub.total_seats,
                maximum_number_of_seats=None,
                subscription_id=f"{sub.subscription_id}+annual",
            )

    def manual_addition(self, seats: int) -> None:
        self._manual += 1
        request = self.add_by_hand(seats, self._manual)
        self.bus.pending.append(Message("top_up", request.request_id))

    def resume_top_ups(self) -> None:
        """An admin resumes the licence's automatic top-ups, at any moment; the dashboard then
        evaluates it at once (services.anomaly.ResumeTopUps), here a message on the bus."""
        try:
            resume_top_ups(self.uow, self.key, "admin@acme.example", self.now)
        except NotPaused:
            return
        self.bus.pending.append(Message("evaluate", self.key.doc_id))

    def set_guard(self, thresholds: tuple[int, int]) -> None:
        """The customer's anomaly thresholds change (users, percent), at any moment."""
        users, percent = thresholds
        set_anomaly_policy(
            self.uow, self.key.customer_id, users, percent, "admin@acme.example", self.now
        )

    def save(self, settings: LicenceSettings) -> None:
        save_settings(self.uow, self.key, settings, "admin@acme.example", self.now)
        self._collect_watch_events()

    def advance(self, seconds: float) -> None:
        super().advance(seconds)
        # Cloud Scheduler: the sweeper runs every five minutes of the world's time.
        while self._next_sweep is not None and self.now >= self._next_sweep:
            self._next_sweep += SWEEP_EVERY
            self.sweeper()

    def step(self, action: str, arg: Any) -> str:
        """One step of the world; returns what a delivery did (for statistics)."""
        if action == "users":
            self.set_assigned(arg)
        elif action == "sync":
            self.run_sync()
        elif action == "deliver":
            index, duplicate = arg
            return self.deliver(index, duplicate)
        elif action == "wait":
            self.advance(arg)
        elif action == "outside":
            seats, new_id = arg
            self.add_seats_outside(seats, new_id)
        elif action == "crash":
            self.faults.armed.add(arg)
        elif action == "manual":
            self.manual_addition(arg)
        elif action == "settings":
            self.save(arg)
        elif action == "annual":
            self.to_annual()
        elif action == "holders":
            self.sync_holders(arg)
        elif action == "resume":
            self.resume_top_ups()
        elif action == "burst":
            self.set_assigned(self.seats.subscriptions[self.key].licensed_number_of_seats + arg)
            self.run_sync()
        elif action == "guard":
            self.set_guard(arg)
        elif action == "pause":
            set_buying_paused(self.uow, arg, "ops@reseller.example", self.now, "incident")
        elif action == "dead_letter":
            top_ups = [m for m in self.bus.pending if m.kind == "top_up"]
            if top_ups:
                self.bus.pending.remove(top_ups[arg % len(top_ups)])
        return action


Setup = Callable[[World], None]

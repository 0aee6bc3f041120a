"""The log lines the functions write, captured from the real services running on their fakes,
and turned into the LogEntry shape Cloud Logging gives a Cloud Run function's JSON stdout line.

Each scenario runs production code (the services, the Reseller adapter against the simulator,
Firestore's transaction retry) under the FUNCTION_TARGET the function would have, and collects
every line licence_manager.observability's formatter writes: exactly what reaches stdout in
production. tests/infra/test_log_metric_filters.py evaluates the log-based metrics' filters
against these lines.
"""

from __future__ import annotations

import base64
import json
import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from google.api_core.exceptions import Aborted

from licence_manager import bootstrap
from licence_manager.adapters.firestore_store import in_transaction
from licence_manager.domain import audit
from licence_manager.domain.audit import AuditAction, Source
from licence_manager.domain.departure import Retention
from licence_manager.domain.model import GENESIS, LicenceKey
from licence_manager.entrypoints import log_report, verify_audit_message
from licence_manager.observability import JsonFormatter
from licence_manager.ports import Email, Mailer, MailInDoubt, MailRejected, SourceError
from licence_manager.services.alerts import SendNotification
from licence_manager.services.audit_integrity import VerifyCustomerAudit
from licence_manager.services.departures import DeleteDepartedCustomer
from licence_manager.services.sweeper import SweepRequests
from licence_manager.services.sync import SyncUsage, UsageSync
from licence_manager_local.simulator import SimulatorControl, World, start_simulator
from tests.automation_harness import LEASE, BusPublisher, Message, Stack, flexible, restore_policy
from tests.builders import subscription
from tests.fakes.memory import FakeSubscriptionSource
from tests.fakes.memory_audit_integrity import MemoryArchive, MemoryAuditChains
from tests.fakes.memory_automation import InMemoryStore
from tests.fakes.memory_customer_data import MemoryCustomerData
from tests.fakes.unit_of_work import MemoryUnitOfWork
from tests.integration.conftest import RecordedSleeps, reseller_source

PREFIX = "lm"  # the deployment's var.prefix in these entries
FUNCTION_OF_MESSAGE = {
    "evaluate": "evaluate_thresholds",
    "top_up": "apply_topup",
    "notification": "send_alerts",
}


@dataclass(frozen=True, slots=True)
class Line:
    scenario: str
    text: str  # the line as written to stdout

    @property
    def payload(self) -> dict[str, Any]:
        parsed: dict[str, Any] = json.loads(self.text)
        return parsed

    def entry(self, prefix: str = PREFIX) -> dict[str, Any]:
        """The LogEntry Cloud Logging makes of this line on a Cloud Run function named
        <prefix>-<function>: `severity` and `time` become the entry's own fields, everything
        else (`message` included) stays in jsonPayload."""
        payload = self.payload
        severity = payload.pop("severity")
        timestamp = payload.pop("time")
        function = payload.get("function", "")
        service = f"{prefix}-{function.replace('_', '-')}" if function else "local"
        return {
            "logName": "projects/p/logs/run.googleapis.com%2Fstdout",
            "resource": {
                "type": "cloud_run_revision",
                "labels": {"service_name": service, "revision_name": f"{service}-00001-abc"},
            },
            "severity": severity,
            "timestamp": timestamp,
            "jsonPayload": payload,
        }


@dataclass
class Capture(logging.Handler):
    lines: list[Line] = field(default_factory=list)
    scenario: str = ""
    # What a scenario knows that a test checks a line against, e.g. when the sync ran.
    facts: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        logging.Handler.__init__(self)
        self.setFormatter(JsonFormatter())

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(Line(self.scenario, self.format(record)))

    def __hash__(self) -> int:
        return id(self)


@contextmanager
def running_as(function: str) -> Iterator[None]:
    """The environment Cloud Run functions give `function`'s instances."""
    before = os.environ.get("FUNCTION_TARGET")
    os.environ["FUNCTION_TARGET"] = function
    try:
        yield
    finally:
        if before is None:
            os.environ.pop("FUNCTION_TARGET", None)
        else:
            os.environ["FUNCTION_TARGET"] = before


def deliver_as_functions(stack: Stack, rounds: int = 200) -> None:
    """Stack.drain, with each delivery made by the function that would receive it."""
    for _ in range(rounds):
        if not stack.bus.pending:
            return
        message = stack.bus.pending[0]
        stack.advance(20)  # each hop takes a little while: the reaction time is not zero
        with running_as(FUNCTION_OF_MESSAGE[message.kind]):
            result = stack.deliver(0)
        if result != "ok" and message in stack.bus.pending:
            stack.bus.pending.remove(message)
            stack.bus.pending.append(message)
            stack.advance(LEASE.total_seconds() + 1)
    raise AssertionError(f"messages still pending: {stack.bus.pending}")


def sync_as_function(stack: Stack) -> None:
    """A usage sync run as sync_usage runs it: the service, then the entry point's summary;
    the licence writes become evaluate_thresholds' events (Eventarc)."""
    stack.source.subscriptions = [stack.seats.subscriptions[stack.key]]
    with running_as("sync_usage"):
        log_report(stack.sync(SyncUsage()))
    stack._collect_watch_events()


def deliver(stack: Stack, message: Message) -> str:
    """Deliver this one message now; it stays pending only if its delivery failed."""
    stack.bus.pending.insert(0, message)
    return stack.deliver(0)


class ScriptedMailer(Mailer):
    """Refuses or loses every email as told: SendGrid answering 401, or never answering."""

    def __init__(self, error: Exception) -> None:
        self.error = error

    def send(self, email: Email) -> str:
        raise self.error


def sweeper(stack: Stack) -> SweepRequests:
    publisher = BusPublisher(stack.bus, stack.faults, "sweep")
    return SweepRequests(stack.uow, stack.store, stack.store, publisher, lambda: stack.now, LEASE)


# --- scenarios ------------------------------------------------------------------------------


def automatic_top_up_applied(capture: Capture) -> None:
    """A sync sees 9 of 10 seats used; evaluation decides a top-up, apply_topup makes it, the
    confirmation goes out."""
    stack = Stack(flexible(total=10, assigned=8), restore_policy(trigger=2, target=4))
    capture.scenario = "applied"
    stack.set_assigned(9)
    stack.advance(60)
    synced_at = stack.now
    sync_as_function(stack)
    assert stack.bus.pending, "the sync wrote nothing for evaluate_thresholds to see"
    deliver_as_functions(stack)
    assert stack.seats.changes, "no top-up was made"
    [applied] = [r for r in stack.store.requests.values() if r.status.value == "APPLIED"]
    assert applied.finished_at is not None
    capture.facts["reaction_seconds"] = (applied.finished_at - synced_at).total_seconds()


def manual_addition_failed(capture: Capture) -> None:
    """An admin's addition to a subscription Google has suspended meanwhile: FAILED, and the
    "not made" email is refused by SendGrid (a revoked key)."""
    stack = Stack(flexible(total=10, assigned=5), restore_policy(trigger=2, target=4))
    capture.scenario = "failed"
    request = stack.add_by_hand(2, 1)
    sub = stack.seats.subscriptions[stack.key]
    stack.seats.subscriptions[stack.key] = replace(sub, status="SUSPENDED")
    with running_as("apply_topup"):
        stack.apply(request.request_id)
    refusing = SendNotification(
        stack.store,
        stack.uow,
        ScriptedMailer(MailRejected("HTTP 401: The provided authorization grant is invalid")),
        "https://lm.example",
        lambda: stack.now,
        LEASE,
        sleep=lambda _s: None,
    )
    with running_as("send_alerts"):
        refusing(f"{request.request_id}-failed")


def automatic_top_up_blocked(capture: Capture) -> None:
    """Vacant seats fall below the trigger but the total cap is reached: blocked, with an
    alert email."""
    stack = Stack(
        flexible(total=10, assigned=8), restore_policy(trigger=2, target=4, max_total_seats=10)
    )
    capture.scenario = "blocked"
    stack.set_assigned(9)
    sync_as_function(stack)
    deliver_as_functions(stack)
    assert not stack.seats.changes


def request_given_up_by_the_sweeper(capture: Capture) -> None:
    """A manual addition whose message never arrives: republished after 2 minutes, given up
    after 45."""
    stack = Stack(flexible(total=10, assigned=5), restore_policy(trigger=2, target=4))
    capture.scenario = "given_up"
    request = stack.add_by_hand(2, 1)
    sweep = sweeper(stack)
    stack.advance(180)
    with running_as("sweep_requests"):
        sweep()
    stack.advance(46 * 60)
    with running_as("sweep_requests"):
        sweep()
    assert stack.store.requests[request.request_id].status.value == "FAILED"


def top_up_unconfirmed(capture: Capture) -> None:
    """apply_topup dies after Google changed the seats and before recording it; a sync then
    sees the seats moved on by someone else, so no attempt can tell whether ours landed: after
    45 minutes the sweeper says so. The email of that alert is handed to SendGrid, which never
    answers (UNCONFIRMED), and an email whose sender died after the hand-over is found in
    doubt by the next delivery."""
    stack = Stack(flexible(total=10, assigned=9), restore_policy(trigger=2, target=4))
    capture.scenario = "unconfirmed"
    with running_as("evaluate_thresholds"):
        stack.evaluate(stack.key)
    [top_up] = [m for m in stack.bus.pending if m.kind == "top_up"]
    [low_alert] = [m for m in stack.bus.pending if m.kind == "notification"]
    stack.bus.pending.clear()
    stack.faults.armed.add("apply:after_change_seats")
    with running_as("apply_topup"):
        assert deliver(stack, top_up) == "Crash"
    stack.bus.pending.clear()
    stack.add_seats_outside(3)
    stack.advance(46 * 60)
    with running_as("sweep_requests"):
        sweeper(stack)()
    alert = next(m.ref for m in stack.bus.pending if m.ref.endswith("-unconfirmed"))
    silent = SendNotification(
        stack.store,
        stack.uow,
        ScriptedMailer(MailInDoubt("SendGrid did not answer within 30 s")),
        "https://lm.example",
        lambda: stack.now,
        LEASE,
        sleep=lambda _s: None,
    )
    with running_as("send_alerts"):
        silent(alert)
    # The low-licence alert: its sender dies after handing it to SendGrid; the next delivery
    # finds it in doubt.
    stack.faults.armed.add("send:after_send")
    with running_as("send_alerts"):
        assert deliver(stack, low_alert) == "Crash"
    stack.advance(LEASE.total_seconds() + 1)
    with running_as("send_alerts"):
        assert deliver(stack, low_alert) == "ok"


def incomplete_sync(capture: Capture) -> None:
    """A sync whose listing stops after its first page (Google answering 503 past the
    retries): INCOMPLETE."""
    store = InMemoryStore()
    source = FakeSubscriptionSource(
        [subscription(customer_id=f"C{n:03d}", subscription_id=f"s{n}") for n in range(3)],
        page_size=1,
    )
    source.fail_listing_after_pages = 1
    sync = UsageSync(source, store, MemoryUnitOfWork(store), "Europe/London")
    capture.scenario = "incomplete"
    with running_as("sync_usage"):
        log_report(sync(SyncUsage()))


def reseller_refusing(capture: Capture) -> None:
    """The Reseller adapter against the simulator: two 503s retried, then a customer whose
    reseller relationship ended answers 403."""
    world = World(seed=3)
    world.add_customer("alpha.example", "Alpha Ltd", customer_id="C0alpha01")
    world.add_subscription("C0alpha01", "1010020027", "FLEXIBLE", 10, users=4)
    capture.scenario = "reseller"
    with start_simulator(world, strict=True) as simulator, running_as("apply_topup"):
        api = reseller_source(simulator.url, RecordedSleeps())
        control = SimulatorControl(simulator.url)
        control.fail_next(503, count=2, method="subscriptions.list")
        assert api.current("C0alpha01", "1010020027") is not None
        control.set_forbidden("C0alpha01")
        try:
            api.current("C0alpha01", "1010020027")
        except SourceError as error:
            assert error.status == 403
        else:
            raise AssertionError("the simulator did not refuse a forbidden customer")


class _Transaction:
    """Stands in for firestore.Client's transaction(): in_transaction only passes it on."""


class _Database:
    def transaction(self, max_attempts: int = 5) -> _Transaction:
        return _Transaction()


def firestore_contention(capture: Capture) -> None:
    """Firestore answers ABORTED twice (another writer holds the documents), then commits."""
    answers: list[Exception | None] = [
        Aborted("Transaction lock timeout"),  # type: ignore[no-untyped-call]
        Aborted("Too much contention"),  # type: ignore[no-untyped-call]
        None,
    ]

    def work(_transaction: _Transaction) -> str:
        error = answers.pop(0)
        if error is not None:
            raise error
        return "committed"

    capture.scenario = "contention"
    with running_as("evaluate_thresholds"):
        assert in_transaction(_Database(), work) == "committed"  # type: ignore[arg-type]


class _DayClock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def _grow(chains: MemoryAuditChains, key: LicenceKey, count: int, at: datetime) -> None:
    head = chains.heads.get(key, GENESIS)
    for n in range(count):
        entry = audit.append(
            head,
            key,
            at + timedelta(minutes=head.seq + 1),
            AuditAction.SEATS_CHANGED_OUTSIDE,
            Source.OUTSIDE,
            "sync",
            f"change {head.seq + 1}",
            seats_before=10 + n,
            seats_after=11 + n,
        )
        chains.append(entry)
        head = entry.head


@contextmanager
def verify_audit_wired(
    check: VerifyCustomerAudit, departures: DeleteDepartedCustomer
) -> Iterator[None]:
    """verify_audit's entry point with its services built on fakes instead of Firestore and
    Cloud Storage (bootstrap's factories, put back afterwards)."""
    saved = (bootstrap.audit_check_customer, bootstrap.departure_check)
    bootstrap.audit_check_customer = lambda: check  # type: ignore[assignment]
    bootstrap.departure_check = lambda: departures  # type: ignore[assignment]
    try:
        yield
    finally:
        bootstrap.audit_check_customer, bootstrap.departure_check = saved  # type: ignore[assignment]


def pushed(body: dict[str, Any]) -> dict[str, Any]:
    return {"message": {"data": base64.b64encode(json.dumps(body).encode()).decode()}}


def audit_chain_tampered(capture: Capture) -> None:
    """The daily audit check through verify_audit's entry point: a customer whose chain
    verifies, then, the next day, an entry appended since changed in Firestore (its hash
    kept): the chain is logged broken and the customer's check completes BROKEN. The same
    visit finds another customer departed 500 days ago and due for deletion (a dry run), and
    deleting it by hand logs the deletion."""
    start = datetime(2026, 12, 5, 4, 23, tzinfo=UTC)
    clock = _DayClock(start)
    chains, archive = MemoryAuditChains(), MemoryArchive()
    key = LicenceKey("C0audit01", "1010020020")
    _grow(chains, key, 5, start - timedelta(days=3))
    data = MemoryCustomerData()
    gone = start - timedelta(days=500)
    data.put("licences", "C0gone001_1010020020", {"status": "REMOVED", "updatedAt": gone})
    data.put("seat_holders", "C0gone001_1010020020_u1", {"email": "someone@gone.example"})
    departures = DeleteDepartedCustomer(data, archive, Retention(), clock)
    capture.scenario = "audit"
    with verify_audit_wired(VerifyCustomerAudit(chains, archive, clock), departures):
        with running_as("verify_audit"):
            verify_audit_message(
                pushed({"job": "verify-audit-customer", "customerId": key.customer_id})
            )
        _grow(chains, key, 3, start)
        entry = chains.entries_by_key[key][7]
        chains.entries_by_key[key][7] = replace(entry, seats_after=999)  # its hash kept
        clock.now = start + timedelta(days=1)
        with running_as("verify_audit"):
            verify_audit_message(
                pushed({"job": "verify-audit-customer", "customerId": key.customer_id})
            )
            verify_audit_message(
                pushed({"job": "verify-audit-customer", "customerId": "C0gone001"})
            )
            departures("C0gone001", execute=True, by="scheduled")
    assert data.collections["seat_holders"] == {}, "the departed customer's data was not deleted"


SCENARIOS = (
    automatic_top_up_applied,
    manual_addition_failed,
    automatic_top_up_blocked,
    request_given_up_by_the_sweeper,
    top_up_unconfirmed,
    incomplete_sync,
    reseller_refusing,
    firestore_contention,
    audit_chain_tampered,
)


def capture_all() -> Capture:
    """Every scenario's lines, in order, and the facts they recorded."""
    root = logging.getLogger("licence_manager")
    capture = Capture()
    root.addHandler(capture)
    disabled = logging.root.manager.disable
    logging.disable(logging.NOTSET)
    try:
        for scenario in SCENARIOS:
            capture.scenario = scenario.__name__ + ":setup"
            scenario(capture)
    finally:
        root.removeHandler(capture)
        logging.disable(disabled)
    return capture

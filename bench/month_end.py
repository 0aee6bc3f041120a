"""5. The month-end job fanned out per customer (issue 12): 10,000 customers (1,000 with --quick)
with a licence and three additions each in last month, on the Firestore and Pub/Sub emulators.

The scheduler's message goes onto the real (emulated) `month-end-report` topic; pull
subscriptions stand in for the push subscriptions, and each message is handed, in this process,
to send_alerts' own entry point (`entrypoints.send_notification_message`, the functions' own
composition root) by a pool of 5 workers, as send_alerts' 5 instances would take them. A message
whose handler fails is nacked and Pub/Sub redelivers it. One customer fails on its first attempt.
Emails go to a counting mailer instead of SendGrid (the rest of send_alerts runs as deployed).

Measured: wall time from the scheduler's message to the last email, Firestore reads (documents
returned, as billed) and writes (each write of a commit, as billed), messages delivered by
topic, and retries."""

from __future__ import annotations

import json
import logging
import os
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from typing import Any

from bench.common import (
    Emulators,
    Result,
    firestore_client,
    log,
    median,
    ms,
    percentile,
    stopwatch,
)
from bench.firestore_tools import batch_write, counting_reads

SECTION = "5. Month-end job"
PROJECT = "bench-month-end"
WORKERS = 10  # send_alerts' max_instances (infra/terraform/locals.tf), one message each
TIMEOUT_SECONDS = 120  # send_alerts' timeout_seconds (infra/terraform/locals.tf)
BEFORE_BUDGET_SECONDS = 20.0  # the one-invocation job is timed this long, then extrapolated
TOPICS = ("month-end-report", "month-end-customer", "alerts")
ADDITIONS_PER_CUSTOMER = 3
FLAKY_INDEX = 7  # the customer whose first attempt fails


def run(quick: bool) -> list[Result]:
    customers = 1_000 if quick else 10_000
    emulators = Emulators(pubsub=True)
    try:
        return measure(customers)
    finally:
        emulators.stop()


def customer_id(n: int) -> str:
    return f"C{n:06d}"


def seed(client: Any, customers: int, months: list[date]) -> int:
    """Customers, each with one licence seen on the 1st of the first month, three additions in
    each month (automatic, manual, outside) and one recipient of the report. Returns documents
    written."""
    from licence_manager.adapters import automation_codec
    from licence_manager.adapters import firestore_codec as codec
    from licence_manager.domain import audit
    from licence_manager.domain.audit import AuditAction, Source
    from licence_manager.domain.model import Customer, Subscription
    from licence_manager.domain.notifications import Recipient
    from licence_manager.domain.observation import LicenceContext, record_observation

    def at(month: date, day: int) -> datetime:
        return datetime.combine(month.replace(day=day), datetime.min.time(), tzinfo=UTC)

    seen = at(months[0], 1) + timedelta(hours=1)
    writes: list[tuple[str, str, dict[str, Any]]] = []
    for n in range(1, customers + 1):
        cid, domain = customer_id(n), f"customer{n}.example"
        writes.append(("customers", cid, codec.customer_to_doc(Customer(cid, domain, cid, "UTC"))))
        recipient = Recipient(cid, f"billing@{domain}")
        writes.append(
            ("recipients", recipient.doc_id, automation_codec.recipient_to_doc(recipient))
        )
        subscription = Subscription(
            customer_id=cid,
            customer_domain=domain,
            sku_id="1010020028",
            sku_name="Google Workspace Business Standard",
            plan_name="FLEXIBLE",
            subscription_id=f"sub-{n}",
            status="ACTIVE",
            number_of_seats=None,
            maximum_number_of_seats=20,
            licensed_number_of_seats=15,
        )
        change = record_observation(LicenceContext(), subscription, seen, "UTC")
        assert change is not None
        key = subscription.key
        writes.append(("licences", key.doc_id, codec.licence_to_doc(change.licence)))
        if change.daily is not None:
            writes.append(("usage_daily", change.daily.doc_id, codec.daily_to_doc(change.daily)))
        entries = list(change.audit)
        head = change.audit_head
        seats = 20
        for month in months:
            for day, source, action in [
                (3, Source.AUTOMATIC, AuditAction.TOP_UP_APPLIED),
                (12, Source.MANUAL, AuditAction.TOP_UP_APPLIED),
                (25, Source.OUTSIDE, AuditAction.SEATS_CHANGED_OUTSIDE),
            ][:ADDITIONS_PER_CUSTOMER]:
                entry = audit.append(
                    head,
                    key,
                    at(month, day) + timedelta(hours=10),
                    action,
                    source,
                    f"by {source.value}",
                    "",
                    seats,
                    seats + 2,
                    plan_name="FLEXIBLE",
                )
                entries.append(entry)
                head, seats = entry.head, seats + 2
        writes += [("audit_events", e.doc_id, codec.audit_to_doc(e)) for e in entries]
        writes.append(("audit_heads", key.doc_id, codec.head_to_doc(head)))
    batch_write(client, writes)
    return len(writes)


class WriteCounter:
    """Writes as Firestore bills them: every write of every commit (batches, transactions)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.writes = 0

    def add(self, count: int) -> None:
        with self._lock:
            self.writes += count


@contextmanager
def counting_writes() -> Iterator[WriteCounter]:
    from google.cloud.firestore_v1.services.firestore.client import FirestoreClient

    counter = WriteCounter()
    original = FirestoreClient.commit

    def commit(self: Any, request: Any = None, *args: Any, **kwargs: Any) -> Any:
        writes = kwargs.get("request", request)
        counter.add(len(writes.get("writes", ()) if isinstance(writes, dict) else writes.writes))
        return original(self, request, *args, **kwargs)

    FirestoreClient.commit = commit  # type: ignore[method-assign]
    try:
        yield counter
    finally:
        FirestoreClient.commit = original  # type: ignore[method-assign]


class CountingMailer:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.sent: Counter[str] = Counter()  # notification id → emails handed over

    def send(self, email: Any) -> str:
        with self._lock:
            self.sent[email.reference] += 1
            return f"message-{sum(self.sent.values())}"


class Delivery:
    """Pull subscriptions standing in for the push subscriptions to send_alerts."""

    def __init__(self, project: str) -> None:
        from google.cloud import pubsub_v1  # type: ignore[attr-defined]

        self.publisher = pubsub_v1.PublisherClient()
        self.subscriber = pubsub_v1.SubscriberClient()
        self.subscriptions: dict[str, str] = {}
        for topic in TOPICS:
            path = self.publisher.topic_path(project, topic)
            self.publisher.create_topic(name=path)
            name = self.subscriber.subscription_path(project, f"{topic}-to-send_alerts")
            self.subscriber.create_subscription(name=name, topic=path, ack_deadline_seconds=600)
            self.subscriptions[topic] = name
        self.project = project
        self.delivered: Counter[str] = Counter()  # deliveries by topic
        self.failed: Counter[str] = Counter()  # deliveries answered with an error, by topic
        self.unique: dict[str, set[str]] = {t: set() for t in TOPICS}  # message ids by topic
        self.seconds: dict[str, list[float]] = {t: [] for t in TOPICS}  # each invocation's

    def publish(self, topic: str, body: dict[str, str]) -> None:
        path = self.publisher.topic_path(self.project, topic)
        self.publisher.publish(path, json.dumps(body).encode()).result(timeout=30)

    def drain(self, handle: Callable[[bytes], None]) -> None:
        """Deliver until every subscription stays empty; a failed message is nacked, so Pub/Sub
        redelivers it (immediately: the bench does not wait out the 10 s minimum backoff)."""
        import warnings

        idle = 0
        with ThreadPoolExecutor(max_workers=WORKERS) as pool:
            while idle < 3:
                pulled = []
                for topic, subscription in self.subscriptions.items():
                    with warnings.catch_warnings():
                        warnings.simplefilter("ignore", DeprecationWarning)
                        response = self.subscriber.pull(
                            request={
                                "subscription": subscription,
                                "max_messages": 500,
                                "return_immediately": True,
                            },
                            timeout=30,
                        )
                    pulled += [(topic, subscription, r) for r in response.received_messages]
                if not pulled:
                    idle += 1
                    time.sleep(0.2)
                    continue
                idle = 0
                outcomes = pool.map(lambda p: _attempt(handle, p[2].message.data), pulled)
                acks: dict[str, list[str]] = {}
                nacks: dict[str, list[str]] = {}
                for (topic, subscription, received), (ok, took) in zip(
                    pulled, outcomes, strict=True
                ):
                    self.seconds[topic].append(took)
                    self.delivered[topic] += 1
                    self.unique[topic].add(received.message.message_id)
                    if not ok:
                        self.failed[topic] += 1
                    (acks if ok else nacks).setdefault(subscription, []).append(received.ack_id)
                for subscription, ids in acks.items():
                    for i in range(0, len(ids), 1000):
                        self.subscriber.acknowledge(
                            subscription=subscription, ack_ids=ids[i : i + 1000]
                        )
                for subscription, ids in nacks.items():
                    self.subscriber.modify_ack_deadline(
                        subscription=subscription, ack_ids=ids, ack_deadline_seconds=0
                    )

    def close(self) -> None:
        self.publisher.stop()
        self.subscriber.close()


def _attempt(handle: Callable[[bytes], None], data: bytes) -> tuple[bool, float]:
    """Whether the invocation succeeded, and how long it took."""
    with stopwatch() as took:
        try:
            handle(data)
            ok = True
        except Exception:  # the function answers 500: Pub/Sub redelivers
            ok = False
    return ok, took[0]


@contextmanager
def send_alerts_as_deployed(
    mailer: CountingMailer, flaky: str
) -> Iterator[Callable[[bytes], None]]:
    """send_alerts' entry point on its own composition root, with the mailer counted and the
    injected failure of one customer's first attempt."""
    import base64

    from licence_manager import bootstrap, entrypoints

    bootstrap.clear()
    saved = bootstrap.mailer, bootstrap.month_end_customer
    handler = bootstrap.month_end_customer()
    attempts: Counter[str] = Counter()
    lock = threading.Lock()

    def flaky_first(customer: str, month: date) -> Any:
        with lock:
            attempts[customer] += 1
            first = attempts[customer] == 1
        if customer == flaky and first:
            raise RuntimeError(f"injected failure of {customer}")
        return handler(customer, month)

    bootstrap.mailer = lambda: mailer  # type: ignore[assignment]
    bootstrap.month_end_customer = lambda: flaky_first  # type: ignore[assignment]
    try:
        yield lambda data: entrypoints.send_notification_message(
            {"message": {"data": base64.b64encode(data).decode()}}
        )
    finally:
        bootstrap.mailer, bootstrap.month_end_customer = saved  # type: ignore[assignment]
        bootstrap.clear()


class NoMessages:
    """A publisher that publishes nothing: the one-invocation job is timed without its emails,
    which went through send_alerts' own invocations before as now."""

    def publish_top_up(self, request_id: str) -> None: ...

    def publish_notification(self, notification_id: str) -> None: ...

    def publish_month_end_customers(self, month: str, customer_ids: Any) -> None: ...

    def publish_month_end_page(self, month: str, after: str) -> None: ...


def one_invocation(client: Any, month: date, customers: int) -> dict[str, float]:
    """Before: the whole book in one send_alerts invocation, customer after customer. Run for
    BEFORE_BUDGET_SECONDS on `month` (seeded like the month measured after) and extrapolated."""
    from licence_manager.adapters.firestore_dashboard import FirestoreApiStore
    from licence_manager.adapters.firestore_reports import FirestoreReports
    from licence_manager.services.month_end import MonthEndCustomer
    from licence_manager.services.reports import Reports

    store, report_store = FirestoreApiStore(client), FirestoreReports(client)
    handler = MonthEndCustomer(
        Reports(report_store, store, prices=store),
        report_store,
        store,
        store,
        NoMessages(),  # type: ignore[arg-type]
    )
    done = 0
    with stopwatch() as elapsed:
        started = time.perf_counter()
        for n in range(1, customers + 1):
            handler(customer_id(n), month)
            done += 1
            if time.perf_counter() - started > BEFORE_BUDGET_SECONDS:
                break
    per_customer = elapsed[0] / done
    return {
        "customersDone": done,
        "seconds": elapsed[0],
        "perCustomerSeconds": per_customer,
        "customersPerTimeout": TIMEOUT_SECONDS / per_customer,
        "bookSeconds": per_customer * customers,
    }


def measure(customers: int) -> list[Result]:
    from licence_manager.domain.month_end import previous_month
    from licence_manager.services.month_end import PAGE_SIZE

    os.environ.update(
        {
            "GOOGLE_CLOUD_PROJECT": PROJECT,
            "DEFAULT_TIME_ZONE": "UTC",
            "SENDGRID_API_KEY": "unused",  # the mailer is counted, never SendGrid
            "ALERT_SENDER_EMAIL": "lm@reseller.example",
        }
    )
    client = firestore_client(PROJECT)
    month = previous_month(datetime.now(UTC).date())
    before_month = previous_month(month)  # for the one-invocation job of before
    label = month.strftime("%Y-%m")
    log(
        f"seeding {customers:,} customers with {ADDITIONS_PER_CUSTOMER} additions each in "
        f"{before_month:%Y-%m} and {label}"
    )
    seeded = seed(client, customers, [before_month, month])
    log(f"seeded {seeded:,} documents")
    before = one_invocation(client, before_month, customers)
    log(f"before (one invocation): {before}")
    delivery = Delivery(PROJECT)
    mailer = CountingMailer()
    flaky = customer_id(FLAKY_INDEX)
    quiet = logging.getLogger("licence_manager")
    level = quiet.level
    quiet.setLevel(logging.WARNING)  # one INFO line per customer and email otherwise
    try:
        with (
            send_alerts_as_deployed(mailer, flaky) as send_alerts,
            counting_reads() as reads,
            counting_writes() as writes,
            stopwatch() as elapsed,
        ):
            delivery.publish("month-end-report", {"job": "month-end-report", "month": label})
            delivery.drain(send_alerts)
    finally:
        quiet.setLevel(level)
        delivery.close()
    seconds = elapsed[0]
    reports = sum(
        1
        for snap in client.collection("monthly_additions").select([]).stream()
        if snap.id.endswith(f"_{label}")
    )
    emails, retries = mailer.sent, delivery.failed["month-end-customer"]
    pages = delivery.delivered["month-end-report"]
    expected_pages = customers // PAGE_SIZE + 1
    per_customer_messages = len(delivery.unique["month-end-customer"])
    published = sum(len(ids) for ids in delivery.unique.values())
    data = {
        "customers": customers,
        "seconds": seconds,
        "reads": reads.reads,
        "readCalls": dict(reads.calls),
        "writes": writes.writes,
        "reports": reports,
        "emails": sum(emails.values()),
        "customersEmailedTwice": sum(1 for n in emails.values() if n > 1),
        "deliveriesByTopic": dict(delivery.delivered),
        "failedDeliveriesByTopic": dict(delivery.failed),
        "messagesPublished": published,
        "plannerPages": pages,
        "workers": WORKERS,
    }
    log(f"month-end: {json.dumps(data, default=str)}")
    longest_page = max(delivery.seconds["month-end-report"])
    customer_p95 = percentile(delivery.seconds["month-end-customer"], 95)
    longest_customer = max(delivery.seconds["month-end-customer"])
    data["before"] = before
    data |= {
        "customerMedianSeconds": median(delivery.seconds["month-end-customer"]),
        "emailMedianSeconds": median(delivery.seconds["alerts"]),
        "longestPlannerPageSeconds": longest_page,
        "customerP95Seconds": customer_p95,
        "longestCustomerSeconds": longest_customer,
    }
    label_n = f"{customers:,} customers"
    exactly_once = reports == customers and sum(emails.values()) == customers
    return [
        Result(
            SECTION,
            f"{label_n}: wall time, scheduler message to last email ({WORKERS} workers)",
            f"{ms(seconds)} ({seconds / customers * 1000:.1f} ms per customer; "
            f"{pages} planner pages of ≤ {PAGE_SIZE})",
            "(no target; every invocation handles one page or one customer)",
            None,
            "",
            data,
        ),
        Result(
            SECTION,
            f"{label_n}, before: the whole book in one invocation, customer after customer",
            f"{before['perCustomerSeconds'] * 1000:.0f} ms a customer "
            f"(timed on {before['customersDone']:,.0f}): {ms(before['bookSeconds'])} for the book; "
            f"the {TIMEOUT_SECONDS} s timeout holds {before['customersPerTimeout']:,.0f} customers",
            "(the fan-out's reason; not a target)",
            None,
        ),
        Result(
            SECTION,
            f"{label_n}: longest invocation (send_alerts' timeout {TIMEOUT_SECONDS} s)",
            f"planner page {ms(longest_page)}; one customer p95 {ms(customer_p95)}, "
            f"longest {ms(longest_customer)}",
            f"< {TIMEOUT_SECONDS} s, whatever the book's size (a page is ≤ {PAGE_SIZE} customers)",
            max(longest_page, longest_customer) < TIMEOUT_SECONDS,
        ),
        Result(
            SECTION,
            f"{label_n}: Firestore reads",
            f"{reads.reads:,} ({reads.reads / customers:.1f} per customer)",
            "(no target; grows with customers and their licences, not with the book per call)",
            None,
        ),
        Result(
            SECTION,
            f"{label_n}: Firestore writes",
            f"{writes.writes:,} ({writes.writes / customers:.1f} per customer)",
            "(no target)",
            None,
        ),
        Result(
            SECTION,
            f"{label_n}: messages published",
            f"{published:,} ({per_customer_messages:,} customers, {pages} pages, "
            f"{len(delivery.unique['alerts']):,} emails)",
            f"{customers:,} customers, {expected_pages} pages, {customers:,} emails",
            per_customer_messages == customers
            and pages == expected_pages
            and len(delivery.unique["alerts"]) == customers,
        ),
        Result(
            SECTION,
            f"{label_n}: retries after one customer's injected failure",
            f"{retries} (deliveries that failed: {sum(delivery.failed.values())}); "
            f"{reports:,} reports, {sum(emails.values()):,} emails",
            "exactly 1; one report and one email per customer",
            retries == 1 and sum(delivery.failed.values()) == 1 and exactly_once,
        ),
    ]

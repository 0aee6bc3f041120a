"""The Logs and Notifications pages on the Firestore emulator read what they show: with 200
entries stored, a page of 25 costs about 25 document reads and a handful of round trips, on
the first page and on the next, never the history streamed and sliced (issue 12)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from bench.firestore_tools import batch_write, counting_reads

from licence_manager import bootstrap
from licence_manager.adapters import automation_codec as ac
from licence_manager.adapters import firestore_codec as codec
from licence_manager.domain.model import LicenceKey
from licence_manager.domain.notifications import DeliveryStatus, Notification, NotificationType
from licence_manager.domain.observation import LicenceContext, RecordedChange, record_observation
from tests.builders import T0, subscription
from tests.fakes.memory_dashboard import InMemoryApiStore
from tests.fakes.unit_of_work import record
from tests.integration.test_api_automation import api, simulator

__all__ = ["api", "simulator"]

STORED = 200
PAGE = 25
CHAIN_SKU = "9900000001"
# Besides the page itself (PAGE + 1 documents, the one past it says whether there is more): the
# user and the customer, the customer's licences for the SKU names, the cursor's document.
OVERHEAD_READS = 8
MAX_ROUND_TRIPS = 5


def seed_a_long_log(customer: str) -> None:
    """A licence whose seats changed STORED - 1 times: STORED audit entries in its chain."""
    memory = InMemoryApiStore()
    key = LicenceKey(customer, CHAIN_SKU)
    for n in range(STORED):
        sub = subscription(
            customer_id=customer, sku_id=CHAIN_SKU, total=10 + n, subscription_id="x"
        )
        at = T0 + timedelta(minutes=n)

        def decide(context: LicenceContext, sub: Any = sub, at: Any = at) -> RecordedChange | None:
            return record_observation(context, sub, at, "UTC")

        record(memory, key, at, "UTC", decide)
    entries = memory.audit_entries(key)
    assert len(entries) == STORED
    writes = [("audit_events", e.doc_id, codec.audit_to_doc(e)) for e in entries]
    writes.append(("audit_heads", key.doc_id, codec.head_to_doc(entries[-1].head)))
    writes.append(("licences", key.doc_id, codec.licence_to_doc(memory.licences[key])))
    batch_write(bootstrap.store()._db, writes)


def seed_many_notifications(customer: str) -> None:
    """STORED notifications; the newest PAGE resend older ones, off the first page."""
    key = LicenceKey(customer, CHAIN_SKU)
    notes = []
    for n in range(STORED):
        facts: dict[str, str | int | float | None] = {"skuName": "Long"}
        if n >= STORED - PAGE:
            facts["resendOf"] = f"n{n - 100:03d}"
        notes.append(
            Notification(
                f"n{n:03d}",
                key,
                NotificationType.LOW_LICENCES,
                T0 + timedelta(minutes=n),
                facts,
                status=DeliveryStatus.FAILED,
            )
        )
    batch_write(
        bootstrap.store()._db,
        [("notifications", n.notification_id, ac.notification_to_doc(n)) for n in notes],
    )


def read_pages(client: Any, path: str, items: str) -> list[tuple[int, int, int]]:
    """(items shown, documents read, round trips) for the first page and the next."""
    seen = []
    cursor = None
    for _ in range(2):
        query = f"{path}{'&' if '?' in path else '?'}limit={PAGE}"
        if cursor:
            query += f"&cursor={cursor}"
        with counting_reads() as counter:
            response = client.get(query)
        body = response.get_json()
        assert response.status_code == 200, body
        seen.append((len(body[items]), counter.reads, sum(counter.calls.values())))
        cursor = body["nextCursor"]
        assert cursor
    return seen


def within_a_page(pages: list[tuple[int, int, int]]) -> None:
    for shown, reads, round_trips in pages:
        assert shown == PAGE
        assert reads <= PAGE + 1 + OVERHEAD_READS, pages
        assert round_trips <= MAX_ROUND_TRIPS, pages


def test_the_logs_read_a_page_not_the_history(api: Any) -> None:
    client, customer, _ = api
    seed_a_long_log(customer)
    base = f"/api/v1/customers/{customer}/logs"
    within_a_page(read_pages(client, base, "entries"))
    within_a_page(read_pages(client, f"{base}?skuId={CHAIN_SKU}", "entries"))
    within_a_page(read_pages(client, f"{base}?type=SEATS_CHANGED_OUTSIDE", "entries"))


def test_the_notifications_read_a_page_not_the_history(api: Any) -> None:
    client, customer, _ = api
    seed_many_notifications(customer)
    base = f"/api/v1/customers/{customer}/notifications"
    first, following = read_pages(client, base, "notifications")
    within_a_page([following])
    # The first page's resends read the PAGE first emails of their lines too (whether each may
    # be sent again), in one round trip, not one each.
    assert first[0] == PAGE and first[1] <= 2 * PAGE + 1 + OVERHEAD_READS, first
    assert first[2] <= MAX_ROUND_TRIPS, first
    within_a_page(read_pages(client, f"{base}?problems=true", "notifications")[1:])

"""One contract, two stores: the Logs page's filter by event type and the Notifications page's
paging and problems filter behave alike on the in-memory fake and Firestore on the emulator;
the resend service creates one resend, with its audit entry, on both."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from licence_manager.adapters.firestore_dashboard import FirestoreApiStore
from licence_manager.domain.audit import AuditAction
from licence_manager.domain.model import LicenceKey
from licence_manager.domain.notifications import DeliveryStatus, Notification, NotificationType
from licence_manager.ports.dashboard import BadCursor
from licence_manager.services.resend import ResendNotification
from tests.builders import T0
from tests.contract.test_dashboard_store import KEY, OTHER, observe
from tests.fakes.memory_automation import RecordingPublisher
from tests.fakes.memory_dashboard import InMemoryApiStore
from tests.fakes.unit_of_work import unit_of_work_for

Store = InMemoryApiStore | FirestoreApiStore


@pytest.fixture(params=["memory", "firestore"])
def store(request: pytest.FixtureRequest) -> Store:
    if request.param == "memory":
        return InMemoryApiStore()
    return FirestoreApiStore(request.getfixturevalue("firestore_client"))


def test_the_log_filtered_by_type_pages_newest_first_across_skus_and_in_one(store: Store) -> None:
    changes = [(KEY, 10), (OTHER, 5), (KEY, 12), (OTHER, 6), (KEY, 13), (OTHER, 4)]
    for minute, (key, total) in enumerate(changes):
        observe(store, key.sku_id, total, minute)
    outside = AuditAction.SEATS_CHANGED_OUTSIDE
    first = store.audit_page("C01", None, 2, None, outside)
    rest = store.audit_page("C01", None, 2, first.next_cursor, outside)
    assert [(e.key.sku_id, e.seats_after) for e in first.entries + rest.entries] == [
        (OTHER.sku_id, 4),
        (KEY.sku_id, 13),
        (OTHER.sku_id, 6),
        (KEY.sku_id, 12),
    ]
    assert rest.next_cursor is None
    one = store.audit_page("C01", KEY.sku_id, 1, None, outside)
    more = store.audit_page("C01", KEY.sku_id, 5, one.next_cursor, outside)
    assert [e.seats_after for e in one.entries + more.entries] == [13, 12]
    found = store.audit_page("C01", None, 10, None, AuditAction.LICENCE_DISCOVERED)
    assert {e.key for e in found.entries} == {KEY, OTHER}
    assert store.audit_page("C01", None, 10, None, AuditAction.TOP_UP_APPLIED).entries == []
    with pytest.raises(BadCursor):
        store.audit_page("C01", OTHER.sku_id, 1, one.next_cursor, outside)
    with pytest.raises(BadCursor):
        store.audit_page("C02", None, 1, one.next_cursor, outside)


def notification(
    name: str, hours: int, status: DeliveryStatus, customer: str = "C01"
) -> Notification:
    return Notification(
        name,
        LicenceKey(customer, KEY.sku_id),
        NotificationType.LOW_LICENCES,
        T0 + timedelta(hours=hours),
        {"customerDomain": "acme.example", "skuName": "Standard"},
        status=status,
    )


def add(store: Store, *notifications: Notification) -> None:
    for n in notifications:
        unit_of_work_for(store).run(lambda tx, n=n: tx.notifications.create(n.notification_id, n))


def test_notifications_page_newest_first_and_the_problems_only(store: Store) -> None:
    add(
        store,
        notification("sent", 1, DeliveryStatus.SENT),
        notification("failed", 2, DeliveryStatus.FAILED),
        notification("tie-a", 3, DeliveryStatus.UNCONFIRMED),
        notification("tie-b", 3, DeliveryStatus.PENDING),
        notification("nobody", 4, DeliveryStatus.NO_RECIPIENTS),
        notification("elsewhere", 5, DeliveryStatus.FAILED, customer="C02"),
    )
    listed, cursor = [], None
    while True:
        page = store.notification_page("C01", 2, cursor)
        listed += [n.notification_id for n in page.notifications]
        if (cursor := page.next_cursor) is None:
            break
    assert listed == ["nobody", "tie-b", "tie-a", "failed", "sent"]
    problems = store.notification_page("C01", 2, None, problems_only=True)
    last = store.notification_page("C01", 2, problems.next_cursor, problems_only=True)
    assert [n.notification_id for n in problems.notifications] == ["nobody", "tie-a"]
    assert [n.notification_id for n in last.notifications] == ["failed"]
    assert last.next_cursor is None
    with pytest.raises(BadCursor):
        store.notification_page("C01", 2, "elsewhere")
    with pytest.raises(BadCursor):
        store.notification_page("C01", 2, "no-such")


def test_a_resend_is_created_once_with_its_audit_entry(store: Store) -> None:
    observe(store, KEY.sku_id, 10, 0)
    add(store, notification("failed", 2, DeliveryStatus.FAILED))
    publisher = RecordingPublisher()
    resend = ResendNotification(unit_of_work_for(store), publisher, lambda: T0 + timedelta(1))
    first = resend("C01", "failed", "alex@acme.example")
    second = resend("C01", "failed", "alex@acme.example")
    assert (first.created, second.created) == (True, False)
    assert first.notification == second.notification == store.notification("failed-resend-1")
    assert store.notification("failed-resend-2") is None
    logged = store.audit_page("C01", None, 10, None, AuditAction.NOTIFICATION_RESENT).entries
    assert [(e.actor, e.key) for e in logged] == [("alex@acme.example", KEY)]
    again = replace(first.notification, status=DeliveryStatus.UNCONFIRMED)
    unit_of_work_for(store).run(lambda tx: tx.notifications.put(again.notification_id, again))
    assert resend("C01", "failed", "alex@acme.example").notification.notification_id == (
        "failed-resend-2"
    )


def test_notifications_are_read_by_id_together(store: Store) -> None:
    add(
        store,
        notification("n1", 1, DeliveryStatus.SENT),
        notification("n2", 2, DeliveryStatus.FAILED),
    )
    found = store.notifications_by_id(["n2", "n1", "missing", "n1"])
    assert {i: n.status for i, n in found.items()} == {
        "n1": DeliveryStatus.SENT,
        "n2": DeliveryStatus.FAILED,
    }
    assert store.notifications_by_id([]) == {}

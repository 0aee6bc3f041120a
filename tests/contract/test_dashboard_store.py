"""One contract, two dashboard stores: the in-memory fake must behave like Firestore on the
emulator for users, the paged audit log, and people's changes written with their audit entry."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from licence_manager.adapters.firestore_dashboard import FirestoreApiStore
from licence_manager.domain.audit import CUSTOMER_SCOPE, AuditAction, Source, verify_chain
from licence_manager.domain.model import LicenceKey
from licence_manager.domain.notifications import NotificationType, Recipient
from licence_manager.domain.observation import LicenceContext, RecordedChange, record_observation
from licence_manager.domain.settings import LicenceSettings
from licence_manager.domain.topup import RequestKind, TopUpRequest
from licence_manager.domain.users import Role, User
from licence_manager.ports.unit_of_work import AlreadyExists
from licence_manager.services import spending
from licence_manager.services.settings import save_settings
from licence_manager_local.demo_prices import seed_demo_prices
from tests.builders import T0, subscription
from tests.fakes.memory_automation import RecordingPublisher
from tests.fakes.memory_dashboard import InMemoryApiStore
from tests.fakes.unit_of_work import record, unit_of_work_for

Store = InMemoryApiStore | FirestoreApiStore
TZ = "Europe/London"
KEY = LicenceKey("C01", "1010020028")
OTHER = LicenceKey("C01", "1010020027")


@pytest.fixture(params=["memory", "firestore"])
def store(request: pytest.FixtureRequest) -> Store:
    if request.param == "memory":
        return InMemoryApiStore()
    return FirestoreApiStore(request.getfixturevalue("firestore_client"))


def observe(store: Store, sku_id: str, total: int, minutes: int) -> None:
    sub = subscription(sku_id=sku_id, total=total, subscription_id=f"s-{sku_id}")
    at = T0 + timedelta(minutes=minutes)

    def decide(context: LicenceContext) -> RecordedChange | None:
        return record_observation(context, sub, at, TZ)

    record(store, sub.key, at, TZ, decide)


def test_users_round_trip_case_insensitively(store: Store) -> None:
    user = User("alex@acme.example", "Alex", Role.CUSTOMER_ADMIN, frozenset({"C01"}))
    store.save_user(user)
    store.save_user(User("ops@reseller.example", "Ops", Role.RESELLER_OPS))
    assert store.user("Alex@ACME.example") == user
    assert [u.email for u in store.users()] == ["alex@acme.example", "ops@reseller.example"]
    store.remove_user("alex@acme.example")
    assert store.user("alex@acme.example") is None


def test_the_audit_log_pages_newest_first_per_sku_and_across_skus(store: Store) -> None:
    for minute, (sku, total) in enumerate(
        [(KEY.sku_id, 10), (OTHER.sku_id, 5), (KEY.sku_id, 12), (OTHER.sku_id, 6), (KEY.sku_id, 13)]
    ):
        observe(store, sku, total, minute)
    one = store.audit_page("C01", KEY.sku_id, 2, None)
    assert [e.seq for e in one.entries] == [3, 2]
    rest = store.audit_page("C01", KEY.sku_id, 2, one.next_cursor)
    assert [e.seq for e in rest.entries] == [1] and rest.next_cursor is None
    every, cursor, pages = [], None, 0
    while True:
        page = store.audit_page("C01", None, 2, cursor)
        every += page.entries
        pages += 1
        cursor = page.next_cursor
        if cursor is None:
            break
    assert pages == 3
    assert [(e.key.sku_id, e.seats_after) for e in every] == [
        (KEY.sku_id, 13),
        (OTHER.sku_id, 6),
        (KEY.sku_id, 12),
        (OTHER.sku_id, 5),
        (KEY.sku_id, 10),
    ]
    assert store.audit_page("C02", None, 10, None).entries == []


def test_a_cursor_continues_only_the_listing_it_came_from(store: Store) -> None:
    observe(store, KEY.sku_id, 10, 0)
    observe(store, OTHER.sku_id, 5, 1)
    observe(store, KEY.sku_id, 11, 2)
    page = store.audit_page("C01", KEY.sku_id, 1, None)
    assert page.next_cursor is not None
    from licence_manager.ports.dashboard import BadCursor

    with pytest.raises(BadCursor):
        store.audit_page("C02", None, 1, page.next_cursor)
    with pytest.raises(BadCursor):
        store.audit_page("C01", OTHER.sku_id, 1, page.next_cursor)
    with pytest.raises(BadCursor):
        store.audit_page("C01", None, 1, "C01_nonsense")


def test_a_submitted_request_is_created_once_with_its_audit_entry(store: Store) -> None:
    observe(store, KEY.sku_id, 10, 0)
    request = TopUpRequest(
        "C01_1010020028-manual-abc",
        KEY,
        Source.MANUAL,
        "alex@acme.example",
        "FLEXIBLE",
        2,
        10,
        12,
        T0 + timedelta(minutes=5),
    )
    uow = unit_of_work_for(store)
    publisher = RecordingPublisher()
    seed_demo_prices(store)

    def submit(request: TopUpRequest, message: str) -> TopUpRequest:
        return spending.submit(
            uow, store, publisher, request, message, time_zone="Europe/London", prices=store
        )

    assert submit(request, "alex asked to add 2 seats") == request
    with pytest.raises(AlreadyExists):
        submit(request, "again")
    assert store.request(request.request_id) == request
    assert publisher.top_ups == [request.request_id]
    entries = store.audit_entries(KEY)
    assert [(e.action, e.actor, e.message) for e in entries[1:]] == [
        (AuditAction.TOP_UP_REQUESTED, "alex@acme.example", "alex asked to add 2 seats")
    ]
    assert verify_chain(entries) == []
    purchase = replace(
        request,
        request_id="C01_1010020025-purchase-x",
        key=LicenceKey("C01", "1010020025"),
        source=Source.PURCHASE,
        kind=RequestKind.INSERT,
        time_zone="Europe/Paris",
        total_before=0,
        total_after=3,
    )
    submit(purchase, "bought")
    assert store.request(purchase.request_id) == purchase


def test_settings_changes_are_audited_with_before_and_after(store: Store) -> None:
    observe(store, KEY.sku_id, 10, 0)
    uow = unit_of_work_for(store)
    new = LicenceSettings(low_licence_alert=True, alert_vacant_at_or_below=2)
    before = save_settings(uow, KEY, new, "alex@acme.example", T0 + timedelta(minutes=1))
    assert before == LicenceSettings()
    assert store.settings(KEY) == new
    again = save_settings(uow, KEY, LicenceSettings(), "ops@x.example", T0 + timedelta(minutes=2))
    assert again == new
    entries = store.audit_entries(KEY)
    assert [(e.action, e.actor, e.source) for e in entries[1:]] == [
        (AuditAction.SETTINGS_CHANGED, "alex@acme.example", Source.DASHBOARD),
        (AuditAction.SETTINGS_CHANGED, "ops@x.example", Source.DASHBOARD),
    ]
    assert "After: Email an alert when vacant seats fall to 2 or below." in entries[1].message
    assert verify_chain(entries) == []


def test_recipient_changes_are_audited_on_the_customers_own_chain(store: Store) -> None:
    someone = Recipient("C01", "it@acme.example", "IT")
    assert store.add_recipient(someone, "alex", T0) is True
    assert store.add_recipient(someone, "alex", T0) is False
    quieter = replace(someone, wants=frozenset({NotificationType.TOP_UP_FAILED}))
    assert store.update_recipient(quieter, "alex", T0 + timedelta(seconds=1)) is True
    assert store.update_recipient(Recipient("C01", "no@acme.example"), "alex", T0) is False
    assert store.recipients("C01") == [quieter]
    assert store.delete_recipient("C01", "IT@acme.example", "alex", T0 + timedelta(seconds=2))
    assert store.delete_recipient("C01", "it@acme.example", "alex", T0) is False
    assert store.recipients("C01") == []
    chain = store.audit_entries(LicenceKey("C01", CUSTOMER_SCOPE))
    assert [e.action for e in chain] == [
        AuditAction.RECIPIENT_ADDED,
        AuditAction.RECIPIENT_CHANGED,
        AuditAction.RECIPIENT_REMOVED,
    ]
    assert "After: it@acme.example (IT): top-up failed or blocked" in chain[1].message
    assert verify_chain(chain) == []
    assert [e.key.sku_id for e in store.audit_page("C01", None, 10, None).entries] == [
        CUSTOMER_SCOPE
    ] * 3


def test_the_user_and_the_customer_in_the_path_are_read_together(store: Store) -> None:
    from licence_manager.domain.model import Customer

    user = User("alex@acme.example", "Alex", Role.CUSTOMER_ADMIN, frozenset({"C01"}))
    store.save_user(user)
    acme = Customer("C01", "acme.example", "Acme", TZ)
    store.save_customer(acme)
    assert store.user_and_customer("Alex@acme.example", "C01") == (user, acme)
    assert store.user_and_customer("alex@acme.example", None) == (user, None)
    assert store.user_and_customer("alex@acme.example", "C99") == (user, None)
    assert store.user_and_customer("nobody@acme.example", "C01") == (None, acme)


def test_my_licences_rows_carry_settings_states_and_the_discounted_price(store: Store) -> None:
    from decimal import Decimal

    observe(store, KEY.sku_id, 10, 0)
    observe(store, OTHER.sku_id, 5, 0)
    seed_demo_prices(store)
    new = LicenceSettings(low_licence_alert=True, alert_vacant_at_or_below=2)
    save_settings(unit_of_work_for(store), KEY, new, "alex@acme.example", T0)
    rows = store.licence_rows("C01")
    assert [lic.key for lic in rows.licences] == [OTHER, KEY]
    assert rows.extras[KEY][0] == new and rows.extras[OTHER][0] == LicenceSettings()
    listed = rows.price_of(KEY.sku_id, "FLEXIBLE")
    assert listed is not None
    store.save_discount("C01", Decimal(10), "ops@x.example", T0)
    discounted = store.licence_rows("C01").price_of(KEY.sku_id, "FLEXIBLE")
    assert discounted is not None
    assert discounted.per_seat_monthly_minor == round(listed.per_seat_monthly_minor * 0.9)
    assert store.licence_rows("C99").licences == []


def test_my_licences_list_prices_are_kept_a_minute_on_firestore(firestore_client: object) -> None:
    """Only what My Licences shows: another instance's price change shows within the minute,
    this instance's at once; price_lookup (spending limits, approvals) is never cached."""
    from dataclasses import replace as with_

    now = [0.0]
    shown = FirestoreApiStore(firestore_client, 60.0, lambda: now[0])  # type: ignore[arg-type]
    other = FirestoreApiStore(firestore_client)  # type: ignore[arg-type]
    observe(shown, KEY.sku_id, 10, 0)
    seed_demo_prices(other)

    def displayed() -> int | None:
        price = shown.licence_rows("C01").price_of(KEY.sku_id, "FLEXIBLE")
        return price.per_seat_monthly_minor if price else None

    def decided() -> int | None:
        price = shown.price_lookup("C01")(KEY.sku_id, "FLEXIBLE")
        return price.per_seat_monthly_minor if price else None

    before = displayed()
    assert before is not None
    (row,) = [p for p in other.prices() if (p.sku_id, p.plan_name) == (KEY.sku_id, "FLEXIBLE")]
    other.save_price(with_(row, per_seat_monthly_minor=before + 100))
    assert displayed() == before  # cached: another instance changed it
    assert decided() == before + 100  # money decisions read afresh
    now[0] = 61.0
    assert displayed() == before + 100
    shown.save_price(with_(row, per_seat_monthly_minor=before + 200))
    assert displayed() == before + 200  # this instance forgets its copy when it changes one

"""One contract, two units of work: MemoryUnitOfWork over an InMemoryStore must keep the
promises of FirestoreUnitOfWork on the emulator. Each repository only gets, puts and creates;
a unit commits all its writes or none, refuses a read after a write, and refuses to create a
document that exists.

The `backend` fixture here (a unit of work and the store over the same documents, per backend)
is shared by the other contract tests of the automation persistence."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from typing import Any, TypeVar

import pytest
from google.api_core.exceptions import InvalidArgument

from licence_manager.adapters import insights_codec
from licence_manager.adapters.firestore_automation import FirestoreStore
from licence_manager.adapters.firestore_unit_of_work import FirestoreUnitOfWork, ReadAfterWrite
from licence_manager.domain import audit, daily
from licence_manager.domain.anomaly import AnomalyPolicy, AssignedSample, TopUpPause
from licence_manager.domain.audit import AuditAction, AuditEntry, Source, verify_chain
from licence_manager.domain.automation import AutomationState
from licence_manager.domain.buying import BuyingControl
from licence_manager.domain.insights import HoldersStatus, LicenceInsights, SkuInsight
from licence_manager.domain.model import GENESIS, AuditHead, Licence, LicenceKey, Usage
from licence_manager.domain.notifications import Notification, NotificationType
from licence_manager.domain.settings import LicenceSettings, TopUpMode
from licence_manager.domain.spending import SpendingLimit
from licence_manager.domain.topup import TopUpRequest
from licence_manager.ports.unit_of_work import (
    BUYING,
    AlreadyExists,
    Repository,
    SavedSettings,
    Transaction,
    UnitOfWork,
)
from licence_manager.services.settings import save_settings
from tests.builders import T0, subscription
from tests.fakes.memory_automation import InMemoryStore
from tests.fakes.unit_of_work import MemoryUnitOfWork

Store = InMemoryStore | FirestoreStore
T = TypeVar("T")

TZ = "Europe/London"
KEY = LicenceKey("C01", "1010020028")


@dataclass(frozen=True)
class Backend:
    """A unit of work and the store that reads (and sets up) the same documents."""

    name: str
    uow: UnitOfWork
    store: Store

    def run(self, work: Callable[[Transaction], T]) -> T:
        return self.uow.run(work)


@pytest.fixture(params=["memory", "firestore"])
def backend(request: pytest.FixtureRequest) -> Backend:
    if request.param == "memory":
        store = InMemoryStore()
        return Backend("memory", MemoryUnitOfWork(store), store)
    client = request.getfixturevalue("firestore_client")
    return Backend("firestore", FirestoreUnitOfWork(client), FirestoreStore(client))


# sample documents


def a_licence(total: int = 10, assigned: int = 9) -> Licence:
    usage = Usage.of(subscription(total=total, assigned=assigned))
    # the fields subscription alerts read: a trial's end and a suspension's reasons
    usage = replace(
        usage, trial_ends_at=T0 + timedelta(days=30), suspension_reasons=("OTHER", "TRIAL_ENDED")
    )
    return Licence(KEY, "acme.example", usage, TZ, T0)


def a_request(request_id: str = "r1", seats_to_add: int = 3) -> TopUpRequest:
    return TopUpRequest(
        request_id=request_id,
        key=KEY,
        source=Source.MANUAL,
        requested_by="admin@acme.example",
        plan_name="FLEXIBLE",
        seats_to_add=seats_to_add,
        total_before=10,
        total_after=10 + seats_to_add,
        created_at=T0,
    )


def an_entry(head: AuditHead = GENESIS, message: str = "seats changed") -> AuditEntry:
    return audit.append(
        head, KEY, T0, AuditAction.SEATS_CHANGED_OUTSIDE, Source.OUTSIDE, "", message, 10, 12
    )


A_DAY = daily.roll(None, KEY, TZ, T0, None, a_licence().usage)
A_STATE = AutomationState(
    low_alert_active=True,
    low_alerts=2,
    pending_request_id="r1",
    top_ups=1,
    month="2026-11",
    seats_added_this_month=3,
    in_flight_request_id="r1",
    in_flight_total_after=13,
    in_flight_since=T0 + timedelta(microseconds=123456),
    # the anomaly guard's window, pause and count, and the latest subscription alert
    assigned_window=(AssignedSample(T0, 5), AssignedSample(T0 + timedelta(minutes=5), 20)),
    top_ups_paused=TopUpPause(
        T0 + timedelta(minutes=5), "anomaly guard", "rose by 15", 15, 5, 20, T0, 40
    ),
    anomaly_pauses=1,
    status_alert_id="C01_1010020028-status-3",
)
A_NOTIFICATION = Notification(
    "n1", KEY, NotificationType.LOW_LICENCES, T0, {"vacant": 1, "skuName": "Business Standard"}
)
SETTINGS = LicenceSettings(
    low_licence_alert=True,
    alert_vacant_at_or_below=3,
    alert_utilisation_at_or_above=0.85,
    auto_top_up=True,
    top_up_when_vacant_below=2,
    top_up_target_vacant=5,
    top_up_mode=TopUpMode.FIXED_STEP,
    top_up_step=4,
    max_total_seats=200,
    max_seats_per_month=20,
    hold_top_ups_when_reclaimable=4,
)
ADDON = "1010470001"  # a SKU the customer's insights do not list
INSIGHTS = LicenceInsights(
    customer_id="C01",
    synced_at=T0 + timedelta(microseconds=250),
    holders_status=HoldersStatus.OK,
    holders_detail="",
    inactive_days=60,
    skus={KEY.sku_id: SkuInsight("Google-Apps", 12, 5, 1, 3, 1)},
)

# Each repository with a key and a document to store under it.
DOCUMENTS: dict[str, tuple[Any, Any]] = {
    "licences": (KEY, a_licence()),
    "days": ((KEY, A_DAY.day), A_DAY),
    "audit_heads": (KEY, AuditHead(seq=7, hash="ab" * 32)),
    "audit_events": (an_entry().doc_id, an_entry()),
    "automation": (KEY, A_STATE),
    "settings": (KEY, SavedSettings(SETTINGS, "admin@acme.example", T0)),
    "requests": ("r1", a_request()),
    "notifications": ("n1", A_NOTIFICATION),
    "controls": (BUYING, BuyingControl(True, "card declined", "ops@reseller.example", T0)),
    "buying_changes": (
        "20261130T120000000000Z-ab12cd34",
        BuyingControl(True, "card declined", "ops@reseller.example", T0),
    ),
    "spending_limits": ("C01", SpendingLimit("C01", 80, 350_000, "GBP", "ops@r.example", T0)),
    "insights": ("C01", INSIGHTS),
    "anomaly_policies": ("C01", AnomalyPolicy("C01", 4, 15, "admin@acme.example", T0)),
}


def repository(tx: Transaction, name: str) -> Repository[Any, Any]:
    found: Repository[Any, Any] = getattr(tx, name)
    return found


class Boom(Exception):
    """The work failed half-way."""


# reads


@pytest.mark.parametrize("name", DOCUMENTS)
def test_a_missing_document_reads_as_none(backend: Backend, name: str) -> None:
    key, _ = DOCUMENTS[name]
    assert backend.run(lambda tx: repository(tx, name).get(key)) is None


def test_documents_never_written_read_as_the_domains_defaults(backend: Backend) -> None:
    def read(tx: Transaction) -> tuple[object, ...]:
        return (
            tx.automation_of(KEY),
            tx.head_of(KEY),
            tx.settings_of(KEY),
            tx.buying_control(),
            tx.spending_limit_of("C01"),
            tx.anomaly_policy_of("C01"),
        )

    assert backend.run(read) == (
        AutomationState(),
        GENESIS,
        SavedSettings(LicenceSettings()),
        BuyingControl(),
        SpendingLimit("C01", 50, 200_000),
        AnomalyPolicy("C01", 10, 20),
    )


# writes


@pytest.mark.parametrize("name", [n for n in DOCUMENTS if n != "audit_events"])
def test_a_put_document_is_read_back_equal_in_a_later_unit(backend: Backend, name: str) -> None:
    key, value = DOCUMENTS[name]

    def read_then_put(tx: Transaction) -> None:
        repository(tx, name).get(key)  # a licence is only written after it is read
        repository(tx, name).put(key, value)

    backend.run(read_then_put)

    assert backend.run(lambda tx: repository(tx, name).get(key)) == value


@pytest.mark.parametrize("name", DOCUMENTS)
def test_a_created_document_is_read_back_equal_in_a_later_unit(backend: Backend, name: str) -> None:
    key, value = DOCUMENTS[name]
    backend.run(lambda tx: repository(tx, name).create(key, value))

    assert backend.run(lambda tx: repository(tx, name).get(key)) == value


def test_a_put_replaces_the_whole_document(backend: Backend) -> None:
    backend.run(lambda tx: tx.requests.put("r1", a_request(seats_to_add=3)))
    backend.run(lambda tx: tx.requests.put("r1", a_request(seats_to_add=5)))

    assert backend.store.request("r1") == a_request(seats_to_add=5)


def test_writes_of_one_unit_are_seen_by_the_store(backend: Backend) -> None:
    def write(tx: Transaction) -> None:
        tx.licences.get(KEY)
        tx.licences.put(KEY, a_licence())
        tx.requests.put("r1", a_request())
        tx.automation.put(KEY, A_STATE)

    backend.run(write)

    store = backend.store
    assert (store.licences_of("C01"), store.requests_of(KEY)) == ([a_licence()], [a_request()])
    assert store.automation_state(KEY) == A_STATE


def test_a_unit_returns_what_its_work_returns(backend: Backend) -> None:
    backend.run(lambda tx: tx.requests.put("r1", a_request()))

    assert backend.run(lambda tx: tx.requests.get("r1")) == a_request()
    assert backend.run(lambda _tx: "done") == "done"


# all or nothing


def test_creating_an_existing_document_refuses_the_whole_unit(backend: Backend) -> None:
    backend.run(lambda tx: tx.requests.create("r1", a_request()))

    def create_again(tx: Transaction) -> None:
        tx.licences.get(KEY)
        tx.automation.put(KEY, A_STATE)
        tx.requests.create("r2", a_request("r2"))
        tx.requests.create("r1", a_request(seats_to_add=50))
        tx.licences.put(KEY, a_licence())

    with pytest.raises(AlreadyExists):
        backend.run(create_again)

    store = backend.store
    assert store.requests_of(KEY) == [a_request()]  # neither replaced nor joined by r2
    assert store.automation_state(KEY) == AutomationState()
    assert store.licences_of("C01") == []


@pytest.mark.parametrize("first_write", ["create", "put"])
def test_creating_a_document_the_unit_already_wrote_refuses_the_unit(
    backend: Backend, request: pytest.FixtureRequest, first_write: str
) -> None:

    def write_twice(tx: Transaction) -> None:
        tx.automation.put(KEY, A_STATE)
        getattr(tx.requests, first_write)("r1", a_request())
        tx.requests.create("r1", a_request(seats_to_add=5))

    with pytest.raises((AlreadyExists, InvalidArgument)):
        backend.run(write_twice)

    assert backend.store.request("r1") is None
    assert backend.store.automation_state(KEY) == AutomationState()


def test_a_create_then_a_put_of_one_document_keeps_the_put(backend: Backend) -> None:
    def create_then_put(tx: Transaction) -> None:
        tx.requests.create("r1", a_request())
        tx.requests.put("r1", a_request(seats_to_add=5))

    backend.run(create_then_put)

    assert backend.store.request("r1") == a_request(seats_to_add=5)


def test_an_error_in_the_work_writes_nothing(backend: Backend) -> None:
    def fail_half_way(tx: Transaction) -> None:
        tx.requests.put("r1", a_request())
        tx.automation.put(KEY, A_STATE)
        raise Boom

    with pytest.raises(Boom):
        backend.run(fail_half_way)

    assert backend.store.request("r1") is None
    assert backend.store.automation_state(KEY) == AutomationState()


def test_a_read_after_a_write_is_refused_and_writes_nothing(backend: Backend) -> None:
    def write_then_read(tx: Transaction) -> None:
        tx.requests.put("r1", a_request())
        tx.automation.get(KEY)

    with pytest.raises(ReadAfterWrite):
        backend.run(write_then_read)

    assert backend.store.request("r1") is None


def test_reads_after_a_create_are_refused_too(backend: Backend) -> None:
    def create_then_read(tx: Transaction) -> None:
        tx.notifications.create("n1", A_NOTIFICATION)
        tx.settings_of(KEY)

    with pytest.raises(ReadAfterWrite):
        backend.run(create_then_read)

    assert backend.store.notification("n1") is None


# settings and controls


def test_saved_settings_keep_who_saved_them_and_when(backend: Backend) -> None:
    saved = SavedSettings(SETTINGS, "admin@acme.example", T0 + timedelta(microseconds=5))
    backend.run(lambda tx: tx.settings.put(KEY, saved))

    assert backend.run(lambda tx: tx.settings_of(KEY)) == saved
    assert backend.store.settings(KEY) == SETTINGS


def test_settings_saved_without_a_time_are_stamped_when_written(backend: Backend) -> None:
    start = datetime.now(UTC)
    backend.run(lambda tx: tx.settings.put(KEY, SavedSettings(SETTINGS, "admin@acme.example")))

    read = backend.run(lambda tx: tx.settings_of(KEY))

    assert (read.settings, read.updated_by) == (SETTINGS, "admin@acme.example")
    assert read.updated_at is not None and start <= read.updated_at <= datetime.now(UTC)


def test_settings_saved_by_the_store_read_with_who_and_when(backend: Backend) -> None:
    save_settings(backend.uow, KEY, SETTINGS, "admin@acme.example", T0)

    assert backend.run(lambda tx: tx.settings_of(KEY)) == SavedSettings(
        SETTINGS, "admin@acme.example", T0
    )


def test_the_buying_control_reads_back_equal(backend: Backend) -> None:
    paused = BuyingControl(True, "card declined", "ops@reseller.example", T0)
    backend.run(lambda tx: tx.controls.put(BUYING, paused))
    assert backend.run(lambda tx: tx.buying_control()) == paused

    resumed = BuyingControl(False, "", "ops@reseller.example", T0 + timedelta(hours=1))
    backend.run(lambda tx: tx.controls.put(BUYING, resumed))
    assert backend.run(lambda tx: tx.buying_control()) == resumed


# reclaimable seats (licence_insights), as the buying rule reads them


def test_reclaimable_seats_are_unknown_for_a_customer_with_no_insights(backend: Backend) -> None:
    assert backend.run(lambda tx: tx.reclaimable_of(KEY)) is None


def test_reclaimable_seats_of_a_sku_come_from_its_customers_insights(backend: Backend) -> None:
    backend.run(lambda tx: tx.insights.put("C01", INSIGHTS))

    assert backend.run(lambda tx: tx.reclaimable_of(KEY)) == 5
    # a SKU nobody holds has nothing to reclaim; another customer's insights are not its own
    assert backend.run(lambda tx: tx.reclaimable_of(LicenceKey("C01", ADDON))) == 0
    assert backend.run(lambda tx: tx.reclaimable_of(LicenceKey("C02", KEY.sku_id))) is None


@pytest.mark.parametrize("status", [HoldersStatus.NO_ACCESS, HoldersStatus.ERROR])
def test_reclaimable_seats_are_unknown_when_the_holders_could_not_be_read(
    backend: Backend, status: HoldersStatus
) -> None:
    backend.run(lambda tx: tx.insights.put("C01", replace(INSIGHTS, holders_status=status)))

    assert backend.run(lambda tx: tx.reclaimable_of(KEY)) is None


def test_the_insights_read_is_a_read_before_the_writes(backend: Backend) -> None:
    def write_then_read(tx: Transaction) -> None:
        tx.requests.put("r1", a_request())
        tx.reclaimable_of(KEY)

    with pytest.raises(ReadAfterWrite):
        backend.run(write_then_read)


def test_a_document_the_holder_sync_wrote_is_read_with_its_codec(
    request: pytest.FixtureRequest,
) -> None:
    """Firestore only: the document as the holder sync writes it (its codec, not this unit of
    work), and what reclaimable_from_doc makes of it, is what the claim reads."""
    client = request.getfixturevalue("firestore_client")
    doc = insights_codec.insights_to_doc(INSIGHTS)
    client.collection(insights_codec.INSIGHTS).document("C01").set(doc)
    uow = FirestoreUnitOfWork(client)

    assert uow.run(lambda tx: tx.reclaimable_of(KEY)) == 5
    assert uow.run(lambda tx: tx.reclaimable_of(KEY)) == insights_codec.reclaimable_from_doc(
        doc, KEY.sku_id
    )
    client.collection(insights_codec.INSIGHTS).document("C01").set(
        {**doc, "holdersStatus": "NO_ACCESS"}
    )
    assert uow.run(lambda tx: tx.reclaimable_of(KEY)) is None


def test_settings_saved_before_the_reclaim_hold_existed_read_with_it_off(
    request: pytest.FixtureRequest,
) -> None:
    """Firestore only: a licence_settings document without holdTopUpsWhenReclaimable."""
    client = request.getfixturevalue("firestore_client")
    uow = FirestoreUnitOfWork(client)
    uow.run(lambda tx: tx.settings.put(KEY, SavedSettings(SETTINGS, "admin@acme.example", T0)))
    ref = client.collection("licence_settings").document(KEY.doc_id)
    old = {k: v for k, v in ref.get().to_dict().items() if k != "holdTopUpsWhenReclaimable"}
    ref.set(old)

    read = uow.run(lambda tx: tx.settings_of(KEY)).settings
    assert read == replace(SETTINGS, hold_top_ups_when_reclaimable=None)


# the audit chain


def test_appended_audit_entries_are_stored_with_their_head(backend: Backend) -> None:
    first = an_entry(message="first")
    second = an_entry(first.head, message="second")
    backend.run(lambda tx: tx.append_audit((first, second), second.head))

    assert backend.store.audit_entries(KEY) == [first, second]
    assert backend.run(lambda tx: tx.head_of(KEY)) == second.head


def test_a_later_append_continues_the_chain(backend: Backend) -> None:
    first = an_entry(message="first")
    backend.run(lambda tx: tx.append_audit((first,), first.head))

    def append_next(tx: Transaction) -> None:
        entry = an_entry(tx.head_of(KEY), message="second")
        tx.append_audit((entry,), entry.head)

    backend.run(append_next)

    entries = backend.store.audit_entries(KEY)
    assert [e.seq for e in entries] == [1, 2]
    assert verify_chain(entries) == []
    assert backend.run(lambda tx: tx.head_of(KEY)) == entries[-1].head


def test_appending_an_entry_again_is_refused_and_moves_no_head(backend: Backend) -> None:
    first = an_entry(message="first")
    backend.run(lambda tx: tx.append_audit((first,), first.head))
    replayed = replace(an_entry(message="first, decided again"), at=T0 + timedelta(seconds=1))

    with pytest.raises(AlreadyExists):
        backend.run(lambda tx: tx.append_audit((replayed,), replayed.head))

    assert backend.store.audit_entries(KEY) == [first]
    assert backend.run(lambda tx: tx.head_of(KEY)) == first.head


def test_appending_no_entries_writes_nothing(backend: Backend) -> None:
    backend.run(lambda tx: tx.append_audit((), AuditHead(seq=3, hash="cd" * 32)))

    assert backend.run(lambda tx: tx.audit_heads.get(KEY)) is None


def test_days_are_kept_apart_by_date(backend: Backend) -> None:
    tomorrow = replace(A_DAY, day=A_DAY.day + timedelta(days=1), changes=5)

    def write(tx: Transaction) -> None:
        tx.days.put((KEY, A_DAY.day), A_DAY)
        tx.days.put((KEY, tomorrow.day), tomorrow)

    backend.run(write)

    assert backend.run(lambda tx: tx.days.get((KEY, A_DAY.day))) == A_DAY
    assert backend.run(lambda tx: tx.days.get((KEY, tomorrow.day))) == tomorrow
    assert backend.run(lambda tx: tx.days.get((KEY, date(2026, 1, 1)))) is None

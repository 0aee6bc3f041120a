"""`licence-manager ops resume-top-ups --customer --sku`: reseller ops lift the anomaly guard's
pause of one licence through the real command line, audited with who; a licence not paused is
left alone with exit code 1."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

from licence_manager.cli import Clients, main
from licence_manager.domain.audit import AuditAction, Source
from licence_manager.services.recording import record_seen
from tests.automation_harness import restore_policy
from tests.builders import subscription
from tests.fakes.memory_automation import RecordingPublisher
from tests.fakes.memory_dashboard import InMemoryApiStore
from tests.fakes.unit_of_work import MemoryUnitOfWork

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


def run(
    store: InMemoryApiStore, *argv: str, publisher: RecordingPublisher | None = None
) -> tuple[int, str]:
    out = io.StringIO()
    topics: list[tuple[str, str]] = []

    def publisher_to(project: str, prefix: str) -> RecordingPublisher:
        topics.append((project, prefix))
        return publisher or RecordingPublisher()

    clients = Clients(
        unit_of_work=lambda _project, _database: MemoryUnitOfWork(store),
        notification_publisher=publisher_to,
    )
    code = main(list(argv), clients=clients, out=out)
    assert set(topics) <= {("p", "lm")}  # the deployment's own topics
    return code, out.getvalue()


def test_ops_resume_a_paused_licence_once() -> None:
    store = InMemoryApiStore()
    uow = MemoryUnitOfWork(store)
    record_seen(uow, subscription(total=40, assigned=5), "UTC", T0)
    record_seen(uow, subscription(total=40, assigned=20), "UTC", T0 + timedelta(minutes=5))
    key = subscription().key
    assert store.automation_state(key).top_ups_paused is not None
    argv = ("ops", "--project", "p", "resume-top-ups", "--customer", "C01", "--sku", key.sku_id)
    code, out = run(store, *argv, "--by", "kim")
    assert code == 0 and "resumed" in out and "rose by 15" in out
    assert store.automation_state(key).top_ups_paused is None
    [entry] = [e for e in store.audit_entries(key) if e.action is AuditAction.TOP_UPS_RESUMED]
    assert entry.actor == "kim"
    code, out = run(store, *argv)
    assert code == 1 and "not paused" in out


def test_ops_resume_evaluates_at_once_and_publishes_the_top_up_now_due() -> None:
    """As the dashboard's Resume: a licence left below its trigger while paused is topped up
    now, not at its next usage change."""
    store = InMemoryApiStore()
    uow = MemoryUnitOfWork(store)
    key = subscription().key
    store.settings_records[key] = restore_policy(trigger=25, target=30)
    record_seen(uow, subscription(total=40, assigned=5), "UTC", T0)
    record_seen(uow, subscription(total=40, assigned=20), "UTC", T0 + timedelta(minutes=5))
    assert store.automation_state(key).top_ups_paused is not None  # 20 vacant, below 25
    assert store.requests_of(key) == []
    publisher = RecordingPublisher()
    argv = ("ops", "--project", "p", "resume-top-ups", "--customer", "C01", "--sku", key.sku_id)
    code, out = run(store, *argv, "--prefix", "lm", publisher=publisher)
    assert code == 0 and "lm-topup-requests" in out
    [request] = store.requests_of(key)
    assert request.source is Source.AUTOMATIC and request.total_after == 50
    assert publisher.top_ups == [request.request_id]
    code, _ = run(store, *argv, publisher=publisher)  # not paused: nothing evaluated again
    assert code == 1 and publisher.top_ups == [request.request_id]

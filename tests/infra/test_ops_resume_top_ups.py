"""`licence-manager ops resume-top-ups --customer --sku`: reseller ops lift the anomaly guard's
pause of one licence through the real command line, audited with who; a licence not paused is
left alone with exit code 1."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

from licence_manager.cli import Clients, main
from licence_manager.domain.audit import AuditAction
from licence_manager.services.recording import record_seen
from tests.builders import subscription
from tests.fakes.memory_dashboard import InMemoryApiStore
from tests.fakes.unit_of_work import MemoryUnitOfWork

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


def run(store: InMemoryApiStore, *argv: str) -> tuple[int, str]:
    out = io.StringIO()
    clients = Clients(unit_of_work=lambda _project, _database: MemoryUnitOfWork(store))
    return main(list(argv), clients=clients, out=out), out.getvalue()


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

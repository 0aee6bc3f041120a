"""`licence-manager ops pause-buying / resume-buying / spending-limit` (security review #11,
#14) through the real command line, on the in-memory unit of work that stands in for the
deployment's Firestore (the contract tests hold the two to the same behaviour)."""

from __future__ import annotations

import io

from licence_manager.cli import Clients, main
from licence_manager.services.buying_control import buying_paused
from licence_manager.services.spending import spending_limit
from tests.fakes.memory_dashboard import InMemoryApiStore
from tests.fakes.unit_of_work import MemoryUnitOfWork


def run(*argv: str) -> tuple[int, str, MemoryUnitOfWork, list[tuple[str, str]]]:
    uow = MemoryUnitOfWork(RUN.store)
    opened: list[tuple[str, str]] = []

    def open_firestore(project: str, database: str) -> MemoryUnitOfWork:
        opened.append((project, database))
        return uow

    out = io.StringIO()
    code = main(list(argv), clients=Clients(unit_of_work=open_firestore), out=out)
    return code, out.getvalue(), uow, opened


class RUN:
    store = InMemoryApiStore()


def setup_function() -> None:
    RUN.store = InMemoryApiStore()


def test_pause_and_resume_buying_with_who_and_why() -> None:
    code, out, uow, opened = run(
        "ops", "--project", "lm-prod", "pause-buying", "--reason", "incident 42", "--by", "kim"
    )
    assert code == 0 and "paused" in out
    assert opened == [("lm-prod", "(default)")]
    assert buying_paused(uow) is not None and "incident 42" in str(buying_paused(uow))
    code, out, uow, _ = run("ops", "resume-buying", "--project", "lm-prod", "--database", "db2")
    assert code == 0 and buying_paused(uow) is None
    changes = list(RUN.store.buying_changes.values())
    assert [(c.paused, c.changed_by, c.reason) for c in changes] == [
        (True, "kim", "incident 42"),
        (False, changes[1].changed_by, ""),
    ]


def test_pause_needs_a_reason_and_a_project() -> None:
    try:
        run("ops", "--project", "lm-prod", "pause-buying")
    except SystemExit as exit_:
        assert exit_.code == 2
    else:
        raise AssertionError("pause-buying without --reason was accepted")
    code, _, _, opened = run("ops", "--project", "", "resume-buying")
    assert code == 2 and opened == []


def test_spending_limit_shows_then_changes_a_customers_limits() -> None:
    code, out, _, _ = run("ops", "--project", "p", "spending-limit", "--customer", "C01")
    assert code == 0
    assert "at most 50 seats per request and £2,000 a month" in out and "defaults" in out
    code, out, uow, _ = run(
        "ops", "--project", "p", "spending-limit", "--customer", "C01", "--monthly-pounds", "5000"
    )
    assert code == 0 and "£5,000 a month" in out and "at most 50 seats" in out
    assert spending_limit(uow, "C01").max_monthly_cost_minor == 500_000
    code, out, _, _ = run(
        "ops", "--project", "p", "spending-limit", "--customer", "C01", "--seats", "0"
    )
    assert code == 2 and "--seats" in out
    assert spending_limit(uow, "C01").max_seats_per_request == 50

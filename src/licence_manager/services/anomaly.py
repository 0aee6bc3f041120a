"""The anomaly guard's people-facing side: resume a licence's automatic top-ups, and read or
change a customer's thresholds. The pause itself is set by the sync's record step
(services.recording, domain.anomaly_guard), never here.

Only `resume_top_ups` lifts a pause: a settings save does not (domain.automation.settings_saved
leaves it), so an admin changing a cap has not thereby said the new users are genuine.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from licence_manager.domain import anomaly_guard, audit
from licence_manager.domain.anomaly import AnomalyPolicy, TopUpPause, policy_problems
from licence_manager.domain.audit import AuditAction, Source
from licence_manager.domain.changes import customer_key
from licence_manager.domain.model import LicenceKey
from licence_manager.ports import Publisher
from licence_manager.ports.unit_of_work import Transaction, UnitOfWork
from licence_manager.services.evaluate import EvaluateLicence
from licence_manager.services.sync import Clock, utc_now


class NotPaused(Exception):
    """The licence is unknown or its automatic top-ups are not paused."""


def resume_top_ups(
    uow: UnitOfWork, key: LicenceKey, by: str, at: datetime, source: Source = Source.DASHBOARD
) -> TopUpPause:
    """Lift the pause, audited in the licence's chain with `by`; returns the pause lifted.
    Raises NotPaused when there is none (a second click finds it lifted)."""

    def work(tx: Transaction) -> TopUpPause | None:
        licence = tx.licences.get(key)
        state = tx.automation_of(key)
        head = tx.head_of(key)
        if licence is None:
            return None
        done = anomaly_guard.resume(state, licence, head, by, at, source)
        if done is None:
            return None
        tx.automation.put(key, done.state)
        tx.append_audit((done.entry,), done.entry.head)
        return state.top_ups_paused

    lifted = uow.run(work)
    if lifted is None:
        raise NotPaused(f"automatic top-ups of {key.doc_id} are not paused")
    return lifted


class ResumeTopUps:
    """Resume, then evaluate the licence at once: the resume writes no document Eventarc
    watches, and a licence left below its trigger while paused should not wait for its next
    usage change to be topped up."""

    def __init__(self, uow: UnitOfWork, publisher: Publisher, clock: Clock = utc_now) -> None:
        self._uow = uow
        self._evaluate = EvaluateLicence(uow, publisher, clock)
        self._clock = clock

    def __call__(self, key: LicenceKey, by: str) -> TopUpPause:
        lifted = resume_top_ups(self._uow, key, by, self._clock())
        self._evaluate(key)
        return lifted


def anomaly_policy(uow: UnitOfWork, customer_id: str) -> AnomalyPolicy:
    return uow.run(lambda tx: tx.anomaly_policy_of(customer_id))


class PolicyProblems(ValueError):
    def __init__(self, problems: dict[str, str]) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in problems.items()))
        self.problems = problems


def set_anomaly_policy(
    uow: UnitOfWork, customer_id: str, min_users: object, min_percent: object, by: str, at: datetime
) -> AnomalyPolicy:
    """Save the customer's thresholds (validated; PolicyProblems otherwise), audited in the
    customer's own chain. They apply from the next recording: the window keeps counts, not
    verdicts, so lowered thresholds judge the rise already in the hour."""
    problems = policy_problems(min_users, min_percent)
    if problems:
        raise PolicyProblems(problems)
    assert isinstance(min_users, int) and isinstance(min_percent, int)

    def work(tx: Transaction) -> AnomalyPolicy:
        before = tx.anomaly_policy_of(customer_id)
        head = tx.head_of(customer_key(customer_id))
        after = replace(
            before, min_users=min_users, min_percent=min_percent, changed_by=by, changed_at=at
        )
        tx.anomaly_policies.put(customer_id, after)
        entry = audit.append(
            head,
            customer_key(customer_id),
            at,
            AuditAction.ANOMALY_POLICY_CHANGED,
            Source.DASHBOARD,
            by,
            f"Anomaly thresholds changed. Before: {_words(before)}. After: {_words(after)}.",
        )
        tx.append_audit((entry,), entry.head)
        return after

    return uow.run(work)


def _words(policy: AnomalyPolicy) -> str:
    return f"more than {policy.min_users} users and {policy.min_percent}% of seats in an hour"

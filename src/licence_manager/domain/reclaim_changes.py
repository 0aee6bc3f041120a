"""The audit entry of a change to a customer's reclaim policy (domain.reclaim.ReclaimPolicy):
a customer-wide setting, so it goes into the customer's own chain as the time zone does."""

from __future__ import annotations

from datetime import datetime

from licence_manager.domain import audit
from licence_manager.domain.audit import AuditAction, AuditEntry, Source
from licence_manager.domain.changes import customer_key
from licence_manager.domain.model import AuditHead
from licence_manager.domain.reclaim import ReclaimPolicy


def policy_words(policy: ReclaimPolicy) -> str:
    return f"reclaimable after {policy.inactive_days} days without activity"


def reclaim_policy_changed(
    head: AuditHead,
    customer_id: str,
    at: datetime,
    actor: str,
    before: ReclaimPolicy,
    after: ReclaimPolicy,
) -> AuditEntry:
    message = (
        f"Reclaim policy changed. Before: {policy_words(before)}. After: {policy_words(after)}."
    )
    return audit.append(
        head,
        customer_key(customer_id),
        at,
        AuditAction.RECLAIM_POLICY_CHANGED,
        Source.DASHBOARD,
        actor,
        message,
    )

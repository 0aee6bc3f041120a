"""How the audit log reads to people: one label per action and source, and plan and status
codes in messages replaced by the words the rest of the dashboard uses. The Logs page and the
CSV export both take their wording from here, so they always agree; web/src/format.ts keeps
the same labels for the page's filter (tests/unit/test_log_wording.py holds them together).

Stored messages are part of the hash chain and are never rewritten: the wording is applied
when they are shown."""

from __future__ import annotations

import re

from licence_manager.domain.audit import AuditAction, Source

ACTION_LABELS: dict[AuditAction, str] = {
    AuditAction.LICENCE_DISCOVERED: "Licence found",
    AuditAction.SEATS_CHANGED_OUTSIDE: "Seats changed outside Licence Manager",
    AuditAction.PLAN_CHANGED: "Plan changed",
    AuditAction.STATUS_CHANGED: "Status changed",
    AuditAction.LICENCE_REMOVED: "Licence removed",
    AuditAction.LOW_LICENCE_ALERT: "Low licence alert",
    AuditAction.TOP_UP_REQUESTED: "Licences requested",
    AuditAction.TOP_UP_BLOCKED: "Top-up blocked",
    AuditAction.TOP_UP_APPLIED: "Licences added",
    AuditAction.TOP_UP_FAILED: "Licences not added",
    AuditAction.TOP_UP_SUPERSEDED: "Request not needed",
    AuditAction.TOP_UP_APPROVED: "Approved by the reseller",
    AuditAction.SETTINGS_CHANGED: "Settings changed",
    AuditAction.RECIPIENT_ADDED: "Recipient added",
    AuditAction.RECIPIENT_CHANGED: "Recipient changed",
    AuditAction.RECIPIENT_REMOVED: "Recipient removed",
    AuditAction.NOTIFICATION_RESENT: "Email sent again",
    AuditAction.TIME_ZONE_CHANGED: "Time zone changed",
    AuditAction.RECLAIM_POLICY_CHANGED: "Reclaim policy changed",
    AuditAction.SEAT_UNASSIGNED: "Seat unassigned",
    AuditAction.RENEWAL_TYPE_CHANGED: "Renewal type changed",
    AuditAction.TOP_UPS_PAUSED: "Automatic top-ups paused",
    AuditAction.TOP_UPS_RESUMED: "Automatic top-ups resumed",
    AuditAction.ANOMALY_POLICY_CHANGED: "Anomaly thresholds changed",
}

# A purchase is a request like a manual addition; people call it by its own name.
PURCHASE_LABELS: dict[AuditAction, str] = {
    AuditAction.TOP_UP_APPLIED: "Licences bought",
    AuditAction.TOP_UP_REQUESTED: "Purchase requested",
}

SOURCE_LABELS: dict[Source, str] = {
    Source.SYNC: "Sync",
    Source.OUTSIDE: "Outside Licence Manager",
    Source.AUTOMATIC: "Automatic top-up",
    Source.MANUAL: "Added by hand",
    Source.PURCHASE: "Purchase",
    Source.DASHBOARD: "Dashboard",
}

# The codes the sync writes into messages ("found on plan FLEXIBLE", "from ACTIVE to ...").
CODE_WORDS: dict[str, str] = {
    "ANNUAL_MONTHLY_PAY": "Annual (monthly payments)",
    "ANNUAL_YEARLY_PAY": "Annual (yearly payment)",
    "ANNUAL": "Annual (monthly payments)",
    "FLEXIBLE": "Flexible",
    "TRIAL": "Trial",
    "FREE": "Free",
    "ACTIVE": "Active",
    "SUSPENDED": "Suspended",
    "PENDING": "Pending",
    "REMOVED": "Removed",
}
# Whole words only, never part of an address or a name (longest first, so ANNUAL_YEARLY_PAY
# is never read as ANNUAL); a full stop ending the sentence may follow.
_CODES = re.compile(
    r"(?<![\w@.-])(" + "|".join(sorted(CODE_WORDS, key=len, reverse=True)) + r")(?![\w@-]|\.\w)"
)


def action_label(action: AuditAction, source: Source) -> str:
    if source is Source.PURCHASE and action in PURCHASE_LABELS:
        return PURCHASE_LABELS[action]
    # An action added without a label must not break the log (the unit tests demand one).
    return ACTION_LABELS.get(action) or _plain(action.value)


def source_label(source: Source) -> str:
    return SOURCE_LABELS.get(source) or _plain(source.value)


def _plain(code: str) -> str:
    """TIME_ZONE_CHANGED → "Time zone changed"."""
    return code.replace("_", " ").capitalize()


def humanise(message: str) -> str:
    """The message with plan and status codes in words: "found on plan Flexible"."""
    return _CODES.sub(lambda m: CODE_WORDS[m.group(1)], message)

"""Subscription events worth an alert, told from what the sync records: a subscription
suspended, or gone from the customer's online subscriptions (cancelled or transferred away: a
listing cannot tell which), and a trial ending in 7 days or ended.

Each alert is sent once per occurrence:
- A suspension or a removal is a change of the stored status, recorded once by the sync's
  record step; its alert is created in that same transaction, with the id of the audit entry
  that records the change (`{licenceId}-status-{seq}`), so a retried transaction makes the same
  one and a second sync sees no change.
- A trial's alerts are due by the clock, so the daily step asks for them (services.trial_alerts)
  with ids of the trial's end date and stage (`{licenceId}-trial-{date}-{7d|ended}`), created
  only if absent, as renewal reminders are.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from licence_manager.domain.audit import AuditAction, AuditEntry
from licence_manager.domain.automation import usage_facts
from licence_manager.domain.model import Licence
from licence_manager.domain.notifications import Notification, NotificationType

SUSPENDED = "SUSPENDED"
REMOVED = "REMOVED"  # domain.observation's status for a licence no longer listed
TRIAL_NOTICE = timedelta(days=7)
# A trial that ended longer ago than this is not announced (a first run after an upgrade).
TRIAL_ENDED_NEWS = timedelta(days=7)

_REASONS = {
    "PENDING_TOS_ACCEPTANCE": "the customer has not accepted the Terms of Service",
    "RENEWAL_WITH_TYPE_CANCEL": "its term ended with the renewal set to cancel",
    "RESELLER_INITIATED": "the reseller suspended it",
    "TRIAL_ENDED": "its trial ended without a plan chosen",
    "OTHER": "Google suspended it for another reason",
}


def status_alert(
    before: Licence | None, after: Licence, entries: tuple[AuditEntry, ...], at: datetime
) -> Notification | None:
    """The alert of a suspension or removal the record step is writing now (None: neither).
    `entries`: the audit entries it writes with it, whose sequence names the alert."""
    if before is None or before.usage.status == after.usage.status:
        return None
    status = after.usage.status
    if status not in (SUSPENDED, REMOVED):
        return None
    action = AuditAction.LICENCE_REMOVED if status == REMOVED else AuditAction.STATUS_CHANGED
    entry = next((e for e in entries if e.action is action), None)
    if entry is None:
        return None
    if status == SUSPENDED:
        reasons = "; ".join(_REASONS.get(r, r) for r in after.usage.suspension_reasons)
        event = "suspended"
        advice = (
            "Its users keep their accounts, but the service is interrupted until the suspension "
            "is lifted; contact your reseller."
        )
    else:
        reasons = ""
        event = "cancelled or transferred away"
        advice = (
            "It is no longer among the subscriptions your reseller manages: it was cancelled, "
            "or transferred to another reseller or to Google. If you did not expect this, "
            "contact your reseller."
        )
    return Notification(
        f"{after.key.doc_id}-status-{entry.seq}",
        after.key,
        NotificationType.SUBSCRIPTION_STATUS,
        at,
        {**usage_facts(after), "event": event, "reasons": reasons, "advice": advice},
    )


def trial_alert(licence: Licence, now: datetime) -> Notification | None:
    """The trial alert due now for `licence` (None: none): ending within 7 days, or ended in
    the last 7 days while still on record as in trial."""
    ends = licence.usage.trial_ends_at
    if ends is None or licence.usage.status == REMOVED:
        return None
    if ends - TRIAL_NOTICE <= now < ends:
        stage = "7d"
    elif ends <= now < ends + TRIAL_ENDED_NEWS:
        stage = "ended"
    else:
        return None
    day = ends.date().isoformat()
    return Notification(
        f"{licence.key.doc_id}-trial-{day}-{stage}",
        licence.key,
        NotificationType.TRIAL_ENDING,
        now,
        {
            **usage_facts(licence),
            "stage": stage,
            "trialEndsOn": f"{ends:%-d %B %Y}",
            "trialEndsAt": ends.isoformat(),
        },
    )

"""The renewal planner's rules for annual subscriptions (issue 13): when the term ends, what
Google does then, the reminders before it, and how many seats to renew.

Google's facts (../shared/research/google-apis.md §3.2): an annual plan's `numberOfSeats` is
paid for, assigned or not, until `plan.commitmentInterval.endTime`; then
`renewalSettings.renewalType` decides. AUTO_RENEW_* re-commits every seat for another year,
RENEW_CURRENT_USERS_* renews at the users assigned then. The type is an open string: a value
Google adds later is kept and shown as it is.
"""

from __future__ import annotations

AUTO_RENEW_MONTHLY_PAY = "AUTO_RENEW_MONTHLY_PAY"
AUTO_RENEW_YEARLY_PAY = "AUTO_RENEW_YEARLY_PAY"
RENEW_CURRENT_USERS_MONTHLY_PAY = "RENEW_CURRENT_USERS_MONTHLY_PAY"
RENEW_CURRENT_USERS_YEARLY_PAY = "RENEW_CURRENT_USERS_YEARLY_PAY"
SWITCH_TO_PAY_AS_YOU_GO = "SWITCH_TO_PAY_AS_YOU_GO"
CANCEL = "CANCEL"
RENEW_ON_PROPOSED_OFFER = "RENEW_ON_PROPOSED_OFFER"

# The types Google documents (manage_subscriptions), in plain English.
RENEWAL_LABELS: dict[str, str] = {
    AUTO_RENEW_MONTHLY_PAY: "Renew every seat (annual plan, monthly payments)",
    AUTO_RENEW_YEARLY_PAY: "Renew every seat (annual plan, yearly payment)",
    RENEW_CURRENT_USERS_MONTHLY_PAY: "Renew only the seats in use (annual plan, monthly payments)",
    RENEW_CURRENT_USERS_YEARLY_PAY: "Renew only the seats in use (annual plan, yearly payment)",
    SWITCH_TO_PAY_AS_YOU_GO: "Switch to Flexible (pay as you go)",
    CANCEL: "Cancel at the end of the term",
    RENEW_ON_PROPOSED_OFFER: "Renew on the proposed offer",
}
NO_RENEWAL_TYPE = "Not reported by Google"


def renewal_label(renewal_type: str) -> str:
    """Plain words for a renewal type; one Google added after this list is shown as it is."""
    if not renewal_type:
        return NO_RENEWAL_TYPE
    return RENEWAL_LABELS.get(renewal_type, renewal_type)


def re_commits_every_seat(renewal_type: str) -> bool:
    """AUTO_RENEW_* (and the bare "AUTO_RENEW" Google's samples show) renews numberOfSeats."""
    return renewal_type.startswith("AUTO_RENEW")


def renewal_change_message(before: str, after: str) -> str:
    """The audit message of a renewal type seen changing. Codes, not words: messages are part
    of the hash chain, and the log's wording is applied when they are shown."""
    if not after:
        return f"Renewal type {before} is no longer reported"
    return f"Renewal type changed from {before} to {after}"

"""Where savings are recorded (domain.savings), each inside the transaction of what caused it:
the evaluation that holds an automatic top-up, the sync that sees an annual term renew with
fewer seats, the unassign that removes a user from a flexible plan. Prices are read (two
documents) only when a saving is due."""

from __future__ import annotations

from datetime import datetime

from licence_manager.domain.automation import Evaluation
from licence_manager.domain.buying import automatic_hold
from licence_manager.domain.model import Licence, PlanKind, known_plan_kind
from licence_manager.domain.outcomes import TopUpOutcome
from licence_manager.domain.savings import (
    Saving,
    flexible_user_removed,
    held_top_up,
    not_recommitted,
)
from licence_manager.domain.settings import LicenceSettings
from licence_manager.domain.topup import TopUpRequest
from licence_manager.ports.unit_of_work import Transaction


def held_top_up_saving(
    tx: Transaction,
    licence: Licence,
    settings: LicenceSettings,
    evaluation: Evaluation,
    reclaimable: int | None,
    now: datetime,
) -> Saving | None:
    """The saving of an automatic annual top-up this evaluation held to reclaim before buying.
    Counted once per held episode: only the evaluation that raises the episode's blocked alert
    (`{licence}-blocked-{n}`, once per crossing) counts it, under the same n; and only when that
    alert is the hold's own (not a cap, a pause, or the hold beside another limit)."""
    usage = licence.usage
    if known_plan_kind(usage.plan_name) is not PlanKind.ANNUAL:
        return None  # a FLEXIBLE top-up only raises a cap: holding it saves nothing
    n = evaluation.state.blocked_alerts
    alert_id = f"{licence.key.doc_id}-blocked-{n}"
    raised = next((a for a in evaluation.new_notifications if a.notification_id == alert_id), None)
    if raised is None:
        return None
    wanted = raised.facts.get("seatsWanted")
    if not isinstance(wanted, int):
        return None
    hold = automatic_hold(settings, usage.plan_name, wanted, reclaimable)
    if hold is None or raised.facts.get("reason") != hold.alert:
        return None
    return held_top_up(
        licence.key,
        blocked_alerts=n,
        plan_name=usage.plan_name,
        sku_name=usage.sku_name,
        seats_wanted=wanted,
        term_ends_at=usage.commitment_ends_at,
        price=tx.price_of(licence.key.customer_id, licence.key.sku_id, usage.plan_name),
        at=now,
        time_zone=licence.time_zone,
        reason=hold.reason,
    )


def renewal_saving(
    tx: Transaction, before: Licence | None, after: Licence, at: datetime
) -> Saving | None:
    """The saving when the sync sees an annual term roll over (its end moved later) to fewer
    committed seats: keyed by the licence and the old term's end, so a re-sync finds it made."""
    if before is None:
        return None
    old, new = before.usage, after.usage
    ended, renews = old.commitment_ends_at, new.commitment_ends_at
    if ended is None or renews is None or renews <= ended or new.total >= old.total:
        return None  # the cheap checks first: most records are no renewal at all
    if known_plan_kind(new.plan_name) is not PlanKind.ANNUAL:
        return None
    return not_recommitted(
        after.key,
        plan_before=old.plan_name,
        plan_after=new.plan_name,
        seats_before=old.total,
        seats_after=new.total,
        term_ended_at=ended,
        new_term_ends_at=renews,
        sku_name=new.sku_name,
        price=tx.price_of(after.key.customer_id, after.key.sku_id, new.plan_name),
        at=at,
        time_zone=after.time_zone,
    )


def unassign_saving(
    tx: Transaction,
    request: TopUpRequest,
    outcome: TopUpOutcome,
    licence: Licence | None,
    at: datetime,
) -> Saving | None:
    """The saving of a user this unassign request removed from a flexible plan: one per request.
    Google showing the seat gone already counts only if this request had sent the delete (its
    answer was lost); gone before we asked, someone else removed it."""
    removed = outcome.unassigned
    if removed is None or licence is None:
        return None
    if not removed.sent and request.change_sent_at is None:
        return None
    if known_plan_kind(removed.plan_name) is not PlanKind.FLEXIBLE:
        return None  # an annual seat stays paid until renewal: nothing saved now
    key = request.key
    return flexible_user_removed(
        key,
        request_id=request.request_id,
        plan_name=removed.plan_name,
        sku_name=licence.usage.sku_name,
        user=removed.email,
        price=tx.price_of(key.customer_id, key.sku_id, removed.plan_name),
        at=at,
        time_zone=licence.time_zone,
        removed=removed.seats,
    )

"""evaluate_thresholds' use case: re-evaluate one licence against its settings."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from licence_manager.domain import buying, outcomes
from licence_manager.domain.audit import AuditAction, Source
from licence_manager.domain.automation import Evaluation, evaluate, month_of
from licence_manager.domain.daily import local_day
from licence_manager.domain.model import LicenceKey
from licence_manager.domain.outcomes import RequestContext, TopUpOutcome
from licence_manager.domain.topup import RequestStatus
from licence_manager.observability import get_logger
from licence_manager.ports import Publisher
from licence_manager.ports.unit_of_work import Transaction, UnitOfWork
from licence_manager.services.outbox import republish_if_unsent
from licence_manager.services.savings import held_top_up_saving
from licence_manager.services.sync import Clock, utc_now

log = get_logger(__name__)

__all__ = ["EvaluateLicence", "republish_if_unsent"]


@dataclass(frozen=True, slots=True)
class _Decided:
    evaluation: Evaluation
    cancelled: TopUpOutcome | None  # the pending automatic request, no longer wanted
    republish: str | None  # the pending request, whose message may have been lost


class EvaluateLicence:
    def __init__(self, uow: UnitOfWork, publisher: Publisher, clock: Clock = utc_now) -> None:
        self._uow = uow
        self._publisher = publisher
        self._clock = clock

    def __call__(self, key: LicenceKey) -> Evaluation | None:
        now = self._clock()

        def work(tx: Transaction) -> _Decided | None:
            return _evaluate(tx, key, now)

        decided = self._uow.run(work)
        if decided is None:
            return None
        evaluation = decided.evaluation
        # Published after the commit: a crash in between is redelivered by Eventarc, and the
        # next evaluation publishes the still-pending request again.
        if evaluation.new_request is not None:
            self._publisher.publish_top_up(evaluation.new_request.request_id)
        if decided.republish is not None:
            self._publisher.publish_top_up(decided.republish)
        new = {n.notification_id for n in evaluation.new_notifications}
        for notification_id in sorted(new):
            self._publisher.publish_notification(notification_id)
        for notification_id in evaluation.state.alert_ids(key.doc_id):
            if notification_id not in new:
                republish_if_unsent(self._uow, self._publisher, notification_id)
        if evaluation.new_request or evaluation.new_notifications or decided.cancelled:
            log.info(
                "licence evaluated",
                extra={
                    "licence": key.doc_id,
                    "topUpRequest": evaluation.new_request.request_id
                    if evaluation.new_request
                    else None,
                    "cancelled": decided.cancelled.request.message if decided.cancelled else None,
                    "notifications": [n.notification_id for n in evaluation.new_notifications],
                },
            )
        for entry in evaluation.audit:
            if entry.action is AuditAction.TOP_UP_BLOCKED:
                # Counted with apply_topup's outcomes (metric topup_outcomes): a top-up that
                # was due and not made, once per crossing.
                log.warning(
                    "automatic top-up blocked",
                    extra={
                        "event": "topup.outcome",
                        "outcome": "BLOCKED",
                        "customerId": key.customer_id,
                        "skuId": key.sku_id,
                        "source": Source.AUTOMATIC.value,
                        "detail": entry.message,
                    },
                )
        return evaluation


def _evaluate(tx: Transaction, key: LicenceKey, now: datetime) -> _Decided | None:
    licence = tx.licences.get(key)
    if licence is None:
        return None
    saved = tx.settings_of(key)
    state = tx.automation_of(key)
    head = tx.head_of(key)
    control = tx.buying_control()
    pending = tx.requests.get(state.pending_request_id) if state.pending_request_id else None
    today = tx.days.get((key, local_day(now, licence.time_zone)))
    # The holder sync's insights (reclaimable seats, the run-out forecast) only matter to an
    # alert or a top-up; with both off, no read.
    wanted = saved.settings.low_licence_alert or saved.settings.auto_top_up
    insights = tx.insights.get(key.customer_id) if wanted else None
    reclaimable = insights.reclaimable(key.sku_id) if insights else None
    outlook = (
        insights.outlook(key.sku_id, local_day(now, licence.time_zone), licence.usage.vacant)
        if insights
        else None
    )

    cancelled = None
    if pending is not None and not pending.status.final and pending.change_sent_at is None:
        # The same "may we buy now" rule apply_topup asks: a request decided under settings
        # since changed, switched off, past its expiry, held for reclaimable seats or paused by
        # the anomaly guard is superseded here, and decided again below from the settings as
        # they are (while paused: not at all).
        month = state.in_month(month_of(now, licence.time_zone))
        reason = buying.refusal(
            pending,
            control=control,
            settings=saved.settings,
            settings_saved_at=saved.updated_at,
            added_this_month=month.seats_added_this_month,
            plan_now=licence.usage.plan_name,
            reclaimable=reclaimable,
            paused=state.top_ups_paused,
            now=now,
        )
        if reason is not None:
            found = RequestContext(pending, licence, today, state, head)
            cancelled = outcomes.superseded(found, now, licence.usage.total, reason=reason)
            state = cancelled.state
            head = cancelled.audit_head or head

    evaluation = evaluate(licence, saved.settings, state, head, now, control, reclaimable, outlook)
    # An annual top-up held to reclaim first saves the seats it did not buy: recorded once per
    # held episode, with the episode's alert (its last reads come before every write below).
    held = held_top_up_saving(tx, licence, saved.settings, evaluation, reclaimable, now)
    tx.record_saving(held)
    if cancelled is not None:
        tx.requests.put(cancelled.request.request_id, cancelled.request)
    if evaluation.changed or cancelled is not None:
        tx.automation.put(key, evaluation.state)
    if evaluation.new_request is not None:
        tx.requests.create(evaluation.new_request.request_id, evaluation.new_request)
    for notification in evaluation.new_notifications:
        tx.notifications.create(notification.notification_id, notification)
    entries = (cancelled.audit if cancelled else ()) + evaluation.audit
    tx.append_audit(entries, evaluation.audit_head)
    still_pending = cancelled is None and pending is not None
    republish = (
        pending.request_id
        if still_pending and pending is not None and pending.status is RequestStatus.PENDING
        else None
    )
    return _Decided(evaluation, cancelled, republish)

"""send_alerts' channel step: post a notification to the Chat spaces, Slack channels and
webhooks that asked for its type, each once or flagged.

Per channel the delivery (on the notification, domain.channels.ChannelDelivery) goes CLAIMED →
SENDING → SENT | FAILED | UNCONFIRMED in fenced units of work, as email does. A 429 posted
nothing: it waits Retry-After (or backs off) and tries again, or hands the delivery back for
Pub/Sub to redeliver. A timeout, a connection lost after sending or a 5xx may have posted it:
UNCONFIRMED, logged for ops, never re-sent (Slack and plain webhooks have no idempotency key).
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from datetime import timedelta
from functools import partial

from licence_manager.domain.channel_messages import build_message
from licence_manager.domain.channels import (
    Channel,
    DeliveryClaim,
    channels_for,
    delivery_of,
)
from licence_manager.domain.notifications import DeliveryStatus, Notification
from licence_manager.domain.rate_slots import RateSlots
from licence_manager.domain.resend import original_id
from licence_manager.observability import get_logger
from licence_manager.ports.channels import (
    ChannelSender,
    ChannelStore,
    PostDeferred,
    PostInDoubt,
    PostRejected,
)
from licence_manager.ports.unit_of_work import UnitOfWork
from licence_manager.services import channel_records as records
from licence_manager.services.channel_batches import Batches, BatchItem, BatchOutcome
from licence_manager.services.errors import RetryLater
from licence_manager.services.sync import Clock, utc_now

log = get_logger(__name__)


class DeliverToChannels:
    def __init__(
        self,
        uow: UnitOfWork,
        channels: ChannelStore,
        sender: ChannelSender,
        dashboard_url: str,
        clock: Clock = utc_now,
        sleep: Callable[[float], None] = time.sleep,
        monotonic: Callable[[], float] = time.monotonic,
        slots: RateSlots | None = None,
        lease: timedelta = timedelta(minutes=2),
        max_wait_seconds: float = 30.0,
        attempts_per_delivery: int = 3,
        coalesce_seconds: float = 0.1,
    ) -> None:
        self._uow = uow
        self._channels = channels
        self._sender = sender
        self._dashboard_url = dashboard_url
        self._clock = clock
        self._sleep = sleep
        self._monotonic = monotonic
        self._slots = slots or RateSlots()
        self._lease = lease
        self._max_wait = max_wait_seconds
        self._attempts = attempts_per_delivery
        self._batches = Batches()
        # A burst (a sync finding several licences low) arrives within milliseconds: waiting
        # this long before a channel's message lets it go as one, not one now and the rest a
        # slot later.
        self._coalesce = coalesce_seconds

    def __call__(self, notification_id: str) -> None:
        notification = self._uow.run(lambda tx: tx.notifications.get(notification_id))
        if notification is None or original_id(notification) != notification.notification_id:
            # A resend repeats the email only: its channels had the original already.
            return
        targets = channels_for(
            self._channels.channels(notification.key.customer_id), notification.type
        )
        later: RetryLater | None = None
        for channel in targets:
            try:
                self._deliver(channel, notification)
            except RetryLater as error:
                later = error  # the other channels still go now
        if later is not None:
            raise later

    def _deliver(self, channel: Channel, notification: Notification) -> None:
        found = delivery_of(notification, channel.channel_id)
        if found is not None and found.status in _SETTLED:
            return
        token = uuid.uuid4().hex
        claim = partial(
            records.claim,
            notification_id=notification.notification_id,
            channel_id=channel.channel_id,
            token=token,
            now=self._clock(),
            lease=self._lease,
        )
        outcome = self._uow.run(claim)
        if outcome is DeliveryClaim.IN_DOUBT:
            log.error(
                "channel message may not have been delivered",
                extra=_ids(channel, [notification.notification_id]),
            )
            return
        if outcome is DeliveryClaim.BUSY:
            raise RetryLater(f"notification {notification.notification_id} is being posted now")
        if outcome is not DeliveryClaim.CLAIMED:
            return
        # A batch is the customer's (a channel belongs to one customer): at one message a
        # second per space, one batch per SKU would make a burst over N SKUs take N seconds.
        key = channel.doc_id
        item = BatchItem(notification.notification_id, token)
        result = self._batches.submit(
            key,
            item,
            partial(self._wait_for_slot, channel),
            partial(self._send_batch, channel),
            self._lease.total_seconds(),
        )
        if result is BatchOutcome.UNSETTLED:
            raise RetryLater(f"notification {item.notification_id}'s post did not settle")
        if result is BatchOutcome.RETRY:
            self._release(channel, [item])
            raise RetryLater(f"{channel.kind.value} deferred notification {item.notification_id}")

    def _wait_for_slot(self, channel: Channel) -> None:
        wait = max(self._slots.reserve(channel.doc_id, self._monotonic()), self._coalesce)
        if wait > 0:
            self._sleep(wait)

    def _send_batch(self, channel: Channel, items: list[BatchItem]) -> None:
        now = self._clock()
        held = self._uow.run(
            partial(records.start, channel_id=channel.channel_id, items=items, now=now)
        )
        for item in items:
            item.outcome = BatchOutcome.TAKEN_OVER
        for item, _ in held:
            item.outcome = BatchOutcome.UNSETTLED
        if not held:
            return
        notifications = sorted(
            (n for _, n in held), key=lambda n: (n.created_at, n.notification_id)
        )
        message = build_message(channel.kind, notifications, self._dashboard_url)
        status, error = self._post(channel, message.body, message.thread_key)
        members = [item for item, _ in held]
        ids = [item.notification_id for item in members]
        if status is DeliveryStatus.PENDING:
            for item in members:
                item.outcome = BatchOutcome.RETRY  # each member hands its own back
            return
        settle = partial(
            records.finish,
            channel_id=channel.channel_id,
            items=members,
            status=status,
            error=error,
            at=self._clock(),
            batch_size=len(members),
        )
        self._uow.run(settle)
        for item in members:
            item.outcome = BatchOutcome.POSTED
        details = {**_ids(channel, ids), "status": status.value, "error": error}
        if status is DeliveryStatus.UNCONFIRMED:
            log.error("channel message may not have been delivered", extra=details)
        elif status is DeliveryStatus.FAILED:
            log.warning("channel refused the message", extra=details)
        else:
            log.info("channel message posted", extra=details)

    def _post(
        self, channel: Channel, body: bytes, thread_key: str
    ) -> tuple[DeliveryStatus, str | None]:
        attempt = 0
        while True:
            attempt += 1
            try:
                self._sender.post(channel, body, thread_key)
            except PostRejected as error:
                return DeliveryStatus.FAILED, str(error)
            except PostInDoubt as error:
                return DeliveryStatus.UNCONFIRMED, str(error)
            except PostDeferred as error:
                wait = error.retry_after_seconds
                if wait is not None:
                    self._slots.hold_off(channel.doc_id, self._monotonic() + wait)
                if attempt >= self._attempts or (wait is not None and wait > self._max_wait):
                    return DeliveryStatus.PENDING, str(error)
                self._sleep(wait if wait is not None else min(2.0**attempt, self._max_wait))
                continue
            return DeliveryStatus.SENT, None

    def _release(self, channel: Channel, items: list[BatchItem]) -> None:
        """Hand deliveries that posted nothing back (PENDING), if this attempt still holds them."""
        self._uow.run(
            partial(
                records.finish,
                channel_id=channel.channel_id,
                items=items,
                status=DeliveryStatus.PENDING,
                error="deferred by the channel; will be tried again",
                at=None,
                batch_size=1,
            )
        )


_SETTLED = frozenset({DeliveryStatus.SENT, DeliveryStatus.FAILED, DeliveryStatus.UNCONFIRMED})


def _ids(channel: Channel, ids: list[str]) -> dict[str, object]:
    # Never the URL: it is the channel's secret.
    return {
        "notificationIds": ids,
        "channelId": channel.channel_id,
        "channelKind": channel.kind.value,
        "customerId": channel.customer_id,
    }

"""Pub/Sub push, locally, as many at once as the function may take.

The Pub/Sub emulator pushes a subscription's messages two at a time (it starts two push loops per
subscription, each POSTing one message and waiting for the answer, and polling every 100 ms when
idle), where Pub/Sub itself pushes as many as the subscriber accepts. For the routes whose
function Cloud Run may run several of at once, `make run` makes the subscription a pull
subscription (same ack deadline, retry and dead-letter policies) and this stand-in pulls it and
POSTs each message to the function's push endpoint in Pub/Sub's push body, up to `parallel` at
once: acked on a 2xx answer, nacked otherwise, so the emulator redelivers it and dead-letters it
after the route's maximum attempts, as it would a failed push.
"""

from __future__ import annotations

import base64
import json
import logging
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from typing import Any

log = logging.getLogger(__name__)


def push_body(message: Any, subscription: str) -> bytes:
    """What Pub/Sub POSTs to a push endpoint (the wrapped form functions-framework reads)."""
    published = message.publish_time.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
    body = {
        "message": {
            "data": base64.b64encode(message.data).decode(),
            "attributes": dict(message.attributes),
            "messageId": message.message_id,
            "message_id": message.message_id,
            "publishTime": published,
            "publish_time": published,
        },
        "subscription": subscription,
    }
    if message.delivery_attempt:
        body["deliveryAttempt"] = message.delivery_attempt
    return json.dumps(body).encode()


class PushStandIn:
    """Pulls `subscription` and POSTs each message to `endpoint`, up to `parallel` at once."""

    def __init__(
        self, subscription: str, endpoint: str, parallel: int, timeout: float = 600.0
    ) -> None:
        if parallel < 1:
            raise ValueError("parallel must be at least 1")
        self.subscription = subscription
        self.endpoint = endpoint
        self.parallel = parallel
        self.timeout = timeout
        # Loopback targets only: never route them through a proxy from the environment.
        self._opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        self._future: Any = None

    def start(self) -> PushStandIn:
        from google.cloud import pubsub_v1  # type: ignore[attr-defined]
        from google.cloud.pubsub_v1.subscriber.scheduler import ThreadScheduler

        subscriber = pubsub_v1.SubscriberClient()
        pool = ThreadPoolExecutor(self.parallel, thread_name_prefix="push")
        self._future = subscriber.subscribe(
            self.subscription,
            self._deliver,
            flow_control=pubsub_v1.types.FlowControl(max_messages=self.parallel),
            scheduler=ThreadScheduler(pool),
        )
        return self

    def stop(self) -> None:
        if self._future is not None:
            self._future.cancel()
            self._future = None

    def _deliver(self, message: Any) -> None:
        request = urllib.request.Request(
            self.endpoint,
            data=push_body(message, self.subscription),
            headers={"Content-Type": "application/json"},
            method="POST",
        )
        try:
            with self._opener.open(request, timeout=self.timeout) as answer:
                answer.read()
                ok = 200 <= answer.status < 300
        except urllib.error.HTTPError as error:
            ok = False
            log.info("push to %s answered %s; redelivered later", self.endpoint, error.code)
        except OSError as error:
            ok = False
            log.info("push to %s failed (%s); redelivered later", self.endpoint, error)
        if ok:
            message.ack()
        else:
            message.nack()

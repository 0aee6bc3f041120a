"""Publishing between functions on Pub/Sub. Messages carry only ids: the document in Firestore is
the truth, so a duplicate or late message re-reads the current state."""

from __future__ import annotations

import json
from typing import Any

from licence_manager.ports import Publisher


class PubSubPublisher(Publisher):
    def __init__(self, client: Any, project: str, top_up_topic: str, alert_topic: str) -> None:
        self._client = client
        self._top_up = client.topic_path(project, top_up_topic)
        self._alerts = client.topic_path(project, alert_topic)

    def _publish(self, topic: str, body: dict[str, str]) -> None:
        # Wait for the server's ack: an unpublished message must fail the invocation, so the
        # trigger is retried rather than the message silently lost.
        self._client.publish(topic, json.dumps(body).encode()).result(timeout=30)

    def publish_top_up(self, request_id: str) -> None:
        self._publish(self._top_up, {"requestId": request_id})

    def publish_notification(self, notification_id: str) -> None:
        self._publish(self._alerts, {"notificationId": notification_id})

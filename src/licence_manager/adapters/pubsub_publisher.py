"""Publishing between functions on Pub/Sub. Messages carry only ids: the document in Firestore is
the truth, so a duplicate or late message re-reads the current state."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from licence_manager.ports import Publisher

# The bodies send_alerts tells apart (licence_manager.entrypoints).
MONTH_END_JOB = "month-end-report"
MONTH_END_CUSTOMER_JOB = "month-end-customer"
# The bodies sync_holders tells apart.
HOLDER_SYNC_JOB = "sync-holders"
HOLDER_SYNC_CUSTOMER_JOB = "sync-holders-customer"
# The bodies verify_audit tells apart.
AUDIT_VERIFY_JOB = "verify-audit"
AUDIT_VERIFY_CUSTOMER_JOB = "verify-audit-customer"


class PubSubPublisher(Publisher):
    def __init__(
        self,
        client: Any,
        project: str,
        top_up_topic: str,
        alert_topic: str,
        month_end_topic: str = "month-end-report",
        month_end_customer_topic: str = "month-end-customer",
        holder_sync_topic: str = "sync-holders",
        holder_sync_customer_topic: str = "sync-holders-customer",
        audit_verify_topic: str = "verify-audit",
        audit_verify_customer_topic: str = "verify-audit-customer",
    ) -> None:
        self._client = client
        self._top_up = client.topic_path(project, top_up_topic)
        self._alerts = client.topic_path(project, alert_topic)
        self._month_end = client.topic_path(project, month_end_topic)
        self._month_end_customer = client.topic_path(project, month_end_customer_topic)
        self._holder_sync = client.topic_path(project, holder_sync_topic)
        self._holder_sync_customer = client.topic_path(project, holder_sync_customer_topic)
        self._audit_verify = client.topic_path(project, audit_verify_topic)
        self._audit_verify_customer = client.topic_path(project, audit_verify_customer_topic)

    def _send(self, topic: str, body: dict[str, str]) -> Any:
        return self._client.publish(topic, json.dumps(body).encode())

    def _publish(self, topic: str, body: dict[str, str]) -> None:
        # Wait for the server's ack: an unpublished message must fail the invocation, so the
        # trigger is retried rather than the message silently lost.
        self._send(topic, body).result(timeout=30)

    def publish_top_up(self, request_id: str) -> None:
        self._publish(self._top_up, {"requestId": request_id})

    def publish_notification(self, notification_id: str) -> None:
        self._publish(self._alerts, {"notificationId": notification_id})

    def _publish_all(self, topic: str, bodies: Sequence[dict[str, str]]) -> None:
        # All handed to the client first, so that it batches them, then every ack awaited.
        futures = [self._send(topic, body) for body in bodies]
        for future in futures:
            future.result(timeout=60)

    def publish_month_end_customers(self, month: str, customer_ids: Sequence[str]) -> None:
        self._publish_all(
            self._month_end_customer,
            [
                {"job": MONTH_END_CUSTOMER_JOB, "customerId": customer_id, "month": month}
                for customer_id in customer_ids
            ],
        )

    def publish_month_end_page(self, month: str, after: str) -> None:
        self._publish(self._month_end, {"job": MONTH_END_JOB, "month": month, "after": after})

    def publish_holder_sync_customers(self, customer_ids: Sequence[str]) -> None:
        self._publish_all(
            self._holder_sync_customer,
            [{"job": HOLDER_SYNC_CUSTOMER_JOB, "customerId": c} for c in customer_ids],
        )

    def publish_holder_sync_page(self, after: str) -> None:
        self._publish(self._holder_sync, {"job": HOLDER_SYNC_JOB, "after": after})

    def publish_audit_verify_customers(self, customer_ids: Sequence[str]) -> None:
        self._publish_all(
            self._audit_verify_customer,
            [{"job": AUDIT_VERIFY_CUSTOMER_JOB, "customerId": c} for c in customer_ids],
        )

    def publish_audit_verify_page(self, after: str) -> None:
        self._publish(self._audit_verify, {"job": AUDIT_VERIFY_JOB, "after": after})

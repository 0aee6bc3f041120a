"""send_alerts: alert (Pub/Sub) → email through SendGrid.

Not built yet (issue #3). Until then it acknowledges each event with a WARNING log entry that
names what it skipped, so nobody mistakes it for working."""

import functions_framework
from cloudevents.http.event import CloudEvent

from licence_manager.entrypoints import log_unbuilt


@functions_framework.cloud_event
def send_alerts(event: CloudEvent) -> None:
    log_unbuilt("send_alerts", event["type"], event.get("subject") or event["source"])

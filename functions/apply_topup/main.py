"""apply_topup: top-up request (Pub/Sub) → Reseller API changeSeats, exactly once.

Not built yet (issue #3). Until then it acknowledges each event with a WARNING log entry that
names what it skipped, so nobody mistakes it for working."""

import functions_framework
from cloudevents.http.event import CloudEvent

from licence_manager.entrypoints import log_unbuilt


@functions_framework.cloud_event
def apply_topup(event: CloudEvent) -> None:
    log_unbuilt("apply_topup", event["type"], event.get("subject") or event["source"])

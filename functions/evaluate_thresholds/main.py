"""evaluate_thresholds: Firestore licence change (Eventarc) → threshold and top-up rules.

Not built yet (issue #3). Until then it acknowledges each event with a WARNING log entry that
names what it skipped, so nobody mistakes it for working."""

import functions_framework
from cloudevents.http.event import CloudEvent

from licence_manager.entrypoints import log_unbuilt


@functions_framework.cloud_event
def evaluate_thresholds(event: CloudEvent) -> None:
    log_unbuilt("evaluate_thresholds", event["type"], event.get("subject") or event["source"])

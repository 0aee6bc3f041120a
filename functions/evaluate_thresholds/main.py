"""evaluate_thresholds: a licence (or its settings) changed in Firestore; Eventarc delivers the
change as protobuf DocumentEventData. Re-evaluate alerts and automatic top-ups for it."""

import functions_framework
from cloudevents.http.event import CloudEvent

from licence_manager.entrypoints import evaluate_document_event


@functions_framework.cloud_event
def evaluate_thresholds(event: CloudEvent) -> None:
    """Decide alerts and top-ups from the licence's current state, whatever the event says."""
    evaluate_document_event(event.get_data())

"""sweep_requests: Cloud Scheduler publishes to a Pub/Sub topic every few minutes; each message
runs one sweep of the seat-change requests that nothing is driving any more."""

import functions_framework
from cloudevents.http.event import CloudEvent

from licence_manager.entrypoints import run_sweep


@functions_framework.cloud_event
def sweep_requests(event: CloudEvent) -> None:
    """Republish pending requests, re-drive or fail claimed ones past their lease."""
    run_sweep(event.get("time"), event.get_data())

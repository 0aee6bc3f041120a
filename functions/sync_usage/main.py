"""sync_usage: Cloud Scheduler publishes to a Pub/Sub topic; each message runs one usage sync."""

import functions_framework
from cloudevents.http.event import CloudEvent

from licence_manager.entrypoints import run_scheduled_sync


@functions_framework.cloud_event
def sync_usage(event: CloudEvent) -> None:
    """Read every online subscription from the Reseller API and record what changed."""
    run_scheduled_sync(event.get("time"), event.get_data())

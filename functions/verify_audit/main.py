"""verify_audit: the daily audit check. Cloud Scheduler's message plans a page of customers;
each customer's message verifies its hash chains from their last verified heads and exports the
heads to the retention-locked bucket."""

import functions_framework
from cloudevents.http.event import CloudEvent

from licence_manager.entrypoints import verify_audit_message


@functions_framework.cloud_event
def verify_audit(event: CloudEvent) -> None:
    """Plan a page of customers, or verify one customer's chains (both idempotent)."""
    verify_audit_message(event.get_data())

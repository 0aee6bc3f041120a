"""sync_holders: the daily holder sync. Cloud Scheduler's message plans a page of customers;
each customer's message reads who holds its seats and stores what changed."""

import functions_framework
from cloudevents.http.event import CloudEvent

from licence_manager.entrypoints import sync_holders_message


@functions_framework.cloud_event
def sync_holders(event: CloudEvent) -> None:
    """Plan a page of customers, or sync one customer's seat holders (both idempotent)."""
    sync_holders_message(event.get_data())

"""react_to_reseller_events: Google's Reseller notifications (resellernotify, pushed from the
reseller's topic in Google's project); each re-lists its one customer, coalesced per customer."""

import functions_framework
from cloudevents.http.event import CloudEvent

from licence_manager.entrypoints import react_to_reseller_event_message


@functions_framework.cloud_event
def react_to_reseller_events(event: CloudEvent) -> None:
    """Sync the customer the notification names (duplicates and reordering cost nothing)."""
    react_to_reseller_event_message(event.get_data())

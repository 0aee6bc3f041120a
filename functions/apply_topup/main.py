"""apply_topup: a seat-change request id arrives on Pub/Sub; apply it exactly once."""

import functions_framework
from cloudevents.http.event import CloudEvent

from licence_manager.entrypoints import apply_top_up_message


@functions_framework.cloud_event
def apply_topup(event: CloudEvent) -> None:
    """Claim the request, re-read the seats, change them once, record it."""
    apply_top_up_message(event.get_data())

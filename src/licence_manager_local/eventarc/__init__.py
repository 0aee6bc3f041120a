"""A local stand-in for Eventarc's Firestore triggers, which no emulator provides.

`EventarcStandIn` listens to Firestore emulator collections and POSTs each document change to a
function target as the binary-mode CloudEvent Eventarc sends in production: `ce-*` headers
(`ce-type: google.cloud.firestore.document.v1.written`, `ce-source:
//firestore.googleapis.com/projects/P/databases/(default)`, `ce-subject: documents/licences/ID`,
and the extension attributes `ce-project`, `ce-database`, `ce-namespace`, `ce-document`,
`ce-location`) and a `google.events.cloud.firestore.v1.DocumentEventData` protobuf body
(`Content-Type: application/protobuf`). Delivery is at least once, unordered, retried with
backoff, with optional duplicate and reorder injection.

    python -m licence_manager_local.eventarc --project P --collections licences \\
        --target http://127.0.0.1:8081/
"""

from licence_manager_local.eventarc.delivery import (
    DeliveryStats,
    DroppedEvent,
    EventDelivery,
    RetryPolicy,
)
from licence_manager_local.eventarc.encode import (
    DocumentVersion,
    OutgoingEvent,
    document_event_data,
    encode_value,
    firestore_cloud_event,
    resource_name,
)
from licence_manager_local.eventarc.standin import EventarcStandIn

__all__ = [
    "DeliveryStats",
    "DocumentVersion",
    "DroppedEvent",
    "EventDelivery",
    "EventarcStandIn",
    "OutgoingEvent",
    "RetryPolicy",
    "document_event_data",
    "encode_value",
    "firestore_cloud_event",
    "resource_name",
]

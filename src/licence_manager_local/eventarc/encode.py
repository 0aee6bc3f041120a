"""Python values and Firestore snapshots → the protobuf Eventarc puts in a Firestore event
(`google.events.cloud.firestore.v1.DocumentEventData`), and that protobuf → a binary-mode
CloudEvent (headers + body) as Eventarc POSTs it to a Cloud Run / gen2 function target."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from google.events.cloud.firestore_v1.types import data as firestore_data

from licence_manager.firestore_events import CREATED, DELETED, EVENT_TYPES, UPDATED, WRITTEN

SPEC_VERSION = "1.0"
CONTENT_TYPE = "application/protobuf"
DATA_SCHEMA = (
    "https://github.com/googleapis/google-cloudevents/blob/main/proto/google/events/cloud/"
    "firestore/v1/data.proto"
)
DEFAULT_DATABASE = "(default)"
DEFAULT_NAMESPACE = "(default)"
_INT64 = range(-(2**63), 2**63)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def resource_name(project: str, database: str, path: str) -> str:
    """The full name Firestore gives a document: projects/P/databases/D/documents/PATH."""
    return f"projects/{project}/databases/{database}/documents/{path}"


def encode_timestamp(moment: datetime, target: Any) -> None:
    """Set a protobuf Timestamp from a datetime (naive means UTC, as the Firestore client
    assumes); a DatetimeWithNanoseconds keeps its nanoseconds."""
    aware = moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
    delta = aware.astimezone(UTC).replace(microsecond=0) - _EPOCH
    target.seconds = delta.days * 86_400 + delta.seconds
    nanosecond = getattr(moment, "nanosecond", 0)
    target.nanos = nanosecond or moment.microsecond * 1000


def encode_value(value: Any, project: str, database: str = DEFAULT_DATABASE) -> Any:
    """One Python value as a raw protobuf firestore.v1 Value: what Firestore stored for it.

    None, bool, int (int64), float, str, bytes, datetime (→ timestamp), GeoPoint (→ geo point),
    DocumentReference (→ reference, as a full resource name in `project`/`database`),
    list/tuple (→ array), dict (→ map) and Vector (→ the map Firestore stores it as:
    {"__type__": "__vector__", "value": [...]}). Anything else raises TypeError."""
    message = firestore_data.Value.pb()()
    _fill_value(message, value, project, database)
    return message


def _fill_value(target: Any, value: Any, project: str, database: str) -> None:
    # Imported here: the emulator-backed types are only needed when such a value turns up.
    from google.cloud.firestore_v1 import DocumentReference, GeoPoint
    from google.cloud.firestore_v1.vector import Vector

    if value is None:
        target.null_value = 0
    elif isinstance(value, bool):
        target.boolean_value = value
    elif isinstance(value, int):
        if value not in _INT64:
            raise TypeError(f"integer {value} does not fit Firestore's int64")
        target.integer_value = value
    elif isinstance(value, float):
        target.double_value = value
    elif isinstance(value, str):
        target.string_value = value
    elif isinstance(value, bytes | bytearray | memoryview):
        target.bytes_value = bytes(value)
    elif isinstance(value, datetime):
        encode_timestamp(value, target.timestamp_value)
    elif isinstance(value, GeoPoint):
        target.geo_point_value.latitude = value.latitude
        target.geo_point_value.longitude = value.longitude
    elif isinstance(value, DocumentReference):
        target.reference_value = resource_name(project, database, value.path)
    elif isinstance(value, Vector):  # stored as a map, and so it reaches the event
        _fill_value(target, {"__type__": "__vector__", "value": list(value)}, project, database)
    elif isinstance(value, list | tuple):
        array = target.array_value
        array.SetInParent()  # an empty array is still an array, not an unset value
        for item in value:
            _fill_value(array.values.add(), item, project, database)
    elif isinstance(value, Mapping):
        mapping = target.map_value
        mapping.SetInParent()
        for key, item in value.items():
            _fill_value(mapping.fields[str(key)], item, project, database)
    else:
        raise TypeError(f"cannot encode a {type(value).__name__} as a Firestore value")


@dataclass(frozen=True)
class DocumentVersion:
    """One version of a document as a Firestore listener saw it."""

    path: str
    fields: Mapping[str, Any]
    create_time: datetime | None
    update_time: datetime | None

    @classmethod
    def from_snapshot(cls, snapshot: Any) -> DocumentVersion:
        return cls(
            path=snapshot.reference.path,
            fields=snapshot.to_dict() or {},
            create_time=snapshot.create_time,
            update_time=snapshot.update_time,
        )


def encode_document(
    version: DocumentVersion, project: str, database: str = DEFAULT_DATABASE
) -> Any:
    document = firestore_data.Document.pb()()
    document.name = resource_name(project, database, version.path)
    for key, value in version.fields.items():
        _fill_value(document.fields[key], value, project, database)
    if version.create_time is not None:
        encode_timestamp(version.create_time, document.create_time)
    if version.update_time is not None:
        encode_timestamp(version.update_time, document.update_time)
    return document


_MISSING = object()


def changed_fields(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[str]:
    """Top-level field names whose value was added, removed or changed (sorted)."""
    keys = old.keys() | new.keys()
    return sorted(k for k in keys if old.get(k, _MISSING) != new.get(k, _MISSING))


def document_event_data(
    old: DocumentVersion | None,
    new: DocumentVersion | None,
    project: str,
    database: str = DEFAULT_DATABASE,
) -> Any:
    """The raw protobuf DocumentEventData for a create (old None), update, or delete (new None).
    An update carries an update_mask naming the changed top-level fields (Firestore's may name
    nested field paths instead; nothing here relies on the mask)."""
    if old is None and new is None:
        raise ValueError("a document event needs an old or a new version")
    event_data = firestore_data.DocumentEventData.pb()()
    if old is not None:
        event_data.old_value.CopyFrom(encode_document(old, project, database))
    if new is not None:
        event_data.value.CopyFrom(encode_document(new, project, database))
    if old is not None and new is not None:
        event_data.update_mask.field_paths.extend(changed_fields(old.fields, new.fields))
    return event_data


def matches(event_type: str, old: DocumentVersion | None, new: DocumentVersion | None) -> bool:
    """Whether a trigger on `event_type` fires for this change (written fires for all three)."""
    if event_type not in EVENT_TYPES:
        raise ValueError(f"not a Firestore document event type: {event_type!r}")
    kind = CREATED if old is None else DELETED if new is None else UPDATED
    return event_type in (WRITTEN, kind)


@dataclass(frozen=True)
class OutgoingEvent:
    """A binary-mode CloudEvent ready to POST: `headers` carry every attribute (ce-*),
    `body` is the data."""

    id: str
    type: str
    subject: str
    headers: Mapping[str, str] = field(repr=False)
    body: bytes = field(repr=False)


def rfc3339(moment: datetime) -> str:
    """2024-05-01T12:00:00.123456Z: UTC, microseconds as Eventarc writes them (nanoseconds only
    where a DatetimeWithNanoseconds has a finer value)."""
    aware = moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
    utc = aware.astimezone(UTC)
    nanosecond = getattr(moment, "nanosecond", 0)
    fraction = f"{nanosecond:09d}" if nanosecond % 1000 else f"{utc.microsecond:06d}"
    return utc.strftime("%Y-%m-%dT%H:%M:%S") + f".{fraction}Z"


def firestore_cloud_event(
    *,
    old: DocumentVersion | None,
    new: DocumentVersion | None,
    project: str,
    time: datetime,
    database: str = DEFAULT_DATABASE,
    namespace: str = DEFAULT_NAMESPACE,
    location: str = "nam5",
    event_type: str = WRITTEN,
    event_id: str | None = None,
) -> OutgoingEvent:
    """The CloudEvent Eventarc sends for one document write, in binary content mode."""
    version = new if new is not None else old
    if version is None:
        raise ValueError("a document event needs an old or a new version")
    if not matches(event_type, old, new):
        raise ValueError(f"a {event_type} event does not fit this change")
    body = document_event_data(old, new, project, database).SerializeToString()
    event_id = event_id or str(uuid.uuid4())
    subject = f"documents/{version.path}"
    headers = {
        "ce-id": event_id,
        "ce-source": f"//firestore.googleapis.com/projects/{project}/databases/{database}",
        "ce-specversion": SPEC_VERSION,
        "ce-type": event_type,
        "ce-subject": subject,
        "ce-time": rfc3339(time),
        "ce-dataschema": DATA_SCHEMA,
        "ce-project": project,
        "ce-database": database,
        "ce-namespace": namespace,
        "ce-document": version.path,
        "ce-location": location,
        "Content-Type": CONTENT_TYPE,
    }
    return OutgoingEvent(id=event_id, type=event_type, subject=subject, headers=headers, body=body)

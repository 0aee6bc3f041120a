"""Decode the Firestore document events that Eventarc delivers to a gen2 Cloud Function.

Eventarc sends a CloudEvent of type `google.cloud.firestore.document.v1.{written,created,updated,
deleted}` whose data is a `google.events.cloud.firestore.v1.DocumentEventData` protobuf
(`Content-Type: application/protobuf`; functions-framework hands it to the function as the raw
body bytes). Triggers created with a JSON payload format deliver the same message as protobuf JSON
(`application/json`); functions-framework has already parsed that into a dict. Both decode here to
a `DocumentChange` of plain Python values, so nothing past this module sees protobuf.

No I/O. The protobuf classes (google-events, proto-plus) load on first use, not at import, to keep
cold starts of functions that never see a Firestore event cheap.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Final, Literal, TypeAlias

WRITTEN: Final = "google.cloud.firestore.document.v1.written"
CREATED: Final = "google.cloud.firestore.document.v1.created"
UPDATED: Final = "google.cloud.firestore.document.v1.updated"
DELETED: Final = "google.cloud.firestore.document.v1.deleted"
EVENT_TYPES: Final = frozenset({WRITTEN, CREATED, UPDATED, DELETED})

# What a CloudEvent's `data` can be: the body bytes (protobuf, or JSON text) or parsed JSON.
EventData: TypeAlias = bytes | bytearray | memoryview | str | Mapping[str, Any]

_SUBJECT_PREFIX: Final = "documents/"
_DOCUMENTS_SEGMENT: Final = "/documents/"
_EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)


class DocumentEventError(ValueError):
    """The data is not a Firestore DocumentEventData this module can decode."""


@dataclass(frozen=True)
class DocumentChange:
    """One document write as Eventarc reports it.

    `path` is relative to the database (`licences/C1_1010020028`); `collection` is the path of the
    collection holding the document (`licences`, or `a/b/c` for a subcollection) and
    `document_id` its last segment. `old` is the document before the write (None for a create),
    `new` after it (None for a delete). `update_time` is the new document's update time (UTC),
    None for a delete.
    """

    path: str
    collection: str
    document_id: str
    old: dict[str, Any] | None
    new: dict[str, Any] | None
    update_time: datetime | None

    @property
    def kind(self) -> Literal["created", "updated", "deleted"]:
        if self.old is None:
            return "created"
        return "deleted" if self.new is None else "updated"


def document_path_from_subject(subject: str) -> str:
    """`documents/licences/X` (a Firestore CloudEvent's subject) → `licences/X`."""
    if not subject.startswith(_SUBJECT_PREFIX) or len(subject) == len(_SUBJECT_PREFIX):
        raise ValueError(f"not a Firestore document subject: {subject!r}")
    return subject[len(_SUBJECT_PREFIX) :]


def document_path_from_name(name: str) -> str:
    """`projects/P/databases/(default)/documents/licences/X` → `licences/X`."""
    _, marker, path = name.partition(_DOCUMENTS_SEGMENT)
    if not marker or not path:
        raise ValueError(f"not a Firestore document resource name: {name!r}")
    return path


def decode_document_event(data: EventData) -> DocumentChange:
    """Decode a Firestore CloudEvent's data: protobuf bytes (`application/protobuf`, what Eventarc
    sends by default), or protobuf JSON as a dict or text (`application/json` triggers).

    Raises DocumentEventError when the data is not a DocumentEventData or names no document.
    """
    event_data = _parse(data)
    old = _document(event_data, "old_value")
    new = _document(event_data, "value")
    named = new if new is not None else old
    if named is None:
        raise DocumentEventError("the event carries neither value nor old_value")
    try:
        path = document_path_from_name(named.name)
    except ValueError as error:
        raise DocumentEventError(str(error)) from None
    collection, _, document_id = path.rpartition("/")
    update_time = None
    if new is not None and new.HasField("update_time"):
        update_time = _datetime(new.update_time)
    return DocumentChange(
        path=path,
        collection=collection,
        document_id=document_id,
        old=None if old is None else _fields(old.fields),
        new=None if new is None else _fields(new.fields),
        update_time=update_time,
    )


def _event_data_message() -> Any:
    """A new, empty raw protobuf DocumentEventData (imported on first use)."""
    from google.events.cloud.firestore_v1.types import data as firestore_data

    return firestore_data.DocumentEventData.pb()()


def _parse(data: EventData) -> Any:
    if isinstance(data, bytes | bytearray | memoryview):
        raw = bytes(data)
        if raw[:1] == b"{":  # protobuf JSON sent as bytes; no DocumentEventData starts with 0x7b
            return _parse(raw.decode("utf-8"))
        message = _event_data_message()
        from google.protobuf.message import DecodeError

        try:
            message.ParseFromString(raw)
        except DecodeError as error:
            raise DocumentEventError(f"not a DocumentEventData protobuf: {error}") from None
        return message
    if isinstance(data, str):
        try:
            parsed = json.loads(data)
        except json.JSONDecodeError as error:
            raise DocumentEventError(f"not DocumentEventData JSON: {error}") from None
        if not isinstance(parsed, Mapping):
            raise DocumentEventError("DocumentEventData JSON must be an object")
        return _parse(parsed)
    if isinstance(data, Mapping):
        from google.protobuf import json_format

        message = _event_data_message()
        try:
            json_format.ParseDict(dict(data), message, ignore_unknown_fields=True)
        except json_format.ParseError as error:
            raise DocumentEventError(f"not DocumentEventData JSON: {error}") from None
        return message
    raise DocumentEventError(f"cannot decode Firestore event data of type {type(data).__name__}")


def _document(event_data: Any, field: str) -> Any | None:
    """The named Document, or None when absent (JSON events send `"oldValue": {}` on a create)."""
    if not event_data.HasField(field):
        return None
    document = getattr(event_data, field)
    return document if document.name else None


def _datetime(timestamp: Any) -> datetime:
    """A protobuf Timestamp as an aware UTC datetime, truncated to microseconds."""
    seconds: int = timestamp.seconds
    nanos: int = timestamp.nanos
    return _EPOCH + timedelta(seconds=seconds, microseconds=nanos // 1000)


def _fields(fields: Any) -> dict[str, Any]:
    return {str(key): _value(value) for key, value in fields.items()}


def _value(value: Any) -> Any:
    kind = value.WhichOneof("value_type")
    if kind is None or kind == "null_value":
        return None  # an unset Value (or a type newer than google-events knows) reads as null
    if kind == "boolean_value":
        return bool(value.boolean_value)
    if kind == "integer_value":
        return int(value.integer_value)
    if kind == "double_value":
        return float(value.double_value)
    if kind == "timestamp_value":
        return _datetime(value.timestamp_value)
    if kind == "string_value":
        return str(value.string_value)
    if kind == "bytes_value":
        return bytes(value.bytes_value)
    if kind == "reference_value":
        try:
            return document_path_from_name(value.reference_value)
        except ValueError as error:
            raise DocumentEventError(str(error)) from None
    if kind == "geo_point_value":
        point = value.geo_point_value
        return (float(point.latitude), float(point.longitude))
    if kind == "array_value":
        return [_value(item) for item in value.array_value.values]
    if kind == "map_value":
        return _fields(value.map_value.fields)
    raise DocumentEventError(f"unsupported Firestore value type {kind!r}")

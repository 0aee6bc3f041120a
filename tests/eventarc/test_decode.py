"""The production decoder against the bytes the stand-in encodes, value type by value type, and
against protobuf JSON (`application/json` Firestore triggers)."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime
from typing import Any, cast

import pytest
from cloudevents.http import from_http
from google.auth.credentials import AnonymousCredentials
from google.cloud import firestore
from google.events.cloud import firestore as firestore_events
from google.protobuf import json_format

from licence_manager.firestore_events import (
    CREATED,
    DELETED,
    UPDATED,
    WRITTEN,
    DocumentEventError,
    decode_document_event,
    document_path_from_subject,
)
from licence_manager_local.eventarc import (
    DocumentVersion,
    document_event_data,
    encode_value,
    firestore_cloud_event,
)
from tests.eventarc.samples import every_type

PROJECT = "demo-project"
CREATED_AT = datetime(2024, 5, 1, 9, 30, 0, 123456, tzinfo=UTC)
UPDATED_AT = datetime(2024, 5, 2, 10, 0, 0, 654321, tzinfo=UTC)


def offline_client() -> Any:
    credentials = cast(Any, AnonymousCredentials)()  # untyped upstream
    return firestore.Client(project=PROJECT, credentials=credentials)


def version(fields: dict[str, Any], updated: datetime = UPDATED_AT) -> DocumentVersion:
    return DocumentVersion("licences/C1_1010020028", fields, CREATED_AT, updated)


def encoded(old: DocumentVersion | None, new: DocumentVersion | None) -> bytes:
    data: bytes = document_event_data(old, new, PROJECT).SerializeToString()
    return data


def test_importing_the_decoder_loads_no_protobuf() -> None:
    """Cold starts: google-events and protobuf load on the first decode, not at import."""
    probe = (
        "import sys, licence_manager.firestore_events; "
        "print(sorted(m for m in sys.modules if m.startswith(('google.events', 'google.protobuf',"
        " 'proto'))))"
    )
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    assert (result.returncode, result.stdout.strip()) == (0, "[]"), result.stderr


def test_every_value_type_round_trips() -> None:
    stored, expected = every_type(offline_client())
    change = decode_document_event(encoded(None, version(stored)))
    assert change.new == expected
    assert {key: type(value) for key, value in change.new.items()} == {
        key: type(value) for key, value in expected.items()
    }
    for key in ("timestamp", "timestamp_nanos", "timestamp_naive", "timestamp_1969"):
        assert change.new[key].tzinfo is UTC


def test_a_create_has_only_the_new_document() -> None:
    change = decode_document_event(encoded(None, version({"assigned": 3})))
    assert (change.path, change.collection, change.document_id) == (
        "licences/C1_1010020028", "licences", "C1_1010020028",
    )  # fmt: skip
    assert (change.old, change.new, change.kind) == (None, {"assigned": 3}, "created")
    assert change.update_time == UPDATED_AT


def test_an_update_has_both_versions() -> None:
    old = version({"assigned": 3, "total": 5}, updated=CREATED_AT)
    new = version({"assigned": 4, "total": 5, "status": "ACTIVE"})
    event_data = document_event_data(old, new, PROJECT)
    assert list(event_data.update_mask.field_paths) == ["assigned", "status"]
    change = decode_document_event(event_data.SerializeToString())
    assert change.old == {"assigned": 3, "total": 5}
    assert change.new == {"assigned": 4, "total": 5, "status": "ACTIVE"}
    assert (change.kind, change.update_time) == ("updated", UPDATED_AT)


def test_a_delete_has_only_the_old_document() -> None:
    change = decode_document_event(encoded(version({"assigned": 3}), None))
    assert (change.old, change.new, change.update_time) == ({"assigned": 3}, None, None)
    assert change.kind == "deleted"
    assert change.path == "licences/C1_1010020028"


def test_an_empty_document_is_a_document() -> None:
    change = decode_document_event(encoded(None, version({})))
    assert (change.old, change.new) == (None, {})


def test_the_bytes_are_what_google_events_parses() -> None:
    """The way Google's own sample reads the data (proto-plus, `_pb.ParseFromString`)."""
    stored, _ = every_type(offline_client())
    payload = firestore_events.DocumentEventData()
    payload._pb.ParseFromString(encoded(None, version(stored)))
    assert payload.value.name == (
        f"projects/{PROJECT}/databases/(default)/documents/licences/C1_1010020028"
    )
    assert payload.value.fields["int"].integer_value == 42
    assert payload.value.fields["reference"].reference_value == (
        f"projects/{PROJECT}/databases/(default)/documents/customers/C1"
    )
    assert payload.value.fields["geo"].geo_point_value.latitude == 51.4543
    assert "old_value" not in payload


def test_json_mode_data_decodes_the_same() -> None:
    stored, _ = every_type(offline_client())
    event_data = document_event_data(version({"a": 1}), version(stored), PROJECT)
    as_json = json_format.MessageToDict(event_data)  # camelCase, int64 as strings
    binary = decode_document_event(event_data.SerializeToString())
    assert decode_document_event(as_json) == binary
    assert decode_document_event(json_format.MessageToJson(event_data)) == binary
    assert decode_document_event(json_format.MessageToJson(event_data).encode()) == binary


def test_json_mode_as_eventarc_writes_it() -> None:
    """Eventarc's JSON form: an empty `oldValue` object on a create, `nullValue: null`."""
    data = {
        "oldValue": {},
        "updateMask": {},
        "value": {
            "name": "projects/p/databases/(default)/documents/licences/X",
            "createTime": "2024-05-01T09:30:00.123456Z",
            "updateTime": "2024-05-01T09:30:00.123456Z",
            "fields": {
                "seats": {"integerValue": "50"},
                "nothing": {"nullValue": None},
                "ratio": {"doubleValue": 0.5},
                "at": {"timestampValue": "2024-05-01T09:00:00Z"},
                "tags": {"arrayValue": {"values": [{"stringValue": "a"}]}},
                "none": {"arrayValue": {}},
                "where": {"geoPointValue": {"latitude": 1.5, "longitude": -2.5}},
                "ref": {"referenceValue": "projects/p/databases/(default)/documents/c/d"},
                "blob": {"bytesValue": "AAE="},
            },
        },
    }
    change = decode_document_event(data)
    assert change.old is None
    assert change.new == {
        "seats": 50, "nothing": None, "ratio": 0.5,
        "at": datetime(2024, 5, 1, 9, tzinfo=UTC), "tags": ["a"], "none": [],
        "where": (1.5, -2.5), "ref": "c/d", "blob": b"\x00\x01",
    }  # fmt: skip
    assert change.update_time == datetime(2024, 5, 1, 9, 30, 0, 123456, tzinfo=UTC)


@pytest.mark.parametrize(
    "data",
    [b"", b"\xff\xff\xff", "not json", "[]", {"value": {"fields": 7}}, 12345,
     {"value": {"name": "no-documents-segment"}}],
)  # fmt: skip
def test_what_is_not_a_document_event_is_refused(data: Any) -> None:
    with pytest.raises(DocumentEventError):
        decode_document_event(data)


def test_document_path_from_subject() -> None:
    assert document_path_from_subject("documents/licences/C1_101") == "licences/C1_101"
    assert document_path_from_subject("documents/a/b/c/d") == "a/b/c/d"
    for subject in ("licences/C1", "documents/", ""):
        with pytest.raises(ValueError):
            document_path_from_subject(subject)


def test_unsupported_python_values_are_refused_when_encoding() -> None:
    for value in (object(), 2**63, {1, 2}):
        with pytest.raises(TypeError):
            encode_value(value, PROJECT)


def test_the_cloudevent_carries_eventarcs_attributes() -> None:
    event = firestore_cloud_event(
        old=None, new=version({"assigned": 1}), project=PROJECT, time=UPDATED_AT
    )
    assert event.headers["Content-Type"] == "application/protobuf"
    parsed = from_http(dict(event.headers), event.body)
    assert parsed.get_attributes() == {
        "specversion": "1.0",
        "id": event.id,
        "source": f"//firestore.googleapis.com/projects/{PROJECT}/databases/(default)",
        "type": WRITTEN,
        "subject": "documents/licences/C1_1010020028",
        "time": "2024-05-02T10:00:00.654321Z",
        "datacontenttype": "application/protobuf",
        "dataschema": "https://github.com/googleapis/google-cloudevents/blob/main/proto/google/"
        "events/cloud/firestore/v1/data.proto",
        "project": PROJECT,
        "database": "(default)",
        "namespace": "(default)",
        "document": "licences/C1_1010020028",
        "location": "nam5",
    }
    assert decode_document_event(parsed.data).new == {"assigned": 1}
    assert document_path_from_subject(parsed["subject"]) == parsed["document"]


def test_narrow_event_types_only_fit_their_changes() -> None:
    old, new = version({"a": 1}), version({"a": 2})

    def event_type(old: DocumentVersion | None, new: DocumentVersion | None, kind: str) -> str:
        event = firestore_cloud_event(
            old=old, new=new, project=PROJECT, time=UPDATED_AT, event_type=kind
        )
        return event.type

    assert event_type(None, new, CREATED) == CREATED
    assert event_type(old, new, UPDATED) == UPDATED
    assert event_type(old, None, DELETED) == DELETED
    with pytest.raises(ValueError):
        event_type(old, new, CREATED)
    with pytest.raises(ValueError):
        event_type(old, new, "google.cloud.pubsub.topic.v1.messagePublished")

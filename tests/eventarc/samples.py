"""A document that uses every Firestore value type, and what decoding its event must give."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any, cast

from google.api_core.datetime_helpers import DatetimeWithNanoseconds
from google.cloud import firestore
from google.cloud.firestore_v1.vector import Vector


def every_type(client: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    """(what to store, what the decoder must return). `client` makes the document reference."""
    with_nanos = cast(Any, DatetimeWithNanoseconds)  # untyped upstream
    nanos = with_nanos(2024, 1, 2, 3, 4, 5, nanosecond=123456789, tzinfo=UTC)
    stored = {
        "null": None,
        "yes": True,
        "no": False,
        "int": 42,
        "int_min": -(2**63),
        "int_max": 2**63 - 1,
        "double": 3.25,
        "double_whole": 2.0,
        "timestamp": datetime(2024, 3, 4, 5, 6, 7, 890123, tzinfo=UTC),
        "timestamp_nanos": nanos,
        "timestamp_naive": datetime(2024, 3, 4, 5, 6, 7),
        "timestamp_offset": datetime(2024, 3, 4, 7, 6, 7, tzinfo=timezone(timedelta(hours=2))),
        "timestamp_1969": datetime(1969, 12, 31, 23, 59, 59, 500000, tzinfo=UTC),
        "string": "Größe ✓",
        "empty_string": "",
        "bytes": b"\x00\xffbinary",
        "reference": client.document("customers/C1"),
        "geo": firestore.GeoPoint(51.4543, -0.9781),
        "array": [1, "two", None, {"three": 3.0}],
        "empty_array": [],
        "map": {"nested": {"deep": [True, b"x"]}, "n": 1},
        "empty_map": {},
        "vector": Vector([1.0, 2.5]),
    }
    expected = dict(stored)
    expected.update(
        timestamp_nanos=datetime(2024, 1, 2, 3, 4, 5, 123456, tzinfo=UTC),
        timestamp_naive=datetime(2024, 3, 4, 5, 6, 7, tzinfo=UTC),
        timestamp_offset=datetime(2024, 3, 4, 5, 6, 7, tzinfo=UTC),
        reference="customers/C1",
        geo=(51.4543, -0.9781),
        vector={"__type__": "__vector__", "value": [1.0, 2.5]},
    )
    return stored, expected

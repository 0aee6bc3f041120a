"""A throwaway gen2 function for the tests: decodes each Firestore CloudEvent with the production
decoder and keeps what it saw, in memory (`SEEN`, for an in-process app) and as one pickle file per
event in a directory (for a functions-framework server in another process)."""

from __future__ import annotations

import pickle
import time
from pathlib import Path
from typing import Any

FUNCTION_SOURCE = """\
import os
import pickle
import uuid
from pathlib import Path

import functions_framework

from licence_manager.firestore_events import decode_document_event

SEEN = []
OUT = Path({out!r})


@functions_framework.cloud_event
def record(event):
    change = decode_document_event(event.data)
    seen = {{"attributes": dict(event.get_attributes()), "change": change}}
    SEEN.append(seen)
    partial = OUT / f".{{uuid.uuid4().hex}}"
    partial.write_bytes(pickle.dumps(seen))
    os.rename(partial, OUT / f"{{os.stat(partial).st_mtime_ns}}-{{partial.name[1:]}}.pickle")
"""


def write_function(directory: Path) -> tuple[Path, Path]:
    """Write main.py into `directory`; returns (its path, the directory events land in)."""
    out = directory / "seen"
    out.mkdir(exist_ok=True)
    source = directory / "main.py"
    source.write_text(FUNCTION_SOURCE.format(out=str(out)))
    return source, out


def seen(out: Path) -> list[dict[str, Any]]:
    """What the function recorded, in the order it finished."""
    return [pickle.loads(path.read_bytes()) for path in sorted(out.glob("*.pickle"))]


def wait_for_seen(out: Path, count: int, timeout: float = 10.0) -> list[dict[str, Any]]:
    deadline = time.monotonic() + timeout
    while True:
        records = seen(out)
        if len(records) >= count or time.monotonic() > deadline:
            return records
        time.sleep(0.02)

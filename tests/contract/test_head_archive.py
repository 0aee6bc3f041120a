"""One contract, three archives of verified audit heads: the in-memory fake, the local
directory and the Cloud Storage adapter (through a stand-in that speaks the JSON API's upload
and media download, with `ifGenerationMatch=0` refused by 412 as Cloud Storage does). An object
is created once and never replaced."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import parse_qs, unquote, urlparse

import pytest
import requests

from licence_manager.adapters.head_archive import DirectoryArchive, GcsArchive
from licence_manager.ports.audit_integrity import ArchiveError, HeadArchive
from tests.fakes.memory_audit_integrity import MemoryArchive

BUCKET = "lm-prod-lm-audit-heads"


class StorageStandIn(BaseHTTPRequestHandler):
    """POST /upload/storage/v1/b/{bucket}/o?uploadType=media&name=N[&ifGenerationMatch=0] and
    GET /storage/v1/b/{bucket}/o/{name}?alt=media, as Cloud Storage answers them."""

    objects: ClassVar[dict[tuple[str, str], bytes]] = {}
    uploads: ClassVar[list[dict[str, list[str]]]] = []

    def log_message(self, *args: Any) -> None:
        pass

    def _answer(self, status: int, body: bytes = b"{}") -> None:
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self) -> None:
        url = urlparse(self.path)
        query = parse_qs(url.query)
        self.uploads.append(query)
        parts = url.path.split("/")
        if parts[:5] != ["", "upload", "storage", "v1", "b"] or parts[6:] != ["o"]:
            return self._answer(404)
        if query.get("uploadType") != ["media"] or "name" not in query:
            return self._answer(400)
        key = (unquote(parts[5]), query["name"][0])
        body = self.rfile.read(int(self.headers["Content-Length"]))
        if key in self.objects and query.get("ifGenerationMatch") == ["0"]:
            return self._answer(412)
        self.objects[key] = body
        return self._answer(200, b'{"generation": "1"}')

    def do_GET(self) -> None:
        url = urlparse(self.path)
        parts = url.path.split("/", 7)
        if parts[:4] != ["", "storage", "v1", "b"] or parts[5] != "o":
            return self._answer(404)
        if parse_qs(url.query).get("alt") != ["media"]:
            return self._answer(400)
        found = self.objects.get((unquote(parts[4]), unquote(parts[6])))
        return self._answer(200, found) if found is not None else self._answer(404)


@pytest.fixture
def storage() -> Iterator[str]:
    StorageStandIn.objects = {}
    StorageStandIn.uploads = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), StorageStandIn)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(params=["memory", "directory", "bucket"])
def archive(request: pytest.FixtureRequest, tmp_path: Path) -> HeadArchive:
    if request.param == "memory":
        return MemoryArchive()
    if request.param == "directory":
        return DirectoryArchive(tmp_path / "heads")
    return GcsArchive(BUCKET, requests.Session(), request.getfixturevalue("storage"))


NAME = "audit-heads/2026-12-06/C01.json"


def test_an_object_is_created_once_and_never_replaced(archive: HeadArchive) -> None:
    assert archive.get(NAME) is None
    assert archive.put_new(NAME, b'{"a": 1}') is True
    assert archive.put_new(NAME, b'{"a": 2}') is False
    assert archive.get(NAME) == b'{"a": 1}'
    assert archive.put_new("audit-heads/2026-12-07/C01.json", b"{}") is True
    assert archive.get("audit-heads/2026-12-07/C01.json") == b"{}"


def test_the_bucket_upload_is_conditional_on_no_object(storage: str) -> None:
    GcsArchive(BUCKET, requests.Session(), storage).put_new(NAME, b"{}")
    [upload] = StorageStandIn.uploads
    assert upload["ifGenerationMatch"] == ["0"]
    assert upload["name"] == [NAME]


def test_a_refused_upload_is_an_error_not_a_silent_skip(storage: str) -> None:
    with pytest.raises(ArchiveError, match="HTTP 404"):
        GcsArchive("no/such bucket", requests.Session(), storage + "/nowhere").put_new(NAME, b"{}")


def test_the_directory_keeps_files_read_only_and_inside_itself(tmp_path: Path) -> None:
    directory = DirectoryArchive(tmp_path)
    directory.put_new(NAME, b"{}")
    assert (tmp_path / NAME).stat().st_mode & 0o222 == 0
    with pytest.raises(ArchiveError):
        directory.put_new("../escape.json", b"{}")

"""Where verified audit chain heads are exported: objects created once, never replaced.

In production a Cloud Storage bucket with a retention policy (infra/terraform/audit-integrity.tf)
in which verify_audit's account may only create objects: the upload carries
`ifGenerationMatch=0`, so an object that exists is left alone (HTTP 412), and the retention
policy forbids deleting or replacing it for its period even to the bucket's owners once locked.
Locally (`make run`, tests) a directory, whose files are created exclusively and made read-only.
The JSON API is spoken with google-auth's authorised session (already in the bundle), so the
function needs no storage client library; tests hold both adapters to one contract, the bucket
one against a stand-in speaking the same wire format."""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Any
from urllib.parse import quote

from licence_manager.ports.audit_integrity import ArchiveError, HeadArchive

STORAGE_API = "https://storage.googleapis.com"
_SCOPE = "https://www.googleapis.com/auth/devstorage.read_write"


class DirectoryArchive(HeadArchive):
    def __init__(self, root: str | Path) -> None:
        self._root = Path(root)

    def _path(self, name: str) -> Path:
        path = (self._root / name).resolve()
        if self._root.resolve() not in path.parents:
            raise ArchiveError(f"{name!r} is outside the archive")
        return path

    def put_new(self, name: str, content: bytes) -> bool:
        path = self._path(name)
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            with path.open("xb") as file:
                file.write(content)
        except FileExistsError:
            return False
        os.chmod(path, stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH)
        return True

    def get(self, name: str) -> bytes | None:
        path = self._path(name)
        return path.read_bytes() if path.exists() else None


class GcsArchive(HeadArchive):
    """A bucket through the Cloud Storage JSON API. `session` is a requests-like session that
    authenticates (google.auth.transport.requests.AuthorizedSession in production)."""

    def __init__(
        self, bucket: str, session: Any, endpoint: str = STORAGE_API, timeout: float = 30.0
    ) -> None:
        self._bucket = bucket
        self._session = session
        self._endpoint = endpoint.rstrip("/")
        self._timeout = timeout

    def put_new(self, name: str, content: bytes) -> bool:
        response = self._session.post(
            f"{self._endpoint}/upload/storage/v1/b/{quote(self._bucket, safe='')}/o",
            params={"uploadType": "media", "name": name, "ifGenerationMatch": "0"},
            data=content,
            headers={"Content-Type": "application/json"},
            timeout=self._timeout,
        )
        if response.status_code == 412:  # the object exists: exported already, kept as it was
            return False
        if response.status_code >= 300:
            raise ArchiveError(f"upload of {name} answered HTTP {response.status_code}")
        return True

    def get(self, name: str) -> bytes | None:
        bucket, path = quote(self._bucket, safe=""), quote(name, safe="")
        response = self._session.get(
            f"{self._endpoint}/storage/v1/b/{bucket}/o/{path}",
            params={"alt": "media"},
            timeout=self._timeout,
        )
        if response.status_code == 404:
            return None
        if response.status_code >= 300:
            raise ArchiveError(f"reading {name} answered HTTP {response.status_code}")
        content: bytes = response.content
        return content


def default_session() -> Any:
    """Application default credentials (the function's own account) for Cloud Storage."""
    import google.auth
    from google.auth.transport.requests import AuthorizedSession

    credentials, _project = google.auth.default(scopes=[_SCOPE])
    return AuthorizedSession(credentials)  # type: ignore[no-untyped-call]

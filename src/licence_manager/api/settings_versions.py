"""The version of a licence's settings as the API speaks it: `version` is when they were last
saved (ISO 8601, opaque to clients; null when never saved). A PUT that sends it back is refused
with 409 if someone saved since; a PUT without it replaces whatever is there."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from licence_manager.api.problems import Problem
from licence_manager.ports.unit_of_work import SavedSettings
from licence_manager.services.settings import SeenVersion

NOT_A_VERSION = "Send back the version the settings were read with (or leave it out)."


def version_json(saved: SavedSettings) -> dict[str, Any]:
    at = saved.updated_at.isoformat() if saved.updated_at else None
    return {"version": at, "updatedBy": saved.updated_by or None, "updatedAt": at}


def take_version(body: Any) -> SeenVersion | None:
    """Remove `version` from the body: the version the client started from (None: unchecked)."""
    if not isinstance(body, dict) or "version" not in body:
        return None
    version = body.pop("version")
    if version is None:
        return SeenVersion(None)
    try:
        if not isinstance(version, str):
            raise ValueError(version)
        return SeenVersion(datetime.fromisoformat(version))
    except ValueError as error:
        raise Problem(
            422, "Invalid settings", NOT_A_VERSION, errors={"version": NOT_A_VERSION}
        ) from error


def changed_by_someone_else(current: SavedSettings, answer: dict[str, Any]) -> Problem:
    who = current.updated_by or "Someone else"
    return Problem(
        409,
        "Settings changed by someone else",
        f"{who} saved these settings after you opened them. Load their changes, then make "
        "yours again.",
        extensions={"current": answer},
    )

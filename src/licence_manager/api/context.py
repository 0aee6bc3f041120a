"""What the routes reach through the app: the parts create_app was given."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from flask import current_app

from licence_manager.api.problems import Problem
from licence_manager.ports.unit_of_work import UnitOfWork


def unit_of_work() -> UnitOfWork:
    uow: UnitOfWork | None = current_app.config["UOW"]
    if uow is None:
        raise Problem(503, "Service Unavailable", "Changes cannot be saved here.")
    return uow


def now() -> datetime:
    """The time now: a test may set CLOCK; otherwise the wall clock."""
    clock: Callable[[], datetime] | None = current_app.config.get("CLOCK")
    return clock() if clock else datetime.now(UTC)

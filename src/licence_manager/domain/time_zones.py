"""A customer's clock: the IANA time zone whose calendar decides their days and months (daily
rollups, reports, month-end, the monthly caps and spending) and in which the dashboard shows
times. Set per customer; new customers start on the deployment's DEFAULT_TIME_ZONE."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from licence_manager.domain import audit
from licence_manager.domain.audit import AuditAction, AuditEntry, Source
from licence_manager.domain.changes import customer_key
from licence_manager.domain.model import AuditHead, Customer, Licence

MAX_NAME_LENGTH = 64  # the longest IANA name is 32 characters; anything longer is not one


class UnknownTimeZone(ValueError):
    """Not the name of an IANA time zone this system knows."""


def checked_time_zone(name: object) -> str:
    """`name` if it is an IANA zone name ("Europe/London"), else UnknownTimeZone with a sentence
    a person can act on. Names are case-sensitive, as IANA spells them; "localtime" and file
    paths are refused even where zoneinfo would open them."""
    if not isinstance(name, str) or not name.strip():
        raise UnknownTimeZone("Choose a time zone, such as Europe/London.")
    name = name.strip()
    if len(name) > MAX_NAME_LENGTH or name not in _known():
        raise UnknownTimeZone(
            f"{name[:MAX_NAME_LENGTH]} is not a time zone we know: choose one from the list, "
            "spelled like Europe/London or America/New_York."
        )
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as error:  # listed but its data is missing
        raise UnknownTimeZone(f"{name} cannot be used on this server.") from error
    return name


_KNOWN: frozenset[str] | None = None


def _known() -> frozenset[str]:
    global _KNOWN
    if _KNOWN is None:  # reading the zone list walks the tz database: once per process
        # "localtime" is this machine's own zone and "Factory" means "no zone set": neither is
        # a place a customer is in.
        _KNOWN = (frozenset(available_timezones()) | {"UTC"}) - {"localtime", "Factory"}
    return _KNOWN


def moved_to(customer: Customer, time_zone: str) -> Customer:
    return replace(customer, time_zone=time_zone)


def licence_moved_to(licence: Licence, time_zone: str) -> Licence:
    """A licence follows its customer's clock: its next day opens in the new zone. Days already
    rolled up keep the zone they were counted in."""
    return replace(licence, time_zone=time_zone)


def time_zone_changed(
    head: AuditHead, customer_id: str, at: datetime, actor: str, before: str, after: str
) -> AuditEntry:
    message = f"Time zone changed. Before: {before}. After: {after}."
    return audit.append(
        head,
        customer_key(customer_id),
        at,
        AuditAction.TIME_ZONE_CHANGED,
        Source.DASHBOARD,
        actor,
        message,
    )

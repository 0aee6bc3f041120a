"""The rules for `personalizations`: who receives the message and per-envelope overrides."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, Final

from .addresses import normalise
from .checks import (
    AddressKind,
    Problems,
    check_address,
    check_headers,
    check_send_at,
    check_string_map,
    expect_array,
    expect_object,
)

MAX_PERSONALIZATIONS: Final = 1000
MAX_RECIPIENTS: Final = 1000  # to + cc + bcc over the whole request
MAX_CUSTOM_ARGS_BYTES: Final = 10_000  # global and personalization custom_args, merged

CUSTOM_ARGS_STRINGS: Final = "All values of custom arguments object must be strings"
_SUBJECT_LENGTH: Final = (
    "The subject of your email must be a string at least one character in length."
)


def check_personalizations(
    value: object,
    problems: Problems,
    *,
    global_custom_args: Mapping[str, str] | None,
    now: float,
) -> list[Mapping[str, Any]]:
    """Validate the array; returns the personalizations that are at least objects."""
    if value is None or (isinstance(value, list) and not value):
        problems.error(
            "The personalizations field is required and must have at least one personalization.",
            "personalizations",
        )
        return []
    items = expect_array(value, "personalizations", problems)
    if items is None:
        return []
    if len(items) > MAX_PERSONALIZATIONS:
        problems.error(
            f"The personalization block is limited to {MAX_PERSONALIZATIONS} personalizations "
            f"per API request. You have provided {len(items)} personalizations. Please "
            "consider splitting this into multiple requests and resending your request.",
            "personalizations",
        )
    valid: list[Mapping[str, Any]] = []
    recipients = 0
    for index, item in enumerate(items):
        field = f"personalizations.{index}"
        personalization = expect_object(item, field, problems)
        if personalization is None:
            continue
        valid.append(personalization)
        recipients += _check_one(personalization, field, problems, global_custom_args, now)
    if recipients > MAX_RECIPIENTS:
        problems.error(
            f"There is a limit of {MAX_RECIPIENTS} total recipients (to + cc + bcc) per request.",
            "personalizations",
        )
    return valid


def _check_one(
    personalization: Mapping[str, Any],
    field: str,
    problems: Problems,
    global_custom_args: Mapping[str, str] | None,
    now: float,
) -> int:
    """Check one envelope; returns how many recipients it names."""
    to = personalization.get("to")
    if not isinstance(to, list) or not to:
        problems.error(
            "The to array is required for all personalization objects, and must have at "
            "least one email object with a valid email address.",
            f"{field}.to",
        )
    seen: set[str] = set()
    duplicate: tuple[str, AddressKind] | None = None
    count = 0
    kinds: tuple[AddressKind, ...] = ("to", "cc", "bcc")
    for kind in kinds:
        entries = personalization.get(kind)
        if entries is None or (kind == "to" and not isinstance(entries, list)):
            continue
        listed = expect_array(entries, f"{field}.{kind}", problems)
        for position, entry in enumerate(listed or []):
            count += 1
            email = check_address(entry, f"{field}.{kind}.{position}", kind, problems)
            if email is None:
                continue
            key = normalise(email)
            if key in seen and duplicate is None:
                duplicate = (email, kind)
            seen.add(key)
    if duplicate is not None:
        email, where = duplicate
        problems.error(
            "Each email address in the personalization block should be unique between to, "
            f"cc, and bcc. We found the first duplicate instance of [{email}] in the "
            f"{field}.{where} field.",
            field,
        )

    if "from" in personalization:
        check_address(personalization["from"], f"{field}.from", "from", problems)
    subject = personalization.get("subject")
    if "subject" in personalization and (not isinstance(subject, str) or not subject):
        problems.error(_SUBJECT_LENGTH, f"{field}.subject")
    if "headers" in personalization:
        check_headers(personalization["headers"], f"{field}.headers", problems)
    if "substitutions" in personalization:
        check_string_map(
            personalization["substitutions"],
            f"{field}.substitutions",
            problems,
            "The substitution values must be an object of key/value pairs, where the values "
            "are all strings.",
        )
    if "dynamic_template_data" in personalization:
        expect_object(
            personalization["dynamic_template_data"], f"{field}.dynamic_template_data", problems
        )
    if "send_at" in personalization:
        check_send_at(personalization["send_at"], f"{field}.send_at", problems, now)
    if "custom_args" in personalization:
        _check_custom_args(personalization["custom_args"], field, problems, global_custom_args)
    return count


def _check_custom_args(
    value: object,
    field: str,
    problems: Problems,
    global_custom_args: Mapping[str, str] | None,
) -> None:
    own = check_string_map(value, f"{field}.custom_args", problems, CUSTOM_ARGS_STRINGS)
    if own is None:
        return
    if not own:
        problems.error("custom_args cannot be empty.", f"{field}.custom_args")
        return
    merged = {**(global_custom_args or {}), **own}
    if custom_args_size(merged) > MAX_CUSTOM_ARGS_BYTES:
        problems.error(
            "The combined size of both global and personalization custom arguments may not "
            "exceed 10,000 bytes per personalization.",
            f"{field}.custom_args",
        )


def custom_args_size(args: Mapping[str, str]) -> int:
    # SendGrid does not say how it counts; the compact JSON encoding is a fair upper bound.
    return len(json.dumps(args, separators=(",", ":"), ensure_ascii=False).encode())


def subject_in_every_personalization(personalizations: list[Mapping[str, Any]]) -> bool:
    return bool(personalizations) and all(
        isinstance(p.get("subject"), str) and p["subject"] for p in personalizations
    )

"""Validate a v3 Mail Send body the way SendGrid documents it (errors.html, mail-send).

Only the rules that a caller can trip over are checked: recipients, sender, subject,
content, categories, custom args, headers, attachments, scheduling and the types of
the commonly used settings. Account-dependent checks (template, ASM group or IP pool
exists, sender identity verified) cannot be known locally and are skipped.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

from .checks import (
    Problems,
    check_address,
    check_headers,
    check_send_at,
    check_string_map,
    expect_array,
    expect_object,
)
from .content import check_attachments, check_content
from .errors import ErrorDetail
from .personalizations import (
    CUSTOM_ARGS_STRINGS,
    MAX_CUSTOM_ARGS_BYTES,
    check_personalizations,
    custom_args_size,
    subject_in_every_personalization,
)

MAX_CATEGORIES: Final = 10
MAX_CATEGORY_LENGTH: Final = 255

# Settings whose `enable` must be a JSON boolean: (section, name, SendGrid's wording).
_ENABLE_FLAGS: Final = (
    ("mail_settings", "bcc", "bcc"),
    ("mail_settings", "bypass_list_management", "bypass list management"),
    ("mail_settings", "footer", "footer"),
    ("mail_settings", "sandbox_mode", "sandbox mode"),
    ("mail_settings", "spam_check", "spam check"),
    ("tracking_settings", "click_tracking", "click tracking"),
    ("tracking_settings", "open_tracking", "open tracking"),
    ("tracking_settings", "subscription_tracking", "subscription tracking"),
    ("tracking_settings", "ganalytics", "Google Analytics"),
)


@dataclass(frozen=True, slots=True)
class Verdict:
    errors: tuple[ErrorDetail, ...]
    warnings: tuple[str, ...]

    @property
    def ok(self) -> bool:
        return not self.errors


def validate_mail(body: Mapping[str, Any], *, now: float) -> Verdict:
    """Every problem SendGrid would report for `body` (a decoded JSON object)."""
    problems = Problems()
    has_template = "template_id" in body
    if has_template and not isinstance(body["template_id"], str):
        problems.error(
            f"The template ID must be a string, you provided {body['template_id']}.",
            "template_id",
        )

    global_args = _check_global_custom_args(body, problems)
    personalizations = check_personalizations(
        body.get("personalizations"), problems, global_custom_args=global_args, now=now
    )

    # A missing sender and a malformed one get the same documented message.
    check_address(body.get("from"), "from", "from", problems)
    if "reply_to" in body:
        check_address(body["reply_to"], "reply_to", "reply_to", problems)
    if "reply_to_list" in body:
        for index, entry in enumerate(
            expect_array(body["reply_to_list"], "reply_to_list", problems) or []
        ):
            check_address(entry, f"reply_to_list.{index}", "reply_to", problems)

    _check_subject(body, personalizations, problems, has_template=has_template)
    check_content(body.get("content"), problems, has_template=has_template)
    if "attachments" in body:
        check_attachments(body["attachments"], problems)
    if "categories" in body:
        _check_categories(body["categories"], problems)
    if "headers" in body:
        check_headers(body["headers"], "headers", problems)
    if "sections" in body:
        check_string_map(
            body["sections"], "sections", problems, "The section values must be strings."
        )
    if "send_at" in body:
        check_send_at(body["send_at"], "send_at", problems, now)
    _check_settings(body, problems)
    return Verdict(tuple(problems.errors), tuple(problems.warnings))


def is_sandboxed(body: Mapping[str, Any]) -> bool:
    """Sandbox mode: SendGrid validates, answers 200 and sends nothing."""
    settings = body.get("mail_settings")
    sandbox = settings.get("sandbox_mode") if isinstance(settings, dict) else None
    return isinstance(sandbox, dict) and sandbox.get("enable") is True


def _check_global_custom_args(
    body: Mapping[str, Any], problems: Problems
) -> Mapping[str, str] | None:
    if "custom_args" not in body:
        return None
    args = check_string_map(body["custom_args"], "custom_args", problems, CUSTOM_ARGS_STRINGS)
    if args is not None and custom_args_size(args) > MAX_CUSTOM_ARGS_BYTES:
        problems.error(
            "The combined size of both global and personalization custom arguments may not "
            "exceed 10,000 bytes per personalization.",
            "custom_args",
        )
    return args


def _check_subject(
    body: Mapping[str, Any],
    personalizations: list[Mapping[str, Any]],
    problems: Problems,
    *,
    has_template: bool,
) -> None:
    if "subject" in body:
        subject = body["subject"]
        if not isinstance(subject, str) or not subject:
            problems.error(
                "The subject of your email must be a string at least one character in length.",
                "subject",
            )
        return
    # A dynamic template brings its own subject; so does a subject on every envelope.
    if has_template or subject_in_every_personalization(personalizations):
        return
    problems.error(
        "The subject is required. You can get around this requirement if you use a template "
        "with a subject defined or if every personalization has a subject defined.",
        "subject",
    )


def _check_categories(value: object, problems: Problems) -> None:
    if not isinstance(value, list) or not all(isinstance(c, str) for c in value):
        problems.error("Categories must be an array of strings.", "categories")
        return
    if len(value) > MAX_CATEGORIES:
        problems.error(
            f"There is a limit of {MAX_CATEGORIES} categories for each email that is sent. "
            f"You provided {len(value)} categories.",
            "categories",
        )
    seen: set[str] = set()
    for index, category in enumerate(value):
        field = f"categories.{index}"
        if len(category) > MAX_CATEGORY_LENGTH:
            problems.error(
                f"Each category must not be longer than {MAX_CATEGORY_LENGTH} characters. "
                f"{category} exceeds this limit",
                field,
            )
        if not category.isascii():
            problems.error("Categories can not contain non-ASCII characters.", field)
        if category in seen:
            problems.error(
                "The categories must be a unique list, and you have included "
                f"{category} more than once.",
                field,
            )
        seen.add(category)


def _check_settings(body: Mapping[str, Any], problems: Problems) -> None:
    if "batch_id" in body and not isinstance(body["batch_id"], str):
        problems.error("The batch_id must be a string.", "batch_id")
    if "ip_pool_name" in body and not isinstance(body["ip_pool_name"], str):
        problems.error("The name of your IP pool must be a string.", "ip_pool_name")
    if "asm" in body:
        asm = expect_object(body["asm"], "asm", problems)
        group = asm.get("group_id") if asm is not None else 0
        if asm is not None and (not isinstance(group, int) or isinstance(group, bool)):
            problems.error("The ASM group ID must be an integer.", "asm.group_id")
    for section_name, setting_name, words in _ENABLE_FLAGS:
        section = body.get(section_name)
        setting = section.get(setting_name) if isinstance(section, dict) else None
        flag = setting.get("enable", False) if isinstance(setting, dict) else False
        if not isinstance(flag, bool):
            problems.error(
                f"The {words} enable param should be a boolean value.",
                f"{section_name}.{setting_name}.enable",
            )

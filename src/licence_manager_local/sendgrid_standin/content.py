"""The rules for the message body: `content` blocks and `attachments`."""

from __future__ import annotations

import base64
import binascii
import itertools
from typing import Final

from .checks import Problems, expect_array, expect_object, has_crlf_or_semicolon

# RFC 1341 7.2 as SendGrid applies it: plain first, then AMP, then HTML, then the rest.
_ORDER: Final[dict[str, int]] = {"text/plain": 0, "text/x-amp-html": 1, "text/html": 2}
_OTHER_RANK: Final = 3
_ONCE_ONLY: Final = frozenset({"text/plain", "text/html"})
DISPOSITIONS: Final = frozenset({"attachment", "inline"})


def check_content(value: object, problems: Problems, *, has_template: bool) -> None:
    if value is None:
        if not has_template:
            problems.error(
                "The content param is required unless you are using a transactional template "
                "and have defined a template_ID.",
                "content",
            )
        return
    blocks = expect_array(value, "content", problems)
    if blocks is None:
        return
    if not blocks:
        problems.error(
            "There must be at least one defined content block. We typically suggest both "
            "text/plain and text/html blocks are included, but only one block is required.",
            "content",
        )
        return
    types: list[tuple[int, str]] = []
    for index, item in enumerate(blocks):
        field = f"content.{index}"
        block = expect_object(item, field, problems)
        if block is None:
            continue
        mime = block.get("type")
        if not isinstance(mime, str) or not mime:
            problems.error(
                "Your content type must be a string with length of at least one character.",
                f"{field}.type",
            )
        elif has_crlf_or_semicolon(mime):
            problems.error("Cannot contain ';', or CRLF characters.", f"{field}.type")
        else:
            types.append((index, mime.lower()))
        text = block.get("value")
        if not isinstance(text, str) or not text:
            problems.error(
                "The content value must be a string at least one character in length.",
                f"{field}.value",
            )
    names = [mime for _, mime in types]
    if any(names.count(mime) > 1 for mime in _ONCE_ONLY):
        problems.error("If present, text/plain and text/html may only be provided once.", "content")
    ranks = [(index, _ORDER.get(mime, _OTHER_RANK)) for index, mime in types]
    for (_, before), (index, rank) in itertools.pairwise(ranks):
        if rank < before:
            problems.error(
                "Following RFC 1341, section 7.2, if either text/html or text/plain are to be "
                "sent in your email: text/plain needs to be first, followed by text/html, "
                "followed by any other content.",
                f"content.{index}.type",
                anchor="content.value",
            )
            break


def check_attachments(value: object, problems: Problems) -> None:
    items = expect_array(value, "attachments", problems)
    for index, item in enumerate(items or []):
        field = f"attachments.{index}"
        attachment = expect_object(item, field, problems)
        if attachment is None:
            continue
        _check_attachment_content(attachment.get("content"), f"{field}.content", problems)
        filename = attachment.get("filename")
        if filename is None:
            problems.error("filename is required.", f"{field}.filename")
        elif not isinstance(filename, str):
            problems.error("The filename of your attachment must be a string.", f"{field}.filename")
        elif "\r" in filename or "\n" in filename:
            problems.error(
                "The filename of your attachment cannot contain CRLF characters.",
                f"{field}.filename",
            )
        if "type" in attachment:
            mime = attachment["type"]
            if not isinstance(mime, str) or not mime:
                problems.error(
                    "The attachment type must be a string and at least one character in length.",
                    f"{field}.type",
                )
            elif has_crlf_or_semicolon(mime):
                problems.error("The type cannot contain ';', or CRLF characters.", f"{field}.type")
        disposition = attachment.get("disposition", "attachment")
        if disposition not in DISPOSITIONS:
            problems.error(
                'The disposition of your attachment can be either "inline" or "attachment". '
                f"You provided {disposition}.",
                f"{field}.disposition",
            )
        if "content_id" in attachment:
            content_id = attachment["content_id"]
            if not isinstance(content_id, str):
                problems.error(
                    f"The content ID of your attachment must be a string. You provided "
                    f"{content_id}.",
                    f"{field}.content_id",
                )
            elif has_crlf_or_semicolon(content_id):
                problems.error(
                    "The content ID of your attachment cannot contain CRLF characters.",
                    f"{field}.content_id",
                )


def decode_attachment(content: str) -> bytes:
    """Base64 as SendGrid takes it: standard alphabet, padded; MIME line breaks allowed."""
    compact = "".join(content.split())
    return base64.b64decode(compact, validate=True)


def _check_attachment_content(value: object, field: str, problems: Problems) -> None:
    if not isinstance(value, str) or not value:
        problems.error(
            "The attachment content must be a string at least one character in length.", field
        )
        return
    try:
        decode_attachment(value)
    except (binascii.Error, ValueError):
        problems.error("The attachment content must be base64 encoded.", field)

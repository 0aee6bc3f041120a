"""SendGrid's documented body rules, one broken thing at a time (no HTTP)."""

from __future__ import annotations

import base64
import time
from collections.abc import Callable
from typing import Any

import pytest

from licence_manager_local.sendgrid_standin import validate_mail
from licence_manager_local.sendgrid_standin.addresses import is_valid_email

from .conftest import minimal_body

NOW = 1_767_225_600.0  # 2026-01-01T00:00:00Z

Body = dict[str, Any]


def _fields(body: Body) -> list[str | None]:
    return [e.field for e in validate_mail(body, now=NOW).errors]


def _to(*emails: str) -> list[dict[str, str]]:
    return [{"email": e} for e in emails]


def _set(key: str, value: Any) -> Callable[[Body], None]:
    def apply(body: Body) -> None:
        body[key] = value

    return apply


def _drop(key: str) -> Callable[[Body], None]:
    def apply(body: Body) -> None:
        del body[key]

    return apply


def _envelope(**fields: Any) -> Callable[[Body], None]:
    def apply(body: Body) -> None:
        body["personalizations"][0].update(fields)

    return apply


def _attachment(**fields: Any) -> Callable[[Body], None]:
    """One attachment with `fields` changed; a field set to None is left out."""
    base = {"content": base64.b64encode(b"data").decode(), "filename": "a.txt"}
    merged = {k: v for k, v in {**base, **fields}.items() if v is not None}
    return _set("attachments", [merged])


CASES: list[tuple[str, Callable[[Body], None], str]] = [
    ("personalizations missing", _drop("personalizations"), "personalizations"),
    ("personalizations empty", _set("personalizations", []), "personalizations"),
    (
        "over 1000 personalizations",
        _set("personalizations", [{"to": _to(f"u{n}@x.example")} for n in range(1001)]),
        "personalizations",
    ),
    (
        "over 1000 recipients in all",
        _set("personalizations", [{"to": _to(*[f"u{n}@x.example" for n in range(1001)])}]),
        "personalizations",
    ),
    ("to missing", _set("personalizations", [{"cc": _to("a@x.example")}]), "personalizations.0.to"),
    ("to empty", _envelope(to=[]), "personalizations.0.to"),
    ("to without email", _envelope(to=[{"name": "A"}]), "personalizations.0.to.0.email"),
    ("bad cc", _envelope(cc=_to("nobody")), "personalizations.0.cc.0.email"),
    ("bad bcc", _envelope(bcc=_to("a@localhost")), "personalizations.0.bcc.0.email"),
    (
        "320+ character address",
        _envelope(to=_to("a" * 64 + "@" + "b" * 250 + ".example")),
        "personalizations.0.to.0.email",
    ),
    (
        "duplicate between to and cc",
        _envelope(to=_to("a@x.example"), cc=_to("A@X.example")),
        "personalizations.0",
    ),
    ("empty envelope subject", _envelope(subject=""), "personalizations.0.subject"),
    (
        "numeric custom arg in envelope",
        _envelope(custom_args={"n": 1}),
        "personalizations.0.custom_args",
    ),
    ("empty envelope custom args", _envelope(custom_args={}), "personalizations.0.custom_args"),
    (
        "custom args over 10,000 bytes",
        _envelope(custom_args={"big": "x" * 10_000}),
        "personalizations.0.custom_args",
    ),
    ("send_at not an integer", _envelope(send_at="soon"), "personalizations.0.send_at"),
    (
        "send_at over 72 hours ahead",
        _envelope(send_at=int(NOW) + 73 * 3600),
        "personalizations.0.send_at",
    ),
    ("reserved header", _envelope(headers={"Subject": "x"}), "personalizations.0.headers"),
    ("from missing", _drop("from"), "from"),
    ("from invalid", _set("from", {"email": "licences"}), "from.email"),
    ("reply_to invalid", _set("reply_to", {"email": "x@"}), "reply_to.email"),
    ("subject missing", _drop("subject"), "subject"),
    ("subject empty", _set("subject", ""), "subject"),
    ("content missing", _drop("content"), "content"),
    ("content empty", _set("content", []), "content"),
    ("content without type", _set("content", [{"value": "x"}]), "content.0.type"),
    (
        "content type with ;",
        _set("content", [{"type": "text/plain;", "value": "x"}]),
        "content.0.type",
    ),
    (
        "content empty value",
        _set("content", [{"type": "text/plain", "value": ""}]),
        "content.0.value",
    ),
    (
        "html before plain",
        _set(
            "content", [{"type": "text/html", "value": "h"}, {"type": "text/plain", "value": "p"}]
        ),
        "content.1.type",
    ),
    (
        "other type before html",
        _set(
            "content",
            [{"type": "text/calendar", "value": "c"}, {"type": "text/html", "value": "h"}],
        ),
        "content.1.type",
    ),
    (
        "plain twice",
        _set(
            "content", [{"type": "text/plain", "value": "a"}, {"type": "text/plain", "value": "b"}]
        ),
        "content",
    ),
    ("custom arg not a string", _set("custom_args", {"id": 7}), "custom_args"),
    ("custom args not an object", _set("custom_args", "id=7"), "custom_args"),
    ("11 categories", _set("categories", [f"c{n}" for n in range(11)]), "categories"),
    ("category not a string", _set("categories", [1]), "categories"),
    ("category too long", _set("categories", ["c" * 256]), "categories.0"),
    ("category twice", _set("categories", ["a", "a"]), "categories.1"),
    ("non-ASCII category", _set("categories", ["café"]), "categories.0"),
    ("header value not a string", _set("headers", {"X-Id": 1}), "headers"),
    ("header key with space", _set("headers", {"X Id": "1"}), "headers"),
    ("attachment not base64", _attachment(content="not base64!"), "attachments.0.content"),
    ("attachment empty content", _attachment(content=""), "attachments.0.content"),
    ("attachment without filename", _attachment(filename=None), "attachments.0.filename"),
    ("attachment filename with CRLF", _attachment(filename="a\r\n.txt"), "attachments.0.filename"),
    ("attachment empty type", _attachment(type=""), "attachments.0.type"),
    (
        "attachment odd disposition",
        _attachment(disposition="embedded"),
        "attachments.0.disposition",
    ),
    ("attachment numeric content_id", _attachment(content_id=5), "attachments.0.content_id"),
    ("template id not a string", _set("template_id", 5), "template_id"),
    ("batch id not a string", _set("batch_id", 5), "batch_id"),
    ("asm group not an integer", _set("asm", {"group_id": "5"}), "asm.group_id"),
    (
        "sandbox flag not a boolean",
        _set("mail_settings", {"sandbox_mode": {"enable": "yes"}}),
        "mail_settings.sandbox_mode.enable",
    ),
]


@pytest.mark.parametrize(
    ("mutate", "field"), [(c[1], c[2]) for c in CASES], ids=[c[0] for c in CASES]
)
def test_each_rule_names_its_field(mutate: Callable[[Body], None], field: str) -> None:
    body = minimal_body()
    mutate(body)

    # Every error names the field (breaking the 1000-envelope limit also breaks the
    # 1000-recipient one, so a field may be named twice).
    assert set(_fields(body)) == {field}


def test_the_base_body_is_valid() -> None:
    assert _fields(minimal_body()) == []


@pytest.mark.parametrize(
    "body",
    [
        # A subject on every personalization replaces the message subject.
        {
            k: v
            for k, v in minimal_body(
                personalizations=[
                    {"to": _to("a@x.example"), "subject": "A"},
                    {"to": _to("b@x.example"), "subject": "B"},
                ]
            ).items()
            if k != "subject"
        },
        # A template brings subject and content.
        {
            "personalizations": [{"to": _to("a@x.example")}],
            "from": {"email": "licences@reseller.example"},
            "template_id": "d-0123",
        },
        # The same address may appear in two different personalizations.
        minimal_body(personalizations=[{"to": _to("a@x.example")}, {"to": _to("a@x.example")}]),
        # AMP sits between plain text and HTML; other types come last.
        minimal_body(
            content=[
                {"type": "text/plain", "value": "p"},
                {"type": "text/x-amp-html", "value": "a"},
                {"type": "text/html", "value": "h"},
                {"type": "text/calendar", "value": "c"},
            ]
        ),
        # MIME-style line breaks in attachment base64 are fine.
        minimal_body(attachments=[{"content": "ZGF0\nYQ==", "filename": "a.txt"}]),
        minimal_body(send_at=int(NOW) + 71 * 3600, categories=[f"c{n}" for n in range(10)]),
    ],
    ids=[
        "subject-per-envelope",
        "template",
        "same-address-two-envelopes",
        "amp",
        "b64-lines",
        "limits",
    ],
)
def test_documented_exceptions_are_accepted(body: Body) -> None:
    assert _fields(body) == []


@pytest.mark.parametrize(
    ("email", "valid"),
    [
        ("owner@customer.example", True),
        ("first.last+tag@sub.domain.co.uk", True),
        ("o'brien@x.example", True),
        ("no-at-sign.example", False),
        ("two@@x.example", False),
        ("user@localhost", False),
        ("dot.@x.example", False),
        (".dot@x.example", False),
        ("sp ace@x.example", False),
        ("Name <user@x.example>", False),
        ("user@-x.example", False),
        ("üser@x.example", False),
    ],
)
def test_address_syntax(email: str, valid: bool) -> None:
    assert is_valid_email(email) is valid


def test_validation_is_quick_for_a_full_size_request() -> None:
    body = minimal_body(personalizations=[{"to": _to(f"user{n}@x.example")} for n in range(1000)])
    started = time.perf_counter()
    assert _fields(body) == []
    assert time.perf_counter() - started < 0.5

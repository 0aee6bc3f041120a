"""Refused sends reach production code as the real client's exceptions, with SendGrid's body."""

from __future__ import annotations

import json
from typing import Any

import pytest
from python_http_client.exceptions import (
    BadRequestsError,
    ForbiddenError,
    HTTPError,
    PayloadTooLargeError,
    UnauthorizedError,
    UnsupportedMediaTypeError,
)
from sendgrid import SendGridAPIClient
from sendgrid.helpers.mail import Bcc, Category, Mail, To

from licence_manager_local.sendgrid_standin import RunningStandIn, start_sendgrid_standin

from .conftest import minimal_body

HELP = "http://sendgrid.com/docs/API_Reference/Web_API_v3/Mail/errors.html"


def _errors(exc: HTTPError) -> list[dict[str, Any]]:
    body = json.loads(exc.body)
    assert set(body) == {"errors"}
    return list(body["errors"])


def _fields(exc: HTTPError) -> list[str | None]:
    return [e["field"] for e in _errors(exc)]


def test_wrong_key_is_401_with_sendgrids_body(standin: RunningStandIn) -> None:
    client = SendGridAPIClient(api_key="SG.not-the-key", host=standin.url)

    with pytest.raises(UnauthorizedError) as raised:
        client.send(minimal_body())

    assert raised.value.status_code == 401
    assert _errors(raised.value) == [
        {
            "message": "The provided authorization grant is invalid, expired, or revoked",
            "field": None,
            "help": None,
        }
    ]
    assert raised.value.headers["Content-Type"] == "application/json"
    assert len(standin.outbox) == 0
    assert standin.stats.snapshot() == {401: 1}


def test_missing_key_is_401_authorization_required(standin: RunningStandIn) -> None:
    client = SendGridAPIClient(api_key="", host=standin.url)
    client.client.request_headers.pop("Authorization")

    with pytest.raises(UnauthorizedError) as raised:
        client.send(minimal_body())

    assert _errors(raised.value)[0]["message"] == "authorization required"


def test_key_without_mail_send_scope_is_403() -> None:
    with start_sendgrid_standin(restricted_api_keys=["SG.read-only"]) as standin:
        client = SendGridAPIClient(api_key="SG.read-only", host=standin.url)
        with pytest.raises(ForbiddenError) as raised:
            client.send(minimal_body())
    assert _errors(raised.value)[0]["message"] == "access forbidden"


def test_no_personalizations(client: Any) -> None:
    body = minimal_body()
    del body["personalizations"]

    with pytest.raises(BadRequestsError) as raised:
        client.send(body)

    [error] = _errors(raised.value)
    assert error["field"] == "personalizations"
    assert error["help"] == f"{HELP}#message.personalizations"


def test_invalid_recipient_email_names_its_index(standin: RunningStandIn, client: Any) -> None:
    mail = Mail(
        from_email="licences@reseller.example",
        to_emails=[To("ok@customer.example"), To("owner@customer")],
        subject="Hi",
        plain_text_content="Hello",
    )

    with pytest.raises(BadRequestsError) as raised:
        client.send(mail)

    assert _errors(raised.value) == [
        {
            "message": "Does not contain a valid address.",
            "field": "personalizations.0.to.1.email",
            "help": f"{HELP}#message.personalizations.to",
        }
    ]
    assert len(standin.outbox) == 0


def test_invalid_from_email(client: Any) -> None:
    with pytest.raises(BadRequestsError) as raised:
        client.send(minimal_body(**{"from": {"email": "Licence Manager <licences@x>"}}))

    assert _fields(raised.value) == ["from.email"]


def test_missing_subject(client: Any) -> None:
    mail = Mail(
        from_email="licences@reseller.example",
        to_emails="owner@customer.example",
        plain_text_content="Hello",
    )

    with pytest.raises(BadRequestsError) as raised:
        client.send(mail)

    [error] = _errors(raised.value)
    assert error["field"] == "subject"
    assert error["message"].startswith("The subject is required.")


def test_html_before_plain_text(client: Any) -> None:
    # The helper library sorts content itself, so send the raw body a hand-built dict makes.
    body = minimal_body(
        content=[
            {"type": "text/html", "value": "<p>Hello</p>"},
            {"type": "text/plain", "value": "Hello"},
        ]
    )

    with pytest.raises(BadRequestsError) as raised:
        client.send(body)

    [error] = _errors(raised.value)
    assert error["field"] == "content.1.type"
    assert "text/plain needs to be first" in error["message"]


def test_too_many_categories(client: Any) -> None:
    mail = Mail(
        from_email="licences@reseller.example",
        to_emails="owner@customer.example",
        subject="Hi",
        plain_text_content="Hello",
    )
    for n in range(11):
        mail.add_category(Category(f"category-{n}"))

    with pytest.raises(BadRequestsError) as raised:
        client.send(mail)

    [error] = _errors(raised.value)
    assert error["field"] == "categories"
    assert "You provided 11 categories" in error["message"]


def test_same_address_as_to_and_bcc_is_refused(client: Any) -> None:
    mail = Mail(
        from_email="licences@reseller.example",
        to_emails="owner@customer.example",
        subject="Hi",
        plain_text_content="Hello",
    )
    mail.add_bcc(Bcc("Owner@Customer.example"))

    with pytest.raises(BadRequestsError) as raised:
        client.send(mail)

    [error] = _errors(raised.value)
    assert error["field"] == "personalizations.0"
    assert "personalizations.0.bcc" in error["message"]


def test_every_problem_is_reported_at_once(client: Any) -> None:
    body = minimal_body(
        content=[{"type": "text/plain", "value": ""}, {"type": "text/html", "value": ""}],
        custom_args={"customer_id": 123},
    )
    del body["subject"]

    with pytest.raises(BadRequestsError) as raised:
        client.send(body)

    assert sorted(f or "" for f in _fields(raised.value)) == [
        "content.0.value",
        "content.1.value",
        "custom_args",
        "subject",
    ]


def test_body_over_the_size_limit_is_413() -> None:
    with start_sendgrid_standin(max_body_bytes=4096) as standin:
        client = SendGridAPIClient(api_key=standin.api_key, host=standin.url)
        body = minimal_body(content=[{"type": "text/plain", "value": "x" * 5000}])
        with pytest.raises(PayloadTooLargeError) as raised:
            client.send(body)
        # The refusal drained the body, so the stand-in serves the next send normally.
        assert client.send(minimal_body()).status_code == 202
    assert raised.value.status_code == 413


def test_default_size_limit_is_sendgrids_30mb(client: Any) -> None:
    body = minimal_body(content=[{"type": "text/plain", "value": "x" * (30 * 1024 * 1024)}])

    with pytest.raises(PayloadTooLargeError):
        client.send(body)


def test_non_json_and_broken_json(standin: RunningStandIn) -> None:
    client = SendGridAPIClient(api_key=standin.api_key, host=standin.url)
    client.client.request_headers["Content-Type"] = "text/plain"
    with pytest.raises(UnsupportedMediaTypeError):
        client.client.mail.send.post(request_body="{}")

    client.client.request_headers["Content-Type"] = "application/json"
    with pytest.raises(BadRequestsError) as raised:
        client.client.mail.send.post(request_body="{not json")
    assert _errors(raised.value) == [{"message": "Bad Request", "field": None, "help": None}]


def test_unknown_path_and_wrong_method(standin: RunningStandIn) -> None:
    client = SendGridAPIClient(api_key=standin.api_key, host=standin.url)

    with pytest.raises(HTTPError) as raised:
        client.client.mail.send.get()
    assert raised.value.status_code == 405

    with pytest.raises(HTTPError) as raised:
        client.client.mail.batch.post(request_body={})
    assert raised.value.status_code == 404

"""One address rule, SendGrid's, in the core: the API validates recipients with it, the delivery
service drops addresses that break it, and the SendGrid stand-in refuses them with it."""

from __future__ import annotations

import pytest

from licence_manager.domain.email_address import MAX_EMAIL_LENGTH, is_valid_email

# The addresses the security review (#9) found the API accepting and SendGrid refusing.
REFUSED_BY_SENDGRID = (
    "it@acme..example",
    "it@-acme.example",
    "it..desk@acme.example",
    ".it@acme.example",
    "\u00efnfo@acme.example",
    "it@acme_corp.example",
)


@pytest.mark.parametrize("address", REFUSED_BY_SENDGRID)
def test_the_addresses_sendgrid_refuses_are_invalid(address: str) -> None:
    assert not is_valid_email(address)


@pytest.mark.parametrize(
    "address",
    [
        "it@acme.example",
        "first.last+tag@sub.acme.co.uk",
        "o'brien@acme.example",
        "IT-Desk@Acme.Example",
    ],
)
def test_ordinary_addresses_are_valid(address: str) -> None:
    assert is_valid_email(address)


def test_the_length_limit_is_sendgrids() -> None:
    domain = "@acme.example"
    assert is_valid_email("a" * (MAX_EMAIL_LENGTH - len(domain)) + domain)
    assert not is_valid_email("a" * (MAX_EMAIL_LENGTH - len(domain) + 1) + domain)


@pytest.mark.parametrize("value", [None, 3, b"it@acme.example", ""])
def test_anything_but_a_string_address_is_invalid(value: object) -> None:
    assert not is_valid_email(value)


def test_the_sendgrid_stand_in_refuses_with_the_same_rule() -> None:
    from licence_manager_local.sendgrid_standin import checks

    assert checks.is_valid_email is is_valid_email

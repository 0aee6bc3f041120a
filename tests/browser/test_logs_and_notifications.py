"""Issue 11's Logs and Notifications in a real browser against the whole local stack: an email
SendGrid refused is sent again from its row after a warning that it may arrive twice, the
resend is delivered and logged with the admin's name; the log filters by event type, never
shows another SKU's entries after switching, and downloads the filtered log as CSV."""

from __future__ import annotations

import csv
import io
import re
import time

import pytest
from playwright.sync_api import expect

from licence_manager.domain.audit import AuditAction
from licence_manager.domain.model import LicenceKey
from licence_manager_local.sendgrid_standin import SendGridStandInControl
from tests.api.conftest import SETTINGS_OFF
from tests.browser.conftest import Browser, Stack, eventually

pytestmark = [pytest.mark.slow, pytest.mark.emulator, pytest.mark.browser]

STANDARD, STARTER = "1010020028", "1010020027"
STANDARD_NAME, STARTER_NAME = (
    "Google Workspace Business Standard",
    "Google Workspace Business Starter",
)
DOMAIN, ADMIN = "initech.example", "admin@initech.example"


def failed_low_licence_email(stack: Stack, customer: str) -> dict[str, object]:
    """A low-licence alert on Business Standard that SendGrid refuses (400): FAILED."""
    sendgrid = SendGridStandInControl(stack.endpoints.sendgrid)
    sendgrid.fail_next(400)
    stack.api(
        "PUT",
        f"/customers/{customer}/licences/{STANDARD}/settings",
        ADMIN,
        {**SETTINGS_OFF, "lowLicenceAlert": True, "alertVacantAtOrBelow": 500},
    )

    def failed() -> dict[str, object] | None:
        page = stack.api("GET", f"/customers/{customer}/notifications?problems=true", ADMIN)
        return next(
            (
                n
                for n in page["notifications"]
                if n["status"] == "FAILED" and n["skuId"] == STANDARD and not n["resendOf"]
            ),
            None,
        )

    found: dict[str, object] = eventually(failed, 60, "the refused low-licence email")
    sendgrid.clear_faults()
    return found


def test_resend_a_failed_email_with_a_warning_and_see_it_logged(
    stack: Stack, browser: Browser
) -> None:
    page = browser.page
    customer = stack.customer_id(DOMAIN)
    original = failed_low_licence_email(stack, customer)
    sendgrid = SendGridStandInControl(stack.endpoints.sendgrid)
    sent_before = len(sendgrid.outbox())
    browser.sign_in("Ines Lumbergh")

    browser.nav("Notifications")
    page.get_by_label("Show problems only").check()
    row = page.locator(f'tr[data-id="{original["id"]}"]')
    expect(row).to_contain_text("Not delivered")
    expect(page.locator("table.sent tbody tr").filter(has_text="Sent")).to_have_count(0)
    resend = row.get_by_role("button", name="Send again")

    # The warning first; Escape leaves everything as it was, focus back on the row's button.
    resend.click()
    dialog = page.get_by_role("alertdialog", name="Send this email again?")
    expect(dialog).to_contain_text("It may arrive twice")
    expect(dialog.get_by_role("button", name="Cancel")).to_be_focused()
    page.keyboard.press("Escape")
    expect(dialog).to_have_count(0)
    expect(resend).to_be_focused()
    assert stack.store().notification(f"{original['id']}-resend-1") is None

    resend.click()
    dialog.get_by_role("button", name="Send again").click()
    expect(page.get_by_role("status").filter(has_text="email sent again")).to_be_visible()
    page.get_by_label("Show problems only").uncheck()
    again = page.locator(f'tr[data-id="{original["id"]}-resend-1"]')
    expect(again).to_contain_text(f"Sent again by {ADMIN}")
    expect(again).to_contain_text("Sent", timeout=60_000)  # its own delivery, polled
    expect(row).to_contain_text("Not delivered")  # the first is never rewritten
    expect(row).to_contain_text("Sent again since")  # and is not offered again
    expect(row.get_by_role("button", name="Send again")).to_have_count(0)
    eventually(lambda: len(sendgrid.outbox()) > sent_before, 30, "the resent email")
    browser.screenshot("13-notifications-resend")

    # Logged with the admin's name, found by the event filter
    browser.nav("Logs")
    page.get_by_label("Event").select_option(label="Email sent again")
    rows = page.locator("table.logs tbody tr")
    expect(rows.first).to_contain_text("Email sent again")
    expect(rows.first).to_contain_text(ADMIN)
    expect(rows.first).to_contain_text("may receive it twice")
    expect(
        page.locator('table.logs tbody tr:not([data-action="NOTIFICATION_RESENT"])')
    ).to_have_count(0)
    entries = stack.store().audit_entries(LicenceKey(customer, STANDARD))
    assert [(e.action, e.actor) for e in entries][-1] == (AuditAction.NOTIFICATION_RESENT, ADMIN)


def test_logs_filter_by_type_switch_sku_and_download_csv(stack: Stack, browser: Browser) -> None:
    page = browser.page
    customer = stack.customer_id(DOMAIN)
    stack.api(
        "PUT",
        f"/customers/{customer}/licences/{STARTER}/settings",
        ADMIN,
        {**SETTINGS_OFF, "lowLicenceAlert": True, "alertVacantAtOrBelow": 1},
    )
    browser.sign_in("Ines Lumbergh")
    browser.nav("Logs")
    rows = page.locator("table.logs tbody tr")
    expect(rows.first).to_be_visible()

    # Filter by event type: only settings changes, across both SKUs
    page.get_by_label("Event").select_option(label="Settings changed")
    expect(page).to_have_url(re.compile(r"/logs\?type=SETTINGS_CHANGED$"))
    expect(rows.first).to_contain_text("Settings changed")
    expect(page.locator('table.logs tbody tr:not([data-action="SETTINGS_CHANGED"])')).to_have_count(
        0
    )
    # "When" on one line: the time element is a single line box at 1280 px
    assert rows.first.locator("time").evaluate("t => t.getClientRects().length") == 1

    # Switching SKU never shows the previous SKU's entries, not even for a moment.
    page.get_by_label("Event").select_option(label="All events")
    licence = page.get_by_label("Licence", exact=True)
    licence.select_option(label=STANDARD_NAME)
    expect(rows.first.locator("td").nth(1)).to_have_text(STANDARD_NAME)
    licence.select_option(label=STARTER_NAME)
    deadline = time.monotonic() + 3
    while time.monotonic() < deadline:
        names = set(rows.locator("td:nth-child(2)").all_text_contents())
        assert names <= {STARTER_NAME}, names
        time.sleep(0.05)
    expect(rows.first.locator("td").nth(1)).to_have_text(STARTER_NAME)
    chain = stack.store().audit_entries(LicenceKey(customer, STARTER))
    expect(rows).to_have_count(len(chain))

    # The CSV: the whole filtered log, named after the customer and the day
    page.get_by_label("Event").select_option(label="Settings changed")
    with page.expect_download() as started:
        page.get_by_role("button", name="Download CSV").click()
    download = started.value
    assert download.suggested_filename.startswith(f"licence-log-{DOMAIN}-")
    assert download.suggested_filename.endswith(".csv")
    with open(download.path(), encoding="utf-8") as file:
        header, *lines = list(csv.reader(io.StringIO(file.read())))
    assert header[:5] == ["When", "Time zone", "Licence", "Event", "Source"]
    settings = [e for e in chain if e.action is AuditAction.SETTINGS_CHANGED]
    assert len(lines) == len(settings)
    assert {line[2] for line in lines} == {STARTER_NAME}
    assert {line[3] for line in lines} == {"Settings changed"}
    assert lines[0][5] == ADMIN
    expect(page.get_by_role("status").filter(has_text="Downloaded licence-log-")).to_be_visible()

"""The user guide's "Getting Started" flows, step by step, in a real browser (Debian's chromium
through Playwright) against the whole local stack: what the user sees, and what changed behind
it (the Reseller simulator's seats, Firestore's settings, recipients and audit log, the emails
in the SendGrid stand-in).

Each test signs in as the admin of a different demo customer, so they do not depend on each
other's order."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from playwright.sync_api import expect

from licence_manager.api.log_wording import humanise
from licence_manager.domain.audit import CUSTOMER_SCOPE, AuditAction, verify_chain
from licence_manager.domain.model import LicenceKey
from licence_manager.domain.notifications import NotificationType
from licence_manager.domain.settings import LicenceSettings
from licence_manager_local import run
from licence_manager_local.sendgrid_standin import SendGridStandInControl
from tests.api.conftest import SETTINGS_OFF
from tests.browser.conftest import Browser, Stack, eventually, open_menu

pytestmark = [pytest.mark.slow, pytest.mark.emulator, pytest.mark.browser]

STANDARD, STARTER, PLUS = "1010020028", "1010020027", "1010020025"
ENTERPRISE_PLUS = "1010020020"


def row(browser: Browser, sku_name: str):  # type: ignore[no-untyped-def]
    return browser.page.locator("table.licences tbody tr", has_text=sku_name)


def open_row_menu(browser: Browser, sku_name: str, item: str) -> None:
    """ "Click the 3 dot icon against the relevant SKU and select ..." """
    button = row(browser, sku_name).get_by_role("button", name=f"Actions for {sku_name}")
    open_menu(browser.page, button)
    browser.page.get_by_role("menuitem", name=item).click()


def test_guide_managing_notifications_and_auto_top_ups(stack: Stack, browser: Browser) -> None:
    page = browser.page
    domain, email = "acme-widgets.example", "admin@acme-widgets.example"
    customer = stack.customer_id(domain)
    sku_name = "Google Workspace Business Starter"  # flexible, 10 seats, 9 users: 1 vacant
    before = stack.subscription(domain, STARTER)
    assert before is not None and (before["seats"], before["users"]) == (10, 9)

    # 1. Head to the Licence Manager Homepage
    page.goto("/")
    expect(page.get_by_role("heading", name="Demo users")).to_be_visible()
    browser.screenshot("01-sign-in")
    browser.sign_in("Alex Morgan")
    browser.screenshot("02-my-licences")
    # 2. On the left hand panel, select "My Licences"
    browser.nav("My Licences")
    expect(page.get_by_role("heading", name="My Licences")).to_be_visible()
    expect(row(browser, sku_name).locator("td").nth(3)).to_have_text("1")  # vacant
    # 3. Click the 3 dot icon against the relevant SKU and select "settings"
    open_menu(page, row(browser, sku_name).get_by_role("button", name=f"Actions for {sku_name}"))
    expect(page.get_by_role("menuitem", name="Add Licences")).to_be_visible()
    browser.screenshot("03-licence-menu", full_page=False)
    page.get_by_role("menuitem", name="Settings").click()
    expect(page.get_by_role("heading", name=f"Settings: {sku_name}")).to_be_visible()
    # 4. Click the required notification and top-up options, setting your desired threshold
    page.get_by_label("Email an alert when licences run low").check()
    page.get_by_label("Alert when vacant seats fall to").fill("2")
    page.get_by_label("Add licences automatically when vacant seats run low").check()
    page.get_by_label("Top up when vacant seats fall below").fill("2")
    page.get_by_label("Get back to this many vacant seats").fill("4")
    page.get_by_label("At most this many seats added a month").fill("20")
    expected = (
        "Email an alert when vacant seats fall to 2 or below. When vacant seats fall below 2, "
        "add seats to get back to 4 vacant, at most 20 a month."
    )
    expect(page.locator("#settings-description")).to_have_text(expected)
    browser.screenshot("04-settings")
    # 5. Press 'Save Changes'
    page.get_by_role("button", name="Save Changes").click()
    expect(page.get_by_role("status").filter(has_text="Changes saved")).to_contain_text(expected)
    # what the worst case would cost: the monthly maximum at Business Starter's £7.08 a seat
    expect(page.locator("#worst-case")).to_have_text(
        "At worst, automatic top-ups could add 20 seats in a calendar month: an estimated "
        "£141.60 a month more, excluding VAT, at your price."
    )

    # Behind it: saved, audited with the admin, and acted on (1 vacant is below 2: top up to 4)
    key = LicenceKey(customer, STARTER)
    store = stack.store()
    assert store.settings(key) == LicenceSettings(
        low_licence_alert=True,
        alert_vacant_at_or_below=2,
        auto_top_up=True,
        top_up_when_vacant_below=2,
        top_up_target_vacant=4,
        max_seats_per_month=20,
    )
    saved = [e for e in store.audit_entries(key) if e.action is AuditAction.SETTINGS_CHANGED]
    assert [(e.actor, e.source.value) for e in saved] == [(email, "dashboard")]
    sub = eventually(
        lambda: (s := stack.subscription(domain, STARTER)) and s["seats"] == 13 and s,
        60,
        "the automatic top-up in the simulator",
    )
    assert sub["seats"] == 13
    assert verify_chain(store.audit_entries(key)) == []

    # "You can also select 'Home' at any time, and this will take you back to My Licences"
    browser.nav("Home")
    expect(page.get_by_role("heading", name="My Licences")).to_be_visible()
    expect(row(browser, sku_name).get_by_text("Auto top-up")).to_be_visible()
    expect(row(browser, sku_name).get_by_text("Alerts on")).to_be_visible()
    # live: the top-up shows without a reload (the page refreshes its figures itself)
    expect(row(browser, sku_name).locator("td").nth(2)).to_have_text("13", timeout=30_000)


def test_guide_adding_licences_manually(stack: Stack, browser: Browser) -> None:
    page = browser.page
    domain, email = "initech.example", "admin@initech.example"
    sku_name = "Google Workspace Business Standard"  # flexible, 8 seats
    assert stack.subscription(domain, STANDARD)["seats"] == 8  # type: ignore[index]
    browser.sign_in("Ines Lumbergh")

    # 1. Locate the licence SKU you want to add licences to
    target = row(browser, sku_name)
    expect(target.locator("td").nth(2)).to_have_text("8")
    # 2. Click the three dots menu on the right side of the row
    # 3. Select "Add Licences" from the dropdown menu
    open_row_menu(browser, sku_name, "Add Licences")
    expect(page.get_by_role("heading", name=f"Add Licences: {sku_name}")).to_be_visible()
    # 4. Enter the number of additional licences you wish to add
    page.get_by_label("Number of licences to add").fill("2")
    expect(page.get_by_test_id("resulting-total")).to_have_text("10 seats")
    expect(page.get_by_test_id("change-cost")).to_have_text(
        "estimated £28.32 a month more, excluding VAT, at your price"
    )
    expect(page.get_by_text("Pay monthly for the seats you have")).to_be_visible()
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_text("Add 2 licences to Google Workspace Business Standard")).to_be_visible()
    browser.screenshot("05-add-licences")
    # 5. Confirm your selection to complete the process
    page.get_by_role("button", name="Confirm").click()
    expect(page.get_by_text(f"Added: {sku_name} now has 10 seats.")).to_be_visible(timeout=60_000)
    browser.screenshot("06-add-licences-done")

    # Behind it: Google (the simulator) really has 10 seats, bought once, audited with the admin
    assert stack.subscription(domain, STANDARD)["seats"] == 10  # type: ignore[index]
    key = LicenceKey(stack.customer_id(domain), STANDARD)
    entries = stack.store().audit_entries(key)
    assert [(e.action, e.actor, e.seats_before, e.seats_after) for e in entries[-2:]] == [
        (AuditAction.TOP_UP_REQUESTED, email, 8, 10),
        (AuditAction.TOP_UP_APPLIED, email, 8, 10),
    ]
    browser.nav("My Licences")
    expect(row(browser, sku_name).locator("td").nth(2)).to_have_text("10")


def test_guide_reports(stack: Stack, browser: Browser) -> None:
    page = browser.page
    domain = "acme-widgets.example"
    customer = stack.customer_id(domain)
    browser.sign_in("Alex Morgan")

    # 1. Head to the Licence Manager Homepage  2. On the left hand panel, select "Reports"
    browser.nav("Reports")
    expect(page.get_by_role("heading", name="Reports")).to_be_visible()
    # 3. From the dropdown menu, you are able to select the type of licence
    page.get_by_label("Licence", exact=True).select_option(
        label="Google Workspace Business Standard"
    )
    sub = stack.subscription(domain, STANDARD)
    assert sub is not None
    expect(page.get_by_test_id("metric-available")).to_have_text(str(sub["seats"] - sub["users"]))
    # 4. You can switch between day, month, year and also select custom dates
    today = date.today()
    for label, granularity in (
        ("Week", "week"),
        ("Month", "month"),
        ("Year", "month"),
        ("Day", "day"),
    ):
        page.get_by_role("button", name=label, exact=True).click()
        expect(page.get_by_role("button", name=label, exact=True)).to_have_attribute(
            "aria-pressed", "true"
        )
        expect(page.get_by_text(re.compile(f"by {granularity}"))).to_be_visible()
    page.get_by_role("button", name="Custom").click()
    start = today - timedelta(days=6)
    page.get_by_label("From", exact=True).fill(start.isoformat())
    page.get_by_label("To", exact=True).fill(today.isoformat())
    page.get_by_label("Show by").select_option("day")
    on = [f"{d.day} {'Sept?' if d.month == 9 else f'{d:%b}'} {d.year}" for d in (start, today)]
    expect(page.get_by_text(re.compile(f"{on[0]} to {on[1]}, by day"))).to_be_visible()
    expect(page.locator("canvas")).to_be_visible()

    # What the cards say is what the report API says for the same range
    report = stack.api(
        "GET",
        f"/customers/{customer}/licences/{STANDARD}/report"
        f"?from={start.isoformat()}&to={today.isoformat()}&granularity=day",
        "admin@acme-widgets.example",
    )
    metrics = report["metrics"]
    expect(page.get_by_test_id("metric-topups")).to_have_text(str(metrics["totalTopUps"]))
    expect(page.get_by_test_id("metric-added")).to_have_text(str(metrics["totalLicencesAdded"]))
    utilisation = metrics["averageUtilisation"]
    expect(page.get_by_test_id("metric-utilisation")).to_have_text(
        "—" if utilisation is None else f"{round(utilisation * 100)}%"
    )
    page.get_by_text("Show the figures as a table").click()
    recorded = [p for p in report["series"] if p["total"] is not None]  # the chart starts there
    expect(page.locator("figure table tbody tr")).to_have_count(len(recorded))
    page.get_by_role("button", name="Month", exact=True).click()
    browser.screenshot("08-reports")


def test_guide_logs(stack: Stack, browser: Browser) -> None:
    page = browser.page
    domain, email = "northwind.example", "admin@northwind.example"
    customer = stack.customer_id(domain)
    sku_name = "Google Workspace Business Starter"
    # something this admin did, so the log has their name at the top
    stack.api(
        "PUT",
        f"/customers/{customer}/licences/{STARTER}/settings",
        email,
        {**SETTINGS_OFF, "lowLicenceAlert": True, "alertVacantAtOrBelow": 3},
    )
    browser.sign_in("Nadia Shah")

    # 1. Head to the Licence Manager Homepage  2. On the left hand panel, select "Logs"
    browser.nav("Logs")
    expect(page.get_by_role("heading", name="Logs")).to_be_visible()
    # 3. From the dropdown menu, you are able to select the type of licence
    page.get_by_label("Licence", exact=True).select_option(label=sku_name)
    rows = page.locator("table.logs tbody tr")
    expect(rows.first).to_contain_text("Settings changed")
    expect(rows.first).to_contain_text(email)
    expect(rows.first).to_contain_text("After: Email an alert when vacant seats fall to 3")

    # Behind it: exactly that SKU's audit chain, newest first
    entries = stack.store().audit_entries(LicenceKey(customer, STARTER))
    expect(rows).to_have_count(len(entries))
    for index, entry in enumerate(reversed(entries)):
        expect(rows.nth(index).locator("td").nth(5)).to_have_text(humanise(entry.message))
        expect(rows.nth(index).locator("td").nth(1)).to_have_text(sku_name)
    browser.screenshot("09-logs")


def test_guide_notifications_and_recipients(stack: Stack, browser: Browser) -> None:
    page = browser.page
    domain, email = "globex.example", "admin@globex.example"
    customer = stack.customer_id(domain)
    sendgrid = SendGridStandInControl(stack.endpoints.sendgrid)
    # Enterprise Plus is full (15 of 15): an alert at 1 vacant or fewer fires at once
    stack.api(
        "PUT",
        f"/customers/{customer}/licences/{ENTERPRISE_PLUS}/settings",
        email,
        {**SETTINGS_OFF, "lowLicenceAlert": True, "alertVacantAtOrBelow": 1},
    )
    contact = next(
        c["alternateEmail"].lower()
        for c in stack.simulator.snapshot()["customers"]
        if c["customerDomain"] == domain
    )
    eventually(
        lambda: any(
            e["subject"].startswith("Low licences: Google Workspace Enterprise Plus for globex")
            for e in sendgrid.outbox()
        ),
        60,
        "the low-licence email",
    )
    browser.sign_in("Gus Porter")

    # 1. Head to the Licence Manager Homepage  2. On the left hand panel, select "Notifications"
    browser.nav("Notifications")
    expect(page.get_by_role("heading", name="Notifications", exact=True)).to_be_visible()
    sent = page.locator("section", has=page.get_by_role("heading", name="Notifications sent"))
    first = sent.locator("tbody tr").first
    expect(first).to_contain_text("Low licences")
    expect(first).to_contain_text("Google Workspace Enterprise Plus")
    expect(first).to_contain_text(contact)
    # Sent, then Delivered once the SendGrid stand-in's signed event reaches the api.
    expect(first).to_contain_text(re.compile("Sent|Delivered"), timeout=30_000)
    browser.screenshot("10-notifications")

    # 3. By selecting the 3 dots & edit next to the email address, you are able to edit the
    #    type of notifications the user receives
    recipient = page.locator("li.recipient", has_text=contact)
    recipient.get_by_role("button", name=f"Actions for {contact}").click()
    page.get_by_role("menuitem", name="Edit").click()
    form = page.get_by_role("form", name=f"Edit {contact}")
    # 4. Toggle the settings as required, and click 'Save Changes'
    switch = form.get_by_role("switch", name="Low licences")
    expect(switch).to_be_checked()
    switch.uncheck()
    form.get_by_role("switch", name="Month-end report").uncheck()
    browser.screenshot("11-notifications-edit")
    form.get_by_role("button", name="Save Changes").click()
    expect(
        page.get_by_role("status").filter(has_text=f"Changes saved for {contact}")
    ).to_be_visible()
    expect(page.locator("li.recipient", has_text=contact)).to_contain_text(
        "Top-up applied, Top-up failed or blocked, Purchase confirmed"
    )

    # and add, then remove, a second recipient
    page.get_by_role("button", name="Add recipient").click()
    page.get_by_label("Email address").fill("finance@globex.example")
    page.get_by_label("Name (optional)").fill("Finance")
    page.get_by_role("button", name="Add recipient").click()
    expect(
        page.get_by_role("status").filter(has_text="finance@globex.example added")
    ).to_be_visible()
    added = page.locator("li.recipient", has_text="finance@globex.example")
    added.get_by_role("button", name="Actions for finance@globex.example").click()
    page.get_by_role("menuitem", name="Remove").click()
    dialog = page.get_by_role("alertdialog", name="Remove this recipient?")
    expect(dialog.get_by_role("button", name="Cancel")).to_be_focused()
    dialog.get_by_role("button", name="Remove").click()
    expect(page.locator("li.recipient", has_text="finance@globex.example")).to_have_count(0)

    # Behind it: the recipient's preferences, and each change audited with the admin
    store = stack.store()
    (stored,) = store.recipients(customer)
    assert stored.email == contact
    assert NotificationType.LOW_LICENCES not in stored.wants
    assert NotificationType.MONTH_END_REPORT not in stored.wants
    assert NotificationType.TOP_UP_APPLIED in stored.wants
    chain = store.audit_entries(LicenceKey(customer, CUSTOMER_SCOPE))
    assert [(e.action, e.actor) for e in chain] == [
        (AuditAction.RECIPIENT_CHANGED, email),
        (AuditAction.RECIPIENT_ADDED, email),
        (AuditAction.RECIPIENT_REMOVED, email),
    ]


def test_purchase_a_new_sku(stack: Stack, browser: Browser) -> None:
    page = browser.page
    domain, email = "northwind.example", "admin@northwind.example"
    sku_name = "Google Workspace Business Standard"
    assert stack.subscription(domain, STANDARD) is None
    browser.sign_in("Nadia Shah")
    browser.nav("Purchase")
    expect(page.get_by_role("heading", name="Purchase")).to_be_visible()
    options = page.get_by_label("Licence", exact=True).locator("option")
    expect(options.filter(has_text="Business Plus")).to_have_count(0)  # already theirs
    # Frontline Starter is theirs through an offline order: shown as held, not offered
    held = page.get_by_role("region", name="Held through an offline order")
    expect(held).to_contain_text("Google Workspace Frontline Starter: held through an offline")
    expect(options.filter(has_text="Frontline Starter")).to_have_count(0)
    page.get_by_label("Licence", exact=True).select_option(label=sku_name)
    page.get_by_label(re.compile("^Flexible")).check()
    page.get_by_label("Number of licences").fill("3")
    expect(page.get_by_test_id("purchase-cost")).to_have_text(
        "estimated £42.48 a month, excluding VAT, at your price"
    )
    page.get_by_role("button", name="Continue").click()
    browser.screenshot("07-purchase")
    page.get_by_role("button", name="Confirm purchase").click()
    expect(page.get_by_text(f"Bought: {sku_name} with 3 seats.")).to_be_visible(timeout=60_000)

    # Behind it: Google (the simulator) has the new subscription, bought once by this request
    bought = stack.subscription(domain, STANDARD)
    assert bought is not None
    assert (bought["planName"], bought["seats"], bought["billingMethod"]) == (
        "FLEXIBLE",
        3,
        "ONLINE",
    )
    key = LicenceKey(stack.customer_id(domain), STANDARD)
    entries = stack.store().audit_entries(key)
    (request,) = stack.store().requests_of(key)
    assert bought["purchaseOrderId"] == request.request_id
    assert [(e.action, e.source.value, e.actor) for e in entries[:2]] == [
        (AuditAction.TOP_UP_REQUESTED, "purchase", email),
        (AuditAction.TOP_UP_APPLIED, "purchase", email),
    ]
    browser.nav("My Licences")
    expect(row(browser, sku_name).locator("td").nth(2)).to_have_text("3")
    # and it is no longer on offer
    browser.nav("Purchase")
    expect(
        page.get_by_label("Licence", exact=True).locator("option").filter(has_text=sku_name)
    ).to_have_count(0)


def test_my_licences_is_live_and_keyboard_usable(stack: Stack, browser: Browser) -> None:
    page = browser.page
    domain = "initech.example"
    sku_name = "Google Workspace Business Starter"  # annual, 12 seats
    sub = stack.subscription(domain, STARTER)
    assert sub is not None
    users, seats = sub["users"], sub["seats"]
    browser.sign_in("Ines Lumbergh")
    expect(row(browser, sku_name).locator("td").nth(1)).to_have_text(str(users))
    more = min(users + 2, seats)
    stack.simulator.set_users(stack.customer_id(domain), STARTER, more)
    run.trigger_sync()
    # no reload: the page refreshes its figures while it is open
    expect(row(browser, sku_name).locator("td").nth(1)).to_have_text(str(more), timeout=40_000)
    expect(row(browser, sku_name).locator("td").nth(3)).to_have_text(str(seats - more))

    # the three-dot menu by keyboard: focus it, open with Enter, arrows, Escape closes
    menu_button = row(browser, sku_name).get_by_role("button", name=f"Actions for {sku_name}")
    menu_button.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("menuitem", name="Settings")).to_be_focused()
    page.keyboard.press("ArrowDown")
    expect(page.get_by_role("menuitem", name="Add Licences")).to_be_focused()
    page.keyboard.press("Escape")
    expect(page.get_by_role("menu")).to_have_count(0)
    expect(menu_button).to_be_focused()
    page.keyboard.press("Enter")
    page.keyboard.press("Enter")  # Settings
    expect(page.get_by_role("heading", name=f"Settings: {sku_name}")).to_be_visible()
    # an account manager sees the same figures but cannot change them
    browser.page.get_by_role("button", name="Sign out").click()
    browser.sign_in("Morgan Lee")
    expect(page.get_by_role("combobox", name="Customer")).to_be_visible()
    open_row_menu(browser, "Google Workspace Business Standard", "Settings")
    expect(page.get_by_role("button", name="Save Changes")).to_be_disabled()

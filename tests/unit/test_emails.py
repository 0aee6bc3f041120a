from licence_manager.domain.emails import render
from licence_manager.domain.model import LicenceKey
from licence_manager.domain.notifications import Notification, NotificationType
from licence_manager.domain.outcomes import ANNUAL_NOTE
from tests.builders import T0

SKU = "Google Workspace Business Standard"
DOMAIN = "acme.example"
DASHBOARD = "https://licences.example/"
USAGE = {
    "customerDomain": DOMAIN,
    "skuName": SKU,
    "planName": "FLEXIBLE",
    "assigned": 9,
    "total": 10,
    "vacant": 1,
    "utilisation": 0.9,
}


def notification(kind: NotificationType, **facts: str | int | float | None) -> Notification:
    return Notification(
        f"C01_1010020028-{kind.value}",
        LicenceKey("C01", "1010020028"),
        kind,
        T0,
        {**USAGE, **facts},
    )


LOW = notification(NotificationType.LOW_LICENCES)
APPLIED = notification(
    NotificationType.TOP_UP_APPLIED,
    seatsAdded=3,
    totalBefore=10,
    totalAfter=13,
    total=13,
    vacant=4,
    source="automatic",
    planNote="",
)
FAILED = notification(
    NotificationType.TOP_UP_FAILED,
    seatsWanted=3,
    reason="Adding 3 would make 13, above your maximum of 12 seats.",
)


def test_a_low_licence_email_names_the_sku_the_domain_and_the_vacant_seats() -> None:
    email = render(LOW, DASHBOARD)
    assert email.subject == f"Low licences: {SKU} for {DOMAIN} (1 vacant)"


def test_a_low_licence_email_gives_the_figures_in_text_and_html() -> None:
    email = render(LOW, DASHBOARD)
    figures = "9 of 10 seats assigned, 1 vacant."
    assert figures in email.text
    assert f"<p>{figures}</p>" in email.html


def test_an_applied_email_names_the_seats_added_the_sku_and_the_domain() -> None:
    assert render(APPLIED, DASHBOARD).subject == f"3 licences added: {SKU} for {DOMAIN}"


def test_an_applied_email_gives_the_totals_before_and_after() -> None:
    email = render(APPLIED, DASHBOARD)
    line = f"3 {SKU} licences were added for {DOMAIN} (automatic): 10 → 13 seats."
    assert line in email.text
    assert f"<p>{line}</p>" in email.html
    assert "9 of 13 seats assigned, 4 vacant." in email.text


def test_an_applied_email_without_a_plan_note_says_nothing_about_annual_plans() -> None:
    email = render(APPLIED, DASHBOARD)
    assert "annual" not in email.text
    assert "<p></p>" not in email.html


def test_an_applied_email_for_an_annual_plan_carries_the_note() -> None:
    annual = notification(
        NotificationType.TOP_UP_APPLIED,
        seatsAdded=3,
        totalBefore=10,
        totalAfter=13,
        source="automatic",
        planNote=ANNUAL_NOTE,
    )
    email = render(annual, DASHBOARD)
    assert ANNUAL_NOTE in email.text
    assert f"<p>{ANNUAL_NOTE}</p>" in email.html


def test_a_failed_email_names_the_sku_and_the_domain_and_gives_the_reason() -> None:
    email = render(FAILED, DASHBOARD)
    assert email.subject == f"Top-up not made: {SKU} for {DOMAIN}"
    assert f"A top-up of 3 {SKU} licences for {DOMAIN} was not made." in email.text
    assert "Adding 3 would make 13, above your maximum of 12 seats." in email.text
    assert "<p>Adding 3 would make 13, above your maximum of 12 seats.</p>" in email.html


def test_a_purchase_confirmation_names_the_sku_the_domain_and_the_seats() -> None:
    email = render(notification(NotificationType.PURCHASE_CONFIRMED, totalAfter=25), DASHBOARD)
    assert email.subject == f"Purchase confirmed: {SKU} for {DOMAIN}"
    assert f"{SKU} was purchased for {DOMAIN} with 25 seats." in email.text


def test_a_month_end_report_names_the_month_and_the_domain() -> None:
    email = render(notification(NotificationType.MONTH_END_REPORT, month="2026-10"), DASHBOARD)
    assert email.subject == f"Licence additions for 2026-10: {DOMAIN}"
    assert f"The licences added for {DOMAIN} in 2026-10 are attached." in email.text


def test_the_sku_id_stands_in_for_a_missing_sku_name() -> None:
    email = render(notification(NotificationType.LOW_LICENCES, skuName=None), DASHBOARD)
    assert email.subject == f"Low licences: 1010020028 for {DOMAIN} (1 vacant)"


def test_hostile_facts_are_escaped_in_html() -> None:
    hostile = notification(
        NotificationType.TOP_UP_FAILED,
        customerDomain="<script>alert(1)</script>.example",
        seatsWanted=3,
        reason='Refused: "<b>&</b>"',
    )
    page = render(hostile, DASHBOARD).html
    assert "<script>" not in page
    assert "<b>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;.example" in page
    assert "Refused: &quot;&lt;b&gt;&amp;&lt;/b&gt;&quot;" in page


def test_plain_text_keeps_facts_as_they_are() -> None:
    hostile = notification(NotificationType.LOW_LICENCES, customerDomain="a&b <x>.example")
    assert "a&b <x>.example is running low on licences." in render(hostile, DASHBOARD).text


def test_both_bodies_link_to_the_dashboard() -> None:
    email = render(LOW, "https://licences.example")
    assert email.text.endswith("\n\nLicence Manager: https://licences.example/")
    assert '<a href="https://licences.example/">Open Licence Manager</a>' in email.html


def test_a_hostile_dashboard_url_cannot_break_out_of_the_link() -> None:
    email = render(LOW, 'https://x.example/"><script>')
    assert "<script>" not in email.html
    assert 'href="https://x.example/&quot;&gt;&lt;script&gt;/"' in email.html


def test_without_a_dashboard_url_there_is_no_link() -> None:
    email = render(LOW, "")
    assert "Licence Manager:" not in email.text
    assert "<a " not in email.html


def test_the_html_is_a_whole_document_of_paragraphs() -> None:
    page = render(LOW, DASHBOARD).html
    assert page.startswith("<!doctype html><html><body><p>")
    assert page.endswith("</p></body></html>")

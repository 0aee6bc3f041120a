"""The words of each notification: subject, plain text and HTML, from its recorded facts."""

from __future__ import annotations

import html
from dataclasses import dataclass

from licence_manager.domain.model import seats
from licence_manager.domain.notifications import Notification, NotificationType


@dataclass(frozen=True, slots=True)
class RenderedEmail:
    subject: str
    text: str
    html: str


def _fact(notification: Notification, name: str, default: str = "") -> str:
    value = notification.facts.get(name)
    return default if value is None else str(value)


def _reclaimable(notification: Notification) -> str:
    """Reclaim before buying: the seats that could be reclaimed instead, when the holder sync
    counted some (the fact is absent when they are unknown)."""
    count = notification.facts.get("reclaimable")
    if not isinstance(count, int) or isinstance(count, bool) or count < 1:
        return ""
    return f"{seats(count)} can be reclaimed: see the Reclaim page."


def _lines(notification: Notification) -> tuple[str, list[str]]:
    def f(name: str) -> str:
        return _fact(notification, name)

    sku, domain = f("skuName") or notification.key.sku_id, f("customerDomain")
    usage = f"{f('assigned')} of {f('total')} seats assigned, {f('vacant')} vacant."
    match notification.type:
        case NotificationType.LOW_LICENCES:
            subject = f"Low licences: {sku} for {domain} ({f('vacant')} vacant)"
            body = [
                f"{sku} for {domain} is running low on licences.",
                usage,
                _reclaimable(notification),
                f("outlook") + "." if f("outlook") else "",
                "Add licences, or turn on automatic top-ups in its settings.",
            ]
        case NotificationType.TOP_UP_APPLIED:
            added = seats(f("seatsAdded"), "licence")
            subject = f"{added} added: {sku} for {domain}"
            were = "licence was" if f("seatsAdded") == "1" else "licences were"
            body = [
                f"{f('seatsAdded')} {sku} {were} added for {domain} "
                f"({f('source')}): {f('totalBefore')} → {f('totalAfter')} seats.",
                usage,
            ]
            if f("planNote"):
                body.append(f("planNote"))
            body.append(_reclaimable(notification))
        case NotificationType.TOP_UP_FAILED:
            subject = (
                f"Purchase not made: {sku} for {domain}"
                if f("source") == "purchase"
                else f"Top-up not made: {sku} for {domain}"
            )
            what = "A purchase" if f("source") == "purchase" else "A top-up"
            body = [
                f"{what} of {f('seatsWanted')} {sku} licences for {domain} was not made.",
                f("reason"),
                usage,
            ]
            if f("source") == "automatic":  # a refused automatic top-up pauses automation
                body.append(
                    "Automatic top-ups for this SKU wait until its seats change or you save its "
                    "settings again."
                )
        case NotificationType.PURCHASE_CONFIRMED:
            subject = f"Purchase confirmed: {sku} for {domain}"
            body = [f"{sku} was purchased for {domain} with {f('totalAfter')} seats."]
        case NotificationType.APPROVAL_NEEDED:
            what = "A purchase" if f("source") == "purchase" else "An addition"
            subject = f"Waiting for the reseller's approval: {sku} for {domain}"
            body = [
                f"{what} of {f('seatsWanted')} {sku} licences for {domain}, asked for by "
                f"{f('requestedBy')}, waits for the reseller's approval: {f('reason')}.",
                "Nothing is bought unless reseller operations approve it in Licence Manager "
                "(Approvals) within 7 days.",
            ]
        case NotificationType.MONTH_END_REPORT:
            subject = f"Licence additions for {f('month')}: {domain}"
            body = [f"The licences added for {domain} in {f('month')} are attached."]
        case NotificationType.RENEWAL_REMINDER:
            # Facts from domain.renewal.reminder_notification.
            subject = f"{sku} for {domain} renews {f('daysLeftWords')} ({f('renewsOnWords')})"
            body = [
                f"The annual plan of {sku} for {domain} renews on {f('renewsOnWords')}, "
                f"with {seats(f('total'))} committed now and {f('assigned')} assigned.",
                f"Renewal setting: {f('renewalLabel')}.",
                f"{f('recommendation')}.",
                f("warning"),
                "Review the renewal setting and reclaim unused seats in Licence Manager before "
                "then: seats committed at renewal are paid for the whole year.",
            ]
        case NotificationType.TOP_UPS_PAUSED:
            # Facts from domain.anomaly_guard.watch.
            subject = f"Automatic top-ups paused: {sku} for {domain}"
            body = [
                f"Automatic top-ups of {sku} for {domain} are paused: {f('reason')}.",
                usage,
                "A rise this fast is often a script creating users or an account being misused, "
                "so nothing is bought automatically until someone checks it.",
                "Once you have checked the new users, resume automatic top-ups in Licence "
                "Manager (My Licences or the SKU's Settings: Resume automatic top-ups), or ask "
                "your reseller to. Saving the settings does not resume them. Adding seats by "
                "hand still works meanwhile.",
            ]
        case NotificationType.TRIAL_ENDING:
            # Facts from domain.subscription_events.
            ended = f("stage") == "ended"
            subject = (
                f"Trial ended: {sku} for {domain}"
                if ended
                else f"Trial ends on {f('trialEndsOn')}: {sku} for {domain}"
            )
            body = [
                f"The trial of {sku} for {domain} "
                + (f"ended on {f('trialEndsOn')}." if ended else f"ends on {f('trialEndsOn')}."),
                usage,
                "Choose a paid plan with your reseller to keep these users' licences."
                if not ended
                else "Without a paid plan, its users lose the service; contact your reseller.",
            ]
        case NotificationType.SUBSCRIPTION_STATUS:
            # Facts from domain.subscription_events.
            event = f("event")
            subject = f"Subscription {event}: {sku} for {domain}"
            body = [
                f"The {sku} subscription for {domain} was {event}"
                + (f" ({f('reasons')})." if f("reasons") else "."),
                usage,
                f("advice"),
            ]
    return subject, [line for line in body if line]


def render(notification: Notification, dashboard_url: str) -> RenderedEmail:
    subject, body = _lines(notification)
    link = f"{dashboard_url.rstrip('/')}/" if dashboard_url else ""
    text = "\n\n".join([*body, *([f"Licence Manager: {link}"] if link else [])])
    paragraphs = "".join(f"<p>{html.escape(line)}</p>" for line in body)
    footer = f'<p><a href="{html.escape(link)}">Open Licence Manager</a></p>' if link else ""
    page = f"<!doctype html><html><body>{paragraphs}{footer}</body></html>"
    return RenderedEmail(subject=subject, text=text, html=page)

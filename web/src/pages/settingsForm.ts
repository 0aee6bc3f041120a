// Settings form rules that are pure logic: which fields a server error must reveal, and who
// receives the emails a setting turns on.
import type { Preferences, Recipient } from "../api";

// Fields shown only while their section's switch is on (or in one top-up mode).
export const ALERT_FIELDS = ["alertVacantAtOrBelow", "alertUtilisationPercent"];
export const TOP_UP_FIELDS = [
  "topUpWhenVacantBelow",
  "topUpMode",
  "topUpTargetVacant",
  "topUpStep",
  "maxTotalSeats",
  "maxSeatsPerMonth",
  "holdTopUpsWhenReclaimable",
];
const ALL_FIELDS = new Set(["lowLicenceAlert", "autoTopUp", ...ALERT_FIELDS, ...TOP_UP_FIELDS]);

export function failsIn(errors: Record<string, string>, fields: string[]): boolean {
  return fields.some((field) => Boolean(errors[field]));
}

// What the server said about fields the form has no place for (a setting this page does not
// know, or the request as a whole): shown beside the form's message, never dropped.
export function unplacedErrors(errors: Record<string, string>): string[] {
  return Object.entries(errors)
    .filter(([field]) => !ALL_FIELDS.has(field))
    .map(([field, text]) => (field ? `${field}: ${text}` : text));
}

// What the form sends for a number field: a number, null when empty, and otherwise the text as
// typed, so the server says what is wrong with it rather than it being saved as "not set".
export function numberOrText(text: string): number | null | string {
  const trimmed = text.trim();
  if (trimmed === "") return null;
  const value = Number(trimmed);
  return Number.isFinite(value) ? value : trimmed;
}

// Recipients who receive a notification type, as "Name <email>" or the email alone.
export function receiving(recipients: Recipient[], kinds: (keyof Preferences)[]): string[] {
  return recipients
    .filter((r) => kinds.some((kind) => r.notifications[kind]))
    .map((r) => (r.name ? `${r.name} (${r.email})` : r.email));
}

// Reclaim before buying is off by default; on an annual plan the page recommends it, with why.
export function holdRecommendation(planName: string | undefined): string | null {
  if (!planName?.toUpperCase().startsWith("ANNUAL")) return null;
  return (
    "Recommended on an annual plan: every seat is paid for until the plan renews, so a seat " +
    "reclaimed from someone who no longer uses it costs nothing, while a seat bought now stays " +
    "paid for until renewal."
  );
}

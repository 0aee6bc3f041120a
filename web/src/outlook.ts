// What lies ahead for a licence, as My Licences and Reports word it (issue 13): the run-out
// forecast's sentence (the server words it; muted while there is not enough history to guess)
// and an annual plan's renewal line.
import type { Forecast, Renewal } from "./api";
import { count, fullDate } from "./format";

export function forecastLine(f: Forecast | null | undefined): { text: string; muted: boolean } | null {
  if (!f) return null;
  return { text: f.words, muted: !f.enoughHistory };
}

// "(40 days)", "(1 day)", "(today)"; a term already over says so (the next sync shows the new one).
export function daysLeftWords(days: number): string {
  if (days === 0) return "today";
  if (days > 0) return days === 1 ? "1 day" : `${count(days)} days`;
  const ago = -days;
  return ago === 1 ? "1 day ago" : `${count(ago)} days ago`;
}

// "Renews on 14 Jan 2027 (40 days) · Renew every seat (annual plan, monthly payments)".
export function renewalLine(r: Renewal): string {
  const when = `${fullDate(r.renewsOn)} (${daysLeftWords(r.daysLeft)})`;
  const lead = r.daysLeft < 0 ? `Term ended on ${when}` : `Renews on ${when}`;
  return `${lead} · ${r.label}`;
}

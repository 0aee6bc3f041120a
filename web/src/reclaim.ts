// Reclaimable seats as the pages word them: the cost of a SKU's reclaimable seats on its plan,
// the list's filter and paging in the address and the API query, and the policy field's check.
import type { LicenceReclaim, ReclaimEffect, ReclaimSummary } from "./api";
import { money } from "./format";
import { NO_PRICE } from "./prices";

type Costed = {
  count: number | null;
  effect: ReclaimEffect | null;
  monthlyCostMinor: number | null;
  currency: string | null;
};

// My Licences' and the cards' short cost: a flexible seat's money comes back when it is
// removed; an annual seat is paid until renewal either way, so reclaiming frees it instead.
export function reclaimCost(r: Costed): string {
  if (!r.count) return "";
  if (r.effect === "FREES_SEAT") return r.count === 1 ? "frees a seat until renewal" : "frees seats until renewal";
  if (r.effect === "NO_COST") return "not billed";
  if (r.monthlyCostMinor === null || !r.currency) return NO_PRICE;
  const cost = `${money(r.monthlyCostMinor, r.currency)} a month`;
  return r.effect === "UNKNOWN_PLAN" ? `${cost} at your prices` : cost;
}

// What a My Licences row says: "3 reclaimable" (with its cost), nothing while unknown.
export function rowReclaim(r: LicenceReclaim | null | undefined): { label: string; cost: string } | null {
  if (!r || r.status !== "OK" || r.count === null) return null;
  return { label: `${r.count.toLocaleString("en-GB")} reclaimable`, cost: reclaimCost(r) };
}

// The one notice My Licences shows above its table when the user data cannot be read.
export function unavailableNotice(rows: { reclaim?: LicenceReclaim | null }[]): string | null {
  return rows.find((r) => r.reclaim && r.reclaim.status !== "OK")?.reclaim?.notice ?? null;
}

export function withReclaimable(summaries: ReclaimSummary[]): ReclaimSummary[] {
  return summaries.filter((s) => s.count > 0);
}

export function reclaimPath(sku: string): string {
  return sku ? `/reclaim?sku=${encodeURIComponent(sku)}` : "/reclaim";
}

export function reclaimQuery(sku: string, page?: { limit: number; cursor: string | null }): string {
  const q = new URLSearchParams();
  if (page) q.set("limit", String(page.limit));
  if (sku) q.set("skuId", sku);
  if (page?.cursor) q.set("cursor", page.cursor);
  const text = q.toString();
  return text ? `?${text}` : "";
}

// "12 days", "never" (nobody has ever signed in), "—" (not known).
export function daysUnseen(days: number | null, lastSeen: string | null): string {
  if (lastSeen === null) return "never";
  if (days === null) return "—";
  return days === 1 ? "1 day" : `${days.toLocaleString("en-GB")} days`;
}

// The policy field as typed: a whole number of days, or why not. The bounds are the server's
// to check: its message says why they are what they are.
export function policyDays(text: string): { days: number } | { error: string } {
  const trimmed = text.trim();
  if (!/^\d{1,6}$/.test(trimmed)) return { error: "Enter a whole number of days, such as 60." };
  return { days: Number(trimmed) };
}

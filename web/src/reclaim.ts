// Reclaimable seats as the pages word them: the cost of a SKU's reclaimable seats on its plan,
// the list's filter and paging in the address and the API query, and the policy field's check.
import type { LicenceReclaim, ReclaimEffect, ReclaimHolder, ReclaimSummary } from "./api";
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

// What unassigning one seat does to the bill, said in the confirmation before anything is sent:
// a Flexible seat's price stops being paid; an annual seat is paid until renewal either way.
export function unassignMoneyWords(summary: ReclaimSummary | undefined, holder: ReclaimHolder): string {
  const price =
    holder.perSeatMonthlyMinor !== null && holder.currency ? money(holder.perSeatMonthlyMinor, holder.currency) : null;
  switch (summary?.effect) {
    case "SAVES_MONEY":
      return price
        ? `Saves ${price} a month: a Flexible plan is billed for each user assigned, so this seat stops being paid for from today.`
        : "Saves this seat's price each month: a Flexible plan is billed for each user assigned (no price is set for it here).";
    case "FREES_SEAT":
      return (
        "Saves nothing until renewal: an annual plan's seats are paid for until the end of the term, used or not. " +
        "The seat becomes free for someone else, and need not be renewed."
      );
    case "NO_COST":
      return "This plan is not billed: nothing is saved, the seat is freed.";
    default:
      return "What this saves depends on the plan: a Flexible seat stops being paid for; an annual seat is paid until renewal.";
  }
}

// The key a reclaimable seat is followed by on the page (one user, one SKU).
export function seatKey(h: Pick<ReclaimHolder, "skuId" | "userId" | "email">): string {
  return `${h.skuId}/${h.userId}/${h.email.toLowerCase()}`;
}

// Savings (issue 13) as the pages show them: the month's total, by kind, in each currency the
// customer's prices use, and the figure My Licences' header shows.
import { money } from "./format";

export type SavingKind = "HELD_TOP_UP" | "NOT_RECOMMITTED" | "FLEXIBLE_USER_REMOVED";

export type SavingTotal = {
  currency: string;
  totalMinor: number;
  byKind: Record<SavingKind, number>;
};

export type Saving = {
  savingId: string;
  skuId: string;
  skuName: string;
  planName: string;
  kind: SavingKind;
  kindLabel: string;
  seats: number;
  months: number;
  perSeatMonthlyMinor: number | null;
  amountMinor: number | null;
  currency: string | null;
  at: string;
  detail: string;
  words: string;
};

export type Savings = {
  customerId: string;
  month: string;
  timeZone: string;
  totals: SavingTotal[];
  sinceJoined: SavingTotal[];
  lines: Saving[];
  kinds: { kind: SavingKind; label: string; explanation: string }[];
  flexibleCapRule: string;
  estimate: string;
};

export type MonthSavings = { month: string; totals: SavingTotal[]; words: string };

// "£342.00" or "£342.00 and €12.00"; "nothing yet" when there is none.
export function totalWords(totals: SavingTotal[]): string {
  const shown = totals.filter((t) => t.totalMinor > 0).map((t) => money(t.totalMinor, t.currency));
  return shown.length ? shown.join(" and ") : "nothing yet";
}

// One kind's amount in every currency: "£330.00", "—" when none.
export function kindWords(totals: SavingTotal[], kind: SavingKind): string {
  const shown = totals.filter((t) => t.byKind[kind] > 0).map((t) => money(t.byKind[kind], t.currency));
  return shown.length ? shown.join(" and ") : "—";
}

// "December 2026" from "2026-12"; the month as it came when it is not one.
export function monthWords(month: string): string {
  const match = /^(\d{4})-(\d{2})$/.exec(month);
  if (!match) return month;
  const date = new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, 1));
  return new Intl.DateTimeFormat("en-GB", { month: "long", year: "numeric", timeZone: "UTC" }).format(date);
}

// The month before or after "YYYY-MM".
export function shiftMonth(month: string, by: number): string {
  const [year, m] = month.split("-").map(Number);
  const index = year * 12 + (m - 1) + by;
  return `${Math.floor(index / 12)}-${String((index % 12) + 1).padStart(2, "0")}`;
}

// The report's period presets, worked out on calendar dates in the customer's zone (`today`
// comes from format.ts todayIn()), never in the browser's: near midnight the two disagree.

import { fullDate, monthLabel, shortDate, weekCommencing } from "../../format";

export type Preset = "day" | "week" | "month" | "year" | "custom";
export type Granularity = "day" | "week" | "month";
export type Range = { from: string; to: string; granularity: Granularity };

export const PRESETS: { key: Preset; label: string; explained: string }[] = [
  { key: "day", label: "Day", explained: "the last 30 days, by day" },
  { key: "week", label: "Week", explained: "the last 12 weeks, by week" },
  { key: "month", label: "Month", explained: "the last 12 months, by month" },
  { key: "year", label: "Year", explained: "this year so far, by month" },
  { key: "custom", label: "Custom", explained: "dates you choose" },
];

function parse(iso: string): Date {
  return new Date(`${iso}T00:00:00Z`);
}

function iso(date: Date): string {
  return date.toISOString().slice(0, 10);
}

export function addDays(day: string, days: number): string {
  const d = parse(day);
  d.setUTCDate(d.getUTCDate() + days);
  return iso(d);
}

// The Monday of the ISO week `day` is in.
export function mondayOf(day: string): string {
  const d = parse(day);
  return addDays(day, -((d.getUTCDay() + 6) % 7));
}

// The first of the month `months` before `day`'s month.
export function monthStart(day: string, monthsBefore = 0): string {
  const d = parse(day);
  return iso(new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() - monthsBefore, 1)));
}

// Whole weeks and whole months, so the first bar is not a stub of a period.
export function rangeOf(preset: Exclude<Preset, "custom">, today: string): Range {
  switch (preset) {
    case "week":
      return { from: addDays(mondayOf(today), -7 * 11), to: today, granularity: "week" };
    case "month":
      return { from: monthStart(today, 11), to: today, granularity: "month" };
    case "year":
      return { from: `${today.slice(0, 4)}-01-01`, to: today, granularity: "month" };
    default:
      return { from: addDays(today, -29), to: today, granularity: "day" };
  }
}

// A period's axis label: "3 Nov", "w/c 17 Nov", "Nov 2026". `from` is the period's first day
// in the range (a week cut by the range's start still reads as its Monday).
export function periodLabel(granularity: Granularity, from: string): string {
  if (granularity === "week") return weekCommencing(from);
  if (granularity === "month") return monthLabel(from);
  return shortDate(from);
}

// The period in full, for tooltips and the figures table.
export function periodInFull(granularity: Granularity, from: string, to: string): string {
  if (granularity === "month") return monthLabel(from);
  if (granularity === "week") return `${weekCommencing(from)} (${fullDate(from)} to ${fullDate(to)})`;
  return fullDate(from);
}

export function describeRange(range: Range): string {
  return `${fullDate(range.from)} to ${fullDate(range.to)}, by ${range.granularity}`;
}

// The month picker's default: last month, the one an invoice is for.
export function previousMonth(today: string): string {
  return monthStart(today, 1).slice(0, 7);
}

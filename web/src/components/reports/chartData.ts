// What the usage chart draws, worked out apart from Chart.js so it can be tested: the periods
// from the first one with figures (months before a licence was first seen are not "no usage"),
// labelled for people, with the periods that had additions marked on the total line.

import type { ReportForecast, ReportPeriod } from "../../api";
import { addDays, mondayOf, monthStart, periodInFull, periodLabel, type Granularity } from "./periods";

export type ChartPoint = {
  from: string;
  to: string;
  label: string;
  inFull: string;
  assigned: number | null;
  total: number | null;
  averageUtilisation: number | null;
  topUps: number;
  licencesAdded: number;
};

export type ChartData = {
  points: ChartPoint[];
  firstRecorded: string | null; // the first day with figures, when earlier periods had none
};

export function chartData(series: ReportPeriod[], granularity: Granularity): ChartData {
  const first = series.findIndex((p) => p.assigned !== null || p.total !== null);
  if (first === -1) return { points: [], firstRecorded: null };
  return {
    points: series.slice(first).map((p) => ({
      from: p.from,
      to: p.to,
      label: periodLabel(granularity, p.from),
      inFull: periodInFull(granularity, p.from, p.to),
      assigned: p.assigned,
      total: p.total,
      averageUtilisation: p.averageUtilisation ?? null,
      topUps: p.topUps ?? 0,
      licencesAdded: p.licencesAdded ?? 0,
    })),
    firstRecorded: first > 0 ? series[first].from : null,
  };
}

// The marks: automatic top-ups as triangles; seats added another way (by hand, a purchase,
// the Admin console) as diamonds where no top-up already marks the period.
export function marks(points: ChartPoint[]): { topUps: (number | null)[]; otherAdditions: (number | null)[] } {
  return {
    topUps: points.map((p) => (p.topUps > 0 ? p.total : null)),
    otherAdditions: points.map((p) => (p.topUps === 0 && p.licencesAdded > 0 ? p.total : null)),
  };
}

// The forecast after today on the same axis (issue 13): the expected assigned seats and the
// 80% band, a value per period (a week's or a month's forecast days averaged), aligned with the
// chart's periods and continuing past them. It starts from the last recorded assigned seats, so
// the dashed line leaves the history where it ends.
export type ForecastPeriod = {
  label: string;
  inFull: string;
  to: string; // the period's last forecast day
  expected: number;
  low: number;
  high: number;
};

export type ForecastOverlay = {
  labels: string[]; // every category: the chart's periods, then the forecast's own
  inFull: string[];
  expected: (number | null)[];
  low: (number | null)[];
  high: (number | null)[];
  ahead: ForecastPeriod[]; // the forecast periods after the last recorded one, for the table
};

function periodKey(granularity: Granularity, day: string): string {
  if (granularity === "week") return mondayOf(day);
  if (granularity === "month") return monthStart(day);
  return day;
}

function lastDayOf(granularity: Granularity, key: string): string {
  if (granularity === "week") return addDays(key, 6);
  if (granularity === "month") return addDays(monthStart(addDays(key, 31)), -1);
  return key;
}

const round1 = (n: number) => Math.round(n * 10) / 10;

export function forecastOverlay(
  points: ChartPoint[],
  forecast: ReportForecast | null | undefined,
  granularity: Granularity,
): ForecastOverlay | null {
  if (!forecast || !forecast.enoughHistory || forecast.points.length === 0 || points.length === 0) return null;
  const last = points[points.length - 1];
  // A range that ends before the forecast's history does has no "after today" to draw.
  if (!forecast.asOf || last.to < forecast.asOf) return null;

  // Group the forecast days by period, keeping the days each has.
  const groups = new Map<string, { days: string[]; expected: number[]; low: number[]; high: number[] }>();
  for (const p of forecast.points) {
    const key = periodKey(granularity, p.day);
    const g = groups.get(key) ?? { days: [], expected: [], low: [], high: [] };
    g.days.push(p.day);
    g.expected.push(p.expected);
    g.low.push(p.low);
    g.high.push(p.high);
    groups.set(key, g);
  }
  const mean = (values: number[]) => round1(values.reduce((a, b) => a + b, 0) / values.length);
  const existing = new Map(points.map((p, i) => [periodKey(granularity, p.from), i]));

  // How far ahead: as many periods as the chart shows (so history and forecast share it),
  // further if that is what it takes to reach the day seats may run out, never past the
  // horizon; a last week or month the horizon cuts short is left out rather than averaged.
  const runOut = forecast.mayRunOutOn ?? forecast.runsOutOn;
  const future = [...groups.entries()].filter(([key]) => !existing.has(key));
  const complete = future.filter(
    ([key, g], i) => i < future.length - 1 || g.days[g.days.length - 1] === lastDayOf(granularity, key),
  );
  let shown = Math.min(complete.length, Math.max(points.length, 1));
  if (runOut) {
    const reach = complete.findIndex(([key]) => key >= periodKey(granularity, runOut));
    if (reach >= shown) shown = reach + 1;
  }
  const ahead = complete.slice(0, shown).map(([key, g]) => ({
    label: periodLabel(granularity, key),
    inFull: periodInFull(granularity, key, g.days[g.days.length - 1]),
    to: g.days[g.days.length - 1],
    expected: mean(g.expected),
    low: mean(g.low),
    high: mean(g.high),
  }));

  const size = points.length + ahead.length;
  const expected: (number | null)[] = new Array(size).fill(null);
  const low: (number | null)[] = new Array(size).fill(null);
  const high: (number | null)[] = new Array(size).fill(null);
  for (const [key, g] of groups) {
    const i = existing.get(key);
    if (i === undefined) continue;
    expected[i] = mean(g.expected);
    low[i] = mean(g.low);
    high[i] = mean(g.high);
  }
  ahead.forEach((p, n) => {
    expected[points.length + n] = p.expected;
    low[points.length + n] = p.low;
    high[points.length + n] = p.high;
  });
  // Start from the last recorded figure that the forecast does not already cover.
  const start = expected.findIndex((v) => v !== null) - 1;
  const from = points[start];
  if (start >= 0 && from && from.assigned !== null) {
    expected[start] = low[start] = high[start] = from.assigned;
  }
  return {
    labels: [...points.map((p) => p.label), ...ahead.map((p) => p.label)],
    inFull: [...points.map((p) => p.inFull), ...ahead.map((p) => p.inFull)],
    expected,
    low,
    high,
    ahead,
  };
}

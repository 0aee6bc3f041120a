// What the usage chart draws, worked out apart from Chart.js so it can be tested: the periods
// from the first one with figures (months before a licence was first seen are not "no usage"),
// labelled for people, with the periods that had additions marked on the total line.

import type { ReportPeriod } from "../../api";
import { periodInFull, periodLabel, type Granularity } from "./periods";

export type ChartPoint = {
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

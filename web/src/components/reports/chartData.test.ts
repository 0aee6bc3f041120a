import { describe, expect, it } from "vitest";
import type { ReportForecast, ReportPeriod } from "../../api";
import { chartData, forecastOverlay, marks } from "./chartData";
import { addDays } from "./periods";

function period(from: string, assigned: number | null, total: number | null, extra: Partial<ReportPeriod> = {}): ReportPeriod {
  return { period: from, from, to: from, assigned, total, ...extra };
}

describe("chartData", () => {
  it("starts at the first period with figures and says from when", () => {
    const data = chartData(
      [period("2026-09-01", null, null), period("2026-10-01", 5, 10), period("2026-11-01", 6, 12)],
      "month",
    );
    expect(data.points.map((p) => p.label)).toEqual(["Oct 2026", "Nov 2026"]);
    expect(data.firstRecorded).toBe("2026-10-01");
  });

  it("has no points when nothing was recorded, for an honest empty state", () => {
    expect(chartData([period("2026-11-01", null, null)], "day")).toEqual({ points: [], firstRecorded: null });
  });

  it("does not claim a start when the range starts with figures", () => {
    expect(chartData([period("2026-11-16", 3, 4)], "week").firstRecorded).toBeNull();
    expect(chartData([period("2026-11-19", 3, 4)], "week").points[0].label).toBe("w/c 16 Nov");
  });

  it("marks top-ups as such, and other additions only where no top-up marks the period", () => {
    const { points } = chartData(
      [
        period("2026-11-01", 5, 10, { topUps: 1, licencesAdded: 2 }),
        period("2026-11-02", 5, 12, { topUps: 0, licencesAdded: 3 }),
        period("2026-11-03", 5, 15),
      ],
      "day",
    );
    expect(marks(points)).toEqual({ topUps: [10, null, null], otherAdditions: [null, 12, null] });
  });
});

describe("forecastOverlay", () => {
  // 10 days of history to 5 Dec; the forecast from 5 Dec (asOf 4 Dec), 90 days rising 0.5 a day.
  const history = Array.from({ length: 10 }, (_, i) => period(addDays("2026-11-26", i), 6 + i * 0.2, 12));
  const forecast: ReportForecast = {
    enoughHistory: true,
    words: "At this rate vacant seats reach 0 around 15 Dec 2026: 2 more seats needed by then",
    asOf: "2026-12-04",
    runsOutOn: "2026-12-15",
    mayRunOutOn: "2026-12-12",
    seatsNeededByThen: 2,
    historyDays: 56,
    seatsTotal: 12,
    horizonDays: 90,
    points: Array.from({ length: 90 }, (_, i) => ({
      day: addDays("2026-12-05", i),
      expected: 8 + i * 0.5,
      low: 7 + i * 0.4,
      high: 9 + i * 0.6,
    })),
  };

  it("continues the day chart after today, from the last recorded figure, as far again as it shows", () => {
    const { points } = chartData(history, "day");
    const overlay = forecastOverlay(points, forecast, "day");
    expect(overlay).not.toBeNull();
    if (!overlay) return;
    // today (5 Dec) is on the chart already; then 10 more days, as many as the history shows
    expect(overlay.ahead).toHaveLength(10);
    expect(overlay.labels).toHaveLength(20);
    expect(overlay.ahead[0].label).toBe("6 Dec");
    expect(overlay.expected.slice(0, 8)).toEqual(new Array(8).fill(null));
    expect(overlay.expected[8]).toBe(points[8].assigned); // 4 Dec: the last recorded figure
    expect(overlay.low[8]).toBe(points[8].assigned);
    expect(overlay.expected[9]).toBe(8); // today, forecast
    expect(overlay.low[9]).toBe(7);
    expect(overlay.high[9]).toBe(9);
    expect(overlay.inFull[10]).toBe(overlay.ahead[0].inFull);
  });

  it("reaches further when seats may run out beyond that", () => {
    const { points } = chartData(history, "day");
    const later = { ...forecast, mayRunOutOn: "2027-01-20", runsOutOn: "2027-01-25" };
    const overlay = forecastOverlay(points, later, "day");
    expect(overlay?.ahead.at(-1)?.label).toBe("20 Jan");
  });

  it("averages weeks and drops a last week the horizon cuts short", () => {
    const weeks = [period("2026-11-23", 6, 12, { to: "2026-11-29" }), period("2026-11-30", 7, 12, { to: "2026-12-05" })];
    const { points } = chartData(weeks, "week");
    const overlay = forecastOverlay(points, forecast, "week");
    if (!overlay) throw new Error("no overlay");
    // 5 Dec (Sat) and 6 Dec (Sun) fall in the week of 30 Nov: its value is theirs
    expect(overlay.expected[1]).toBe(8.3);
    expect(overlay.expected[0]).toBe(6);
    // 90 days end on 4 Mar 2027 (Thu): that week is left out; 12 full weeks from 7 Dec, 2 shown
    expect(overlay.ahead.map((p) => p.label)).toEqual(["w/c 7 Dec", "w/c 14 Dec"]);
    expect(overlay.ahead[0].expected).toBe(round(8 + 0.5 * 5));
  });

  it("draws nothing without enough history, or for a range that ended before the forecast", () => {
    const { points } = chartData(history, "day");
    expect(forecastOverlay(points, { ...forecast, enoughHistory: false, points: [] }, "day")).toBeNull();
    expect(forecastOverlay(points, null, "day")).toBeNull();
    const old = chartData([period("2026-06-01", 4, 12)], "day").points;
    expect(forecastOverlay(old, forecast, "day")).toBeNull();
  });
});

function round(n: number): number {
  return Math.round(n * 10) / 10;
}

import { describe, expect, it } from "vitest";
import type { ReportPeriod } from "../../api";
import { chartData, marks } from "./chartData";

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

import { describe, expect, it } from "vitest";
import { fullDate, monthLabel, shortDate, todayIn, weekCommencing } from "../../format";
import { addDays, describeRange, mondayOf, periodLabel, previousMonth, rangeOf } from "./periods";

describe("calendar labels", () => {
  it("formats report days as people read them", () => {
    expect(shortDate("2026-11-03")).toBe("3 Nov");
    expect(fullDate("2026-11-03")).toBe("3 Nov 2026");
    expect(monthLabel("2026-11-01")).toBe("Nov 2026");
    expect(monthLabel("2026-11")).toBe("Nov 2026");
  });

  it("labels a week by its Monday, whichever day it is given", () => {
    expect(weekCommencing("2026-11-16")).toBe("w/c 16 Nov"); // a Monday
    expect(weekCommencing("2026-11-22")).toBe("w/c 16 Nov"); // the Sunday after
    expect(weekCommencing("2027-01-01")).toBe("w/c 28 Dec"); // across the year end
  });

  it("never shifts a calendar date by a zone", () => {
    expect(shortDate("2026-03-29")).toBe("29 Mar"); // the UK's clocks change that day
    expect(fullDate("not a date")).toBe("not a date");
  });

  it("works out today in the customer's zone, not the browser's", () => {
    const lateEvening = new Date("2026-11-30T23:30:00Z");
    expect(todayIn("Europe/London", lateEvening)).toBe("2026-11-30");
    expect(todayIn("Europe/Berlin", lateEvening)).toBe("2026-12-01");
    expect(todayIn("America/New_York", lateEvening)).toBe("2026-11-30");
    expect(todayIn("Pacific/Auckland", new Date("2026-06-30T12:30:00Z"))).toBe("2026-07-01");
  });
});

describe("report periods", () => {
  it("does day arithmetic across month and leap-year ends", () => {
    expect(addDays("2028-02-28", 1)).toBe("2028-02-29");
    expect(addDays("2026-03-01", -1)).toBe("2026-02-28");
    expect(mondayOf("2026-11-22")).toBe("2026-11-16");
  });

  it("covers the last 30 days by day", () => {
    expect(rangeOf("day", "2026-11-28")).toEqual({
      from: "2026-10-30",
      to: "2026-11-28",
      granularity: "day",
    });
  });

  it("starts twelve whole weeks on a Monday", () => {
    const range = rangeOf("week", "2026-11-28"); // a Saturday
    expect(range.from).toBe("2026-09-07");
    expect(new Date(`${range.from}T00:00:00Z`).getUTCDay()).toBe(1);
    expect(range.granularity).toBe("week");
  });

  it("starts twelve whole months on the first, across a year end", () => {
    expect(rangeOf("month", "2026-11-28").from).toBe("2025-12-01");
    expect(rangeOf("month", "2026-01-31").from).toBe("2025-02-01");
    expect(rangeOf("year", "2026-11-28")).toEqual({
      from: "2026-01-01",
      to: "2026-11-28",
      granularity: "month",
    });
  });

  it("labels each granularity's axis", () => {
    expect(periodLabel("day", "2026-11-03")).toBe("3 Nov");
    expect(periodLabel("week", "2026-11-19")).toBe("w/c 16 Nov");
    expect(periodLabel("month", "2026-11-01")).toBe("Nov 2026");
    expect(describeRange({ from: "2026-10-30", to: "2026-11-28", granularity: "day" })).toBe(
      "30 Oct 2026 to 28 Nov 2026, by day",
    );
  });

  it("picks last month for the month-end report, across a year end", () => {
    expect(previousMonth("2026-11-28")).toBe("2026-10");
    expect(previousMonth("2027-01-05")).toBe("2026-12");
  });
});

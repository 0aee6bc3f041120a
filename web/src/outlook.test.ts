import { describe, expect, it } from "vitest";
import type { Forecast, Renewal } from "./api";
import { daysLeftWords, forecastLine, renewalLine } from "./outlook";

const forecast: Forecast = {
  enoughHistory: true,
  words: "At this rate vacant seats reach 0 around 11 Jan 2027: 3 more seats needed by then",
  asOf: "2026-12-04",
  runsOutOn: "2027-01-11",
  mayRunOutOn: "2027-01-02",
  seatsNeededByThen: 3,
  historyDays: 56,
};

const renewal: Renewal = {
  renewalType: "AUTO_RENEW_MONTHLY_PAY",
  label: "Renew every seat (annual plan, monthly payments)",
  renewsOn: "2027-01-14",
  daysLeft: 40,
  recommendation: { seats: 18, words: "Renew 18 seats: 19 assigned, 1 reclaimable" },
  warning: null,
};

describe("forecastLine", () => {
  it("shows the server's sentence, muted while there is not enough history", () => {
    expect(forecastLine(forecast)).toEqual({ text: forecast.words, muted: false });
    const young = { ...forecast, enoughHistory: false, words: "Not enough history yet (12 of 28 days)" };
    expect(forecastLine(young)).toEqual({ text: young.words, muted: true });
  });

  it("shows nothing before the holder sync made a forecast", () => {
    expect(forecastLine(null)).toBeNull();
    expect(forecastLine(undefined)).toBeNull();
  });
});

describe("renewalLine", () => {
  it("says the date, the days left and what Google will do", () => {
    expect(renewalLine(renewal)).toBe(
      "Renews on 14 Jan 2027 (40 days) · Renew every seat (annual plan, monthly payments)",
    );
  });

  it("counts down to today and says when a term is already over", () => {
    expect(daysLeftWords(1)).toBe("1 day");
    expect(daysLeftWords(0)).toBe("today");
    expect(daysLeftWords(1200)).toBe("1,200 days");
    expect(renewalLine({ ...renewal, daysLeft: -2, label: "CANCEL_SOMEDAY" })).toBe(
      "Term ended on 14 Jan 2027 (2 days ago) · CANCEL_SOMEDAY",
    );
  });
});

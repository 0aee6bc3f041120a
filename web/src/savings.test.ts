import { describe, expect, it } from "vitest";
import { kindWords, monthWords, shiftMonth, totalWords, type SavingTotal } from "./savings";

const gbp: SavingTotal = {
  currency: "GBP",
  totalMinor: 34_200,
  byKind: { HELD_TOP_UP: 33_000, NOT_RECOMMITTED: 0, FLEXIBLE_USER_REMOVED: 1_200 },
};
const eur: SavingTotal = {
  currency: "EUR",
  totalMinor: 500,
  byKind: { HELD_TOP_UP: 0, NOT_RECOMMITTED: 500, FLEXIBLE_USER_REMOVED: 0 },
};

describe("savings words", () => {
  it("totals every currency, and says so when there is nothing", () => {
    expect(totalWords([gbp, eur])).toBe("£342.00 and €5.00");
    expect(totalWords([])).toBe("nothing yet");
  });

  it("gives one kind's amount, or a dash", () => {
    expect(kindWords([gbp, eur], "HELD_TOP_UP")).toBe("£330.00");
    expect(kindWords([gbp, eur], "NOT_RECOMMITTED")).toBe("€5.00");
    expect(kindWords([gbp], "NOT_RECOMMITTED")).toBe("—");
  });

  it("names and moves months across a year's end", () => {
    expect(monthWords("2026-12")).toBe("December 2026");
    expect(shiftMonth("2026-12", 1)).toBe("2027-01");
    expect(shiftMonth("2027-01", -1)).toBe("2026-12");
    expect(monthWords("soon")).toBe("soon");
  });
});

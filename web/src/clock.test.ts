import { afterEach, describe, expect, it } from "vitest";
import { setTimeZone, todayIn, when, whenIn } from "./format";

afterEach(() => setTimeZone("Europe/London"));

describe("the customer's clock", () => {
  // 23:30 on 30 November in London is already 1 December in Tokyo and still 30 November in LA.
  const lateInLondon = new Date("2026-11-30T23:30:00Z");

  it("says today as the customer's zone counts it", () => {
    setTimeZone("Asia/Tokyo");
    expect(todayIn(undefined, lateInLondon)).toBe("2026-12-01");
    setTimeZone("America/Los_Angeles");
    expect(todayIn(undefined, lateInLondon)).toBe("2026-11-30");
  });

  it("shows the same instant on the customer's clock after the zone changes", () => {
    expect(when(lateInLondon.toISOString())).toBe("30 Nov 2026, 23:30");
    setTimeZone("Asia/Tokyo");
    expect(when(lateInLondon.toISOString())).toBe("1 Dec 2026, 08:30");
  });

  it("previews another zone's clock without changing the customer's", () => {
    expect(whenIn(lateInLondon, "America/New_York")).toBe("30 Nov 2026, 18:30");
    expect(when(lateInLondon.toISOString())).toBe("30 Nov 2026, 23:30");
  });
});

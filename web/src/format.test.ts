import { afterEach, describe, expect, it } from "vitest";
import { count, day, money, percent, seats, setTimeZone, timeZone, when } from "./format";

afterEach(() => setTimeZone("Europe/London"));

describe("percent", () => {
  it("never rounds a licence that is not full up to 100%", () => {
    expect(percent(995 / 1000)).toBe("99.5%");
    expect(percent(9999 / 10000)).not.toBe("100%");
  });
  it("shows a full licence as 100%", () => {
    expect(percent(1)).toBe("100%");
  });
  it("shows nothing known as a dash", () => {
    expect(percent(null)).toBe("—");
  });
});

describe("numbers", () => {
  it("separates thousands", () => {
    expect(count(25000)).toBe("25,000");
  });
  it("writes money in the currency given", () => {
    expect(money(123456, "GBP")).toBe("£1,234.56");
    expect(money(100, "EUR")).toContain("€");
  });
  it("says seat or seats", () => {
    expect(seats(1)).toBe("1 seat");
    expect(seats(1200)).toBe("1,200 seats");
  });
});

describe("dates follow the customer's time zone", () => {
  it("shows the same instant as a different day in Sydney", () => {
    const lateEvening = "2026-11-30T23:30:00Z";
    expect(day(lateEvening)).toBe("30 Nov 2026");
    setTimeZone("Australia/Sydney");
    expect(timeZone()).toBe("Australia/Sydney");
    expect(day(lateEvening)).toBe("1 Dec 2026");
  });
  it("writes date and time on one line, and a dash for nothing", () => {
    expect(when("2026-06-01T13:03:00Z")).toBe("1 Jun 2026, 14:03");
    expect(when(null)).toBe("—");
  });
});

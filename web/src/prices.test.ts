import { describe, expect, it } from "vitest";
import { estimate, NO_PRICE, parseCurrency, parseMajor, parsePercent, perSeat, toMajor } from "./prices";

describe("estimates", () => {
  it("says estimate, excluding VAT, in the price's currency", () => {
    expect(estimate(7080, "GBP")).toBe("estimated £70.80 a month, excluding VAT, at your price");
    expect(estimate(2832, "EUR", true)).toBe("estimated €28.32 a month more, excluding VAT, at your price");
  });
  it("never shows zero for a missing price", () => {
    expect(estimate(null, null)).toBe(NO_PRICE);
    expect(estimate(0, null)).toBe(NO_PRICE);
    expect(perSeat(undefined, "GBP")).toBe(NO_PRICE);
    expect(perSeat(0, "GBP")).toBe("free");
    expect(perSeat(1416, "USD")).toBe("US$14.16 a licence a month");
  });
});

describe("the Prices page's fields", () => {
  it("reads a price in major units exactly", () => {
    expect(parseMajor("14.16")).toEqual({ minor: 1416 });
    expect(parseMajor(" 7.5 ")).toEqual({ minor: 750 });
    expect(parseMajor("0")).toEqual({ minor: 0 });
    expect(parseMajor("0.29")).toEqual({ minor: 29 }); // not 28.999…
    for (const bad of ["", "-1", "1.234", "abc", "1,000", "1e3"]) expect(parseMajor(bad)).toHaveProperty("error");
    expect(toMajor(1416)).toBe("14.16");
    expect(toMajor(5)).toBe("0.05");
  });
  it("reads a discount above 0 and below 100", () => {
    expect(parsePercent("12.5")).toEqual({ percent: 12.5 });
    for (const bad of ["0", "100", "12.345", "-1", "x", ""]) expect(parsePercent(bad)).toHaveProperty("error");
  });
  it("reads a currency code", () => {
    expect(parseCurrency("eur")).toEqual({ currency: "EUR" });
    expect(parseCurrency("pounds")).toHaveProperty("error");
  });
});

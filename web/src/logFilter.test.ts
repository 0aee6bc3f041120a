import { describe, expect, it } from "vitest";
import { apiQuery, filterFrom, logsPath, seatsChange } from "./logFilter";

describe("the Logs filter", () => {
  it("reads the address and writes it back", () => {
    const filter = filterFrom(new URLSearchParams("sku=1010020028&type=TOP_UP_APPLIED"));
    expect(filter).toEqual({ skuId: "1010020028", type: "TOP_UP_APPLIED" });
    expect(logsPath(filter)).toBe("/logs?sku=1010020028&type=TOP_UP_APPLIED");
    expect(logsPath({ skuId: "", type: "" })).toBe("/logs");
    expect(logsPath({ skuId: "", type: "SETTINGS_CHANGED" })).toBe("/logs?type=SETTINGS_CHANGED");
  });

  it("asks the API for the same filter, paged for the list and whole for the CSV", () => {
    const filter = { skuId: "customer", type: "RECIPIENT_ADDED" };
    expect(apiQuery(filter, { limit: 25, cursor: null })).toBe("?limit=25&skuId=customer&type=RECIPIENT_ADDED");
    expect(apiQuery(filter, { limit: 25, cursor: "C01_x" })).toBe("?limit=25&skuId=customer&type=RECIPIENT_ADDED&cursor=C01_x");
    expect(apiQuery(filter)).toBe("?skuId=customer&type=RECIPIENT_ADDED");
    expect(apiQuery({ skuId: "", type: "" })).toBe("");
  });
});

describe("seatsChange", () => {
  it("says what changed without a dash for the missing side", () => {
    expect(seatsChange(8, 10)).toBe("8 → 10");
    expect(seatsChange(null, 30)).toBe("30 seats");
    expect(seatsChange(null, 1)).toBe("1 seat");
    expect(seatsChange(1200, 1500)).toBe("1,200 → 1,500");
    expect(seatsChange(null, null)).toBe("—");
  });
});

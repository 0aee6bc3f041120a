import { describe, expect, it } from "vitest";
import type { LicenceReclaim, ReclaimHolder, ReclaimSummary } from "./api";
import {
  daysUnseen,
  policyDays,
  reclaimCost,
  reclaimPath,
  reclaimQuery,
  rowReclaim,
  seatKey,
  unassignMoneyWords,
  unavailableNotice,
} from "./reclaim";

const ok = (over: Partial<LicenceReclaim> = {}): LicenceReclaim => ({
  status: "OK",
  notice: null,
  count: 3,
  effect: "SAVES_MONEY",
  monthlyCostMinor: 4140,
  currency: "GBP",
  words: "3 seats can be reclaimed",
  ...over,
});

describe("reclaimCost", () => {
  it("prices flexible seats a month and says annual ones free seats until renewal", () => {
    expect(reclaimCost(ok())).toBe("£41.40 a month");
    expect(reclaimCost(ok({ effect: "FREES_SEAT" }))).toBe("frees seats until renewal");
    expect(reclaimCost(ok({ effect: "FREES_SEAT", count: 1 }))).toBe("frees a seat until renewal");
    expect(reclaimCost(ok({ effect: "NO_COST", monthlyCostMinor: 0 }))).toBe("not billed");
    expect(reclaimCost(ok({ effect: "UNKNOWN_PLAN" }))).toBe("£41.40 a month at your prices");
  });

  it("never makes up a price, and says nothing for none", () => {
    expect(reclaimCost(ok({ monthlyCostMinor: null, currency: null }))).toBe("No price set");
    expect(reclaimCost(ok({ count: 0 }))).toBe("");
  });
});

describe("My Licences' reclaim line", () => {
  it("shows the count when the user data was read, nothing otherwise", () => {
    expect(rowReclaim(ok({ count: 1200 }))).toEqual({ label: "1,200 reclaimable", cost: "£41.40 a month" });
    expect(rowReclaim(ok({ count: 0 }))).toEqual({ label: "0 reclaimable", cost: "" });
    expect(rowReclaim(null)).toBeNull();
    expect(rowReclaim(undefined)).toBeNull();
    expect(rowReclaim(ok({ status: "NO_ACCESS", count: null, notice: "User data unavailable" }))).toBeNull();
  });

  it("takes the one notice from the rows", () => {
    const blocked = ok({ status: "NO_ACCESS", count: null, notice: "User data unavailable: off" });
    expect(unavailableNotice([{ reclaim: blocked }, { reclaim: blocked }])).toBe("User data unavailable: off");
    expect(unavailableNotice([{ reclaim: ok() }, { reclaim: null }, {}])).toBeNull();
  });
});

describe("the Reclaim page's address and query", () => {
  it("keeps the SKU filter in the address and asks the API for it", () => {
    expect(reclaimPath("")).toBe("/reclaim");
    expect(reclaimPath("1010020028")).toBe("/reclaim?sku=1010020028");
    expect(reclaimQuery("1010020028", { limit: 50, cursor: null })).toBe("?limit=50&skuId=1010020028");
    expect(reclaimQuery("", { limit: 50, cursor: "C01_1_u" })).toBe("?limit=50&cursor=C01_1_u");
    expect(reclaimQuery("1010020028")).toBe("?skuId=1010020028");
    expect(reclaimQuery("")).toBe("");
  });

  it("words days unseen, with never for someone nobody saw", () => {
    expect(daysUnseen(70, "2026-09-01T10:00:00+00:00")).toBe("70 days");
    expect(daysUnseen(1, "2026-09-01T10:00:00+00:00")).toBe("1 day");
    expect(daysUnseen(null, null)).toBe("never");
  });
});

describe("policyDays", () => {
  it("reads whole days and leaves the bounds to the server", () => {
    expect(policyDays(" 30 ")).toEqual({ days: 30 });
    expect(policyDays("3")).toEqual({ days: 3 });
    expect(policyDays("30.5")).toEqual({ error: "Enter a whole number of days, such as 60." });
    expect(policyDays("")).toEqual({ error: "Enter a whole number of days, such as 60." });
    expect(policyDays("-5")).toEqual({ error: "Enter a whole number of days, such as 60." });
  });
});

describe("unassignMoneyWords", () => {
  const holder = { perSeatMonthlyMinor: 480, currency: "GBP" } as ReclaimHolder;
  const summary = (effect: ReclaimSummary["effect"]) => ({ effect }) as ReclaimSummary;

  it("prices a Flexible seat a month and says an annual one saves nothing until renewal", () => {
    expect(unassignMoneyWords(summary("SAVES_MONEY"), holder)).toMatch(/^Saves £4\.80 a month/);
    expect(unassignMoneyWords(summary("FREES_SEAT"), holder)).toMatch(/^Saves nothing until renewal/);
    expect(unassignMoneyWords(summary("NO_COST"), holder)).toContain("not billed");
  });

  it("never makes up a price", () => {
    const unpriced = { perSeatMonthlyMinor: null, currency: null } as ReclaimHolder;
    expect(unassignMoneyWords(summary("SAVES_MONEY"), unpriced)).toContain("no price is set");
    expect(unassignMoneyWords(undefined, holder)).toContain("depends on the plan");
  });

  it("keys a seat by SKU, user and address", () => {
    expect(seatKey({ skuId: "V", userId: "1", email: "Ann@X" })).toBe("V/1/ann@x");
  });
});

import { describe, expect, it } from "vitest";
import { DEFAULT_VIEW, applyView, isFiltered, sortedColumn, viewFrom, withView } from "./licenceView";

const rows = [
  { skuId: "1010020028", skuName: "Google Workspace Business Standard", status: "ACTIVE", utilisation: 0.8 },
  { skuId: "1010020027", skuName: "Google Workspace Business Starter", status: "SUSPENDED", utilisation: 0.995 },
  { skuId: "1010020025", skuName: "Google Workspace Business Plus", status: "ACTIVE", utilisation: 0.3 },
  { skuId: "1010020020", skuName: "Google Workspace Enterprise Plus", status: "PENDING", utilisation: 0.8 },
];
const names = (list: typeof rows) => list.map((r) => r.skuName.replace("Google Workspace ", ""));

describe("the view in the address", () => {
  it("reads what the query says and falls back to the defaults for anything unknown", () => {
    expect(viewFrom(new URLSearchParams(""))).toEqual(DEFAULT_VIEW);
    expect(viewFrom(new URLSearchParams("q=plus&status=ACTIVE&use=80&sort=use-desc"))).toEqual({
      q: "plus",
      status: "ACTIVE",
      use: "80",
      sort: "use-desc",
    });
    expect(viewFrom(new URLSearchParams("status=GONE&use=99&sort=price"))).toEqual(DEFAULT_VIEW);
  });

  it("writes only what differs from the defaults and keeps other parameters", () => {
    const query = withView(new URLSearchParams("sku=1&sort=use"), { ...DEFAULT_VIEW, q: " plus " });
    expect(query.toString()).toBe("sku=1&q=plus");
    const round = { q: "std", status: "PENDING", use: "under50", sort: "status" } as const;
    expect(viewFrom(withView(new URLSearchParams(), round))).toEqual(round);
  });
});

describe("sorting and filtering", () => {
  it("sorts by name either way, ignoring case", () => {
    expect(names(applyView(rows, DEFAULT_VIEW))).toEqual([
      "Business Plus",
      "Business Standard",
      "Business Starter",
      "Enterprise Plus",
    ]);
    expect(names(applyView(rows, { ...DEFAULT_VIEW, sort: "name-desc" }))[0]).toBe("Enterprise Plus");
  });

  it("sorts by utilisation with ties by name, and by status in order of attention", () => {
    expect(names(applyView(rows, { ...DEFAULT_VIEW, sort: "use-desc" }))).toEqual([
      "Business Starter",
      "Business Standard",
      "Enterprise Plus",
      "Business Plus",
    ]);
    expect(names(applyView(rows, { ...DEFAULT_VIEW, sort: "use" }))[0]).toBe("Business Plus");
    expect(names(applyView(rows, { ...DEFAULT_VIEW, sort: "status" }))).toEqual([
      "Business Plus",
      "Business Standard",
      "Enterprise Plus",
      "Business Starter",
    ]);
  });

  it("filters by name or SKU id, status and utilisation band together", () => {
    expect(names(applyView(rows, { ...DEFAULT_VIEW, q: "PLUS" }))).toEqual(["Business Plus", "Enterprise Plus"]);
    expect(names(applyView(rows, { ...DEFAULT_VIEW, q: "020027" }))).toEqual(["Business Starter"]);
    expect(names(applyView(rows, { ...DEFAULT_VIEW, q: "plus", status: "ACTIVE" }))).toEqual(["Business Plus"]);
    expect(names(applyView(rows, { ...DEFAULT_VIEW, use: "95" }))).toEqual(["Business Starter"]);
    expect(applyView(rows, { ...DEFAULT_VIEW, use: "80" })).toHaveLength(3);
    expect(names(applyView(rows, { ...DEFAULT_VIEW, use: "under80" }))).toEqual(["Business Plus"]);
    expect(applyView(rows, { ...DEFAULT_VIEW, use: "under50", status: "PENDING" })).toEqual([]);
  });

  it("leaves the rows it was given alone and says when a filter is on", () => {
    const before = rows.map((r) => r.skuId);
    applyView(rows, { ...DEFAULT_VIEW, sort: "use" });
    expect(rows.map((r) => r.skuId)).toEqual(before);
    expect(isFiltered(DEFAULT_VIEW)).toBe(false);
    expect(isFiltered({ ...DEFAULT_VIEW, sort: "use" })).toBe(false);
    expect(isFiltered({ ...DEFAULT_VIEW, q: "x" })).toBe(true);
  });

  it("names the sorted column for aria-sort", () => {
    expect(sortedColumn("use-desc")).toEqual({ column: "use", order: "descending" });
    expect(sortedColumn("name")).toEqual({ column: "name", order: "ascending" });
  });
});

import { describe, expect, it } from "vitest";
import { customerHref, customerIn, isGlobal, relativePath, samePageFor } from "./router";

describe("the customer in the address", () => {
  it("is read from /customers/{id}/...", () => {
    expect(customerIn("/customers/C0123/licences")).toBe("C0123");
    expect(customerIn("/customers/a%20b")).toBe("a b");
    expect(customerIn("/approvals")).toBeNull();
  });
  it("is taken off for the pages", () => {
    expect(relativePath("/customers/C1/licences/9/settings")).toBe("/licences/9/settings");
    expect(relativePath("/customers/C1")).toBe("/");
    expect(relativePath("/customers/C1/")).toBe("/");
    expect(relativePath("/approvals")).toBe("/approvals");
  });
  it("is put in front of customer pages only", () => {
    expect(customerHref("/reports?sku=1", "C1")).toBe("/customers/C1/reports?sku=1");
    expect(customerHref("/", "C1")).toBe("/customers/C1");
    expect(customerHref("/approvals", "C1")).toBe("/approvals");
    expect(customerHref("/prices", "C1")).toBe("/prices");
    expect(customerHref("/customers/C2/logs", "C1")).toBe("/customers/C2/logs");
    expect(customerHref("/logs", null)).toBe("/logs");
    expect(customerHref("/logs", "a/b")).toBe("/customers/a%2Fb/logs");
  });
  it("knows the global pages", () => {
    expect(isGlobal("/approvals?x=1")).toBe(true);
    expect(isGlobal("/approvalsx")).toBe(false);
  });
});

describe("switching customer", () => {
  it("keeps the page type but not the old customer's SKU", () => {
    expect(samePageFor("/customers/C1/reports", "C2")).toBe("/customers/C2/reports");
    expect(samePageFor("/customers/C1/licences/9/settings", "C2")).toBe("/customers/C2");
    expect(samePageFor("/customers/C1/logs", "C2")).toBe("/customers/C2/logs");
  });
});

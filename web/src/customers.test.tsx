import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { act, cleanup, fireEvent, render, renderHook, screen, waitFor } from "@testing-library/react";
import type { ReactNode } from "react";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { Me, SeenCustomer } from "./api";
import { CustomerChooser, customersPath, mergePages, searchTerm, useViewedCustomer } from "./customers";

function customer(id: string, domain: string): SeenCustomer {
  return { customerId: id, customerDomain: domain, name: domain.split(".")[0], timeZone: "UTC", canChange: true };
}

const ACME = customer("C1", "acme.example");
const BETA = customer("C2", "beta.example");
const GAMMA = customer("C3", "gamma.example");
const GLOBEX = customer("C4", "globex.example");

// Reseller ops with a larger book: /me has the first page and a cursor to the rest.
const OPS: Me = {
  email: "ops@reseller.example",
  name: "Ops",
  role: "reseller_ops",
  roleLabel: "Reseller operations",
  customers: [ACME, BETA],
  customersNextCursor: "after-beta",
};

function answer(status: number, body: unknown) {
  return new Response(JSON.stringify(body), { status });
}

// Answers GET /customers and GET /customers/{id} from a four-customer book, pages of two.
function fakeApi() {
  const book = [ACME, BETA, GAMMA, GLOBEX];
  return vi.fn(async (url: string) => {
    const parsed = new URL(url, "http://test");
    const path = parsed.pathname.replace("/api/v1", "");
    if (path === "/customers") {
      const q = parsed.searchParams.get("q") ?? "";
      const cursor = parsed.searchParams.get("cursor");
      const matching = book.filter((c) => c.customerDomain.startsWith(q));
      const start = cursor === "after-beta" ? 2 : 0;
      const page = matching.slice(start, start + 2);
      return answer(200, { customers: page, nextCursor: matching.length > start + 2 ? "after-beta" : null });
    }
    const found = book.find((c) => `/customers/${c.customerId}` === path);
    return found ? answer(200, found) : answer(404, { title: "Not Found", status: 404, detail: "No such customer" });
  });
}

function withQueries() {
  const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  return ({ children }: { children: ReactNode }) => <QueryClientProvider client={client}>{children}</QueryClientProvider>;
}

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
  vi.useRealTimers();
});

describe("paging helpers", () => {
  it("asks for a page by search and cursor", () => {
    expect(customersPath("", null)).toBe("/customers?limit=50");
    expect(customersPath("glo", "abc", 10)).toBe("/customers?limit=10&q=glo&cursor=abc");
    expect(searchTerm("  GloBex ")).toBe("globex");
  });

  it("lists the pages in order without repeats, the viewed customer first if not among them", () => {
    const pages = [
      { customers: [ACME, BETA], nextCursor: "x" },
      { customers: [BETA, GAMMA], nextCursor: null },
    ];
    expect(mergePages(pages).map((c) => c.customerId)).toEqual(["C1", "C2", "C3"]);
    expect(mergePages(pages, GLOBEX).map((c) => c.customerId)).toEqual(["C4", "C1", "C2", "C3"]);
    expect(mergePages(pages, BETA).map((c) => c.customerId)).toEqual(["C1", "C2", "C3"]);
  });
});

describe("CustomerChooser", () => {
  it("starts from /me's first page, loads the next on request, and searches by domain", async () => {
    const fetch = fakeApi();
    vi.stubGlobal("fetch", fetch);
    const chosen = vi.fn();
    render(<CustomerChooser me={OPS} id="picker" label="Customer" value="C1" onChange={chosen} />, {
      wrapper: withQueries(),
    });
    const select = screen.getByRole("combobox", { name: "Customer" });
    expect([...select.querySelectorAll("option")].map((o) => o.value)).toEqual(["C1", "C2"]);
    expect(fetch).not.toHaveBeenCalled(); // the first page came with /me

    fireEvent.click(screen.getByRole("button", { name: "More customers" }));
    await waitFor(() => expect(select.querySelectorAll("option")).toHaveLength(4));
    expect(fetch.mock.calls[0][0]).toBe("/api/v1/customers?limit=50&cursor=after-beta");
    expect(screen.queryByRole("button", { name: "More customers" })).toBeNull(); // the last page

    fireEvent.change(screen.getByRole("searchbox", { name: "Find a customer by domain" }), {
      target: { value: "GL" },
    });
    await waitFor(() =>
      expect([...select.querySelectorAll("option")].map((o) => o.textContent)).toEqual([
        "Choose a customer",
        "globex (globex.example)",
      ]),
    );
    expect(fetch.mock.calls.at(-1)?.[0]).toBe("/api/v1/customers?limit=50&q=gl");
    fireEvent.change(select, { target: { value: "C4" } });
    expect(chosen).toHaveBeenCalledWith(GLOBEX);
  });

  it("is a plain list for a user who sees all their customers at once", () => {
    const admin: Me = { ...OPS, role: "account_manager", customersNextCursor: null };
    render(<CustomerChooser me={admin} id="picker" label="Customer" value="C2" onChange={() => {}} />, {
      wrapper: withQueries(),
    });
    expect(screen.queryByRole("searchbox")).toBeNull();
    expect(screen.queryByRole("button", { name: "More customers" })).toBeNull();
    expect(screen.getByRole("combobox", { name: "Customer" })).toHaveProperty("value", "C2");
  });
});

describe("useViewedCustomer", () => {
  it("reads a customer beyond the first page by id, and says when there is none", async () => {
    const fetch = fakeApi();
    vi.stubGlobal("fetch", fetch);
    const { result, rerender } = renderHook(({ address }) => useViewedCustomer(OPS, address, null), {
      initialProps: { address: "C3" as string | null },
      wrapper: withQueries(),
    });
    expect(result.current.viewed).toBeUndefined(); // being read
    await waitFor(() => expect(result.current.viewed).toEqual(GAMMA));
    expect(fetch.mock.calls[0][0]).toBe("/api/v1/customers/C3");
    rerender({ address: "C1" });
    expect(result.current.viewed).toEqual(ACME); // on the first page: no request
    rerender({ address: "nobody" });
    await waitFor(() => expect(result.current.viewed).toBeNull());
    rerender({ address: null });
    expect(result.current.viewed).toEqual(ACME);
    await act(async () => {});
  });
});

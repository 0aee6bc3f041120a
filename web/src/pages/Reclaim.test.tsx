import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { cleanup, fireEvent, render, screen, waitFor } from "@testing-library/react";
import { MemoryRouter } from "react-router";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { Me, Reclaim as ReclaimBody, ReclaimPolicy } from "../api";
import { SessionContext } from "../context";
import { Reclaim } from "./Reclaim";

const ME: Me = { email: "admin@acme.example", name: "Alex", role: "customer_admin", roleLabel: "Admin", customers: [] };

const POLICY: ReclaimPolicy = {
  customerId: "C1",
  inactiveDays: 60,
  defaultInactiveDays: 60,
  minInactiveDays: 7,
  maxInactiveDays: 365,
  changedBy: null,
  changedAt: null,
  countedWithInactiveDays: 60,
  canChange: true,
};

function body(over: Partial<ReclaimBody> = {}): ReclaimBody {
  return {
    customerId: "C1",
    holdersStatus: "OK",
    notice: null,
    syncedAt: "2026-12-01T06:00:00+00:00",
    countedWithInactiveDays: 60,
    inactiveDays: 60,
    summaries: [],
    holders: [],
    nextCursor: null,
    ...over,
  };
}

function json(status: number, value: unknown) {
  return new Response(JSON.stringify(value), { status });
}

// GET …/reclaim answers `reclaim`; the policy routes answer POLICY, or `refuse` to a PUT.
function fakeApi(reclaim: ReclaimBody, refuse?: { status: number; body: unknown }) {
  return vi.fn(async (url: string, init?: RequestInit) => {
    const path = new URL(url, "http://test").pathname.replace("/api/v1", "");
    if (path === "/customers/C1/reclaim") return json(200, reclaim);
    if (path === "/customers/C1/reclaim-policy") {
      if (init?.method === "PUT") {
        if (refuse) return json(refuse.status, refuse.body);
        const sent = JSON.parse(String(init.body)) as { inactiveDays: number };
        return json(200, { ...POLICY, ...sent, changedBy: ME.email });
      }
      return json(200, POLICY);
    }
    return json(404, { title: "Not Found", status: 404, detail: path });
  });
}

function show() {
  const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  return render(
    <MemoryRouter initialEntries={["/customers/C1/reclaim"]}>
      <SessionContext.Provider value={{ me: ME, customerId: "C1", canChange: true }}>
        <QueryClientProvider client={client}>
          <Reclaim />
        </QueryClientProvider>
      </SessionContext.Provider>
    </MemoryRouter>,
  );
}

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

describe("the Reclaim page", () => {
  it("says when there is nothing to reclaim", async () => {
    vi.stubGlobal("fetch", fakeApi(body()));
    show();
    expect(await screen.findByText("No reclaimable seats.")).toBeTruthy();
    expect(screen.queryByRole("table")).toBeNull();
  });

  it("shows only the notice when the customer's user data cannot be read", async () => {
    const notice = "User data unavailable: this customer has switched reseller access to its Admin APIs off.";
    vi.stubGlobal("fetch", fakeApi(body({ holdersStatus: "NO_ACCESS", notice })));
    show();
    expect(await screen.findByText(notice)).toBeTruthy();
    expect(screen.queryByRole("table")).toBeNull();
    expect(screen.queryByText("No reclaimable seats.")).toBeNull();
  });

  it("refuses days that are not whole before asking, and shows the server's reason for the bounds", async () => {
    const why = "Must be from 7 to 365 days: fewer would flag people who are on holiday.";
    const api = fakeApi(body(), {
      status: 422,
      body: { title: "Invalid reclaim policy", status: 422, detail: "Not changed.", errors: { inactiveDays: why } },
    });
    vi.stubGlobal("fetch", api);
    show();
    const field = await screen.findByLabelText("Days without activity");
    fireEvent.change(field, { target: { value: "thirty" } });
    fireEvent.click(screen.getByRole("button", { name: "Save policy" }));
    expect(await screen.findByText("Enter a whole number of days, such as 60.")).toBeTruthy();
    expect(api.mock.calls.some(([, init]) => init?.method === "PUT")).toBe(false);

    fireEvent.change(field, { target: { value: "3" } });
    fireEvent.click(screen.getByRole("button", { name: "Save policy" }));
    expect(await screen.findByText(why)).toBeTruthy();
    expect(field.getAttribute("aria-invalid")).toBe("true");
  });

  it("saves good days and says when they apply", async () => {
    vi.stubGlobal("fetch", fakeApi(body()));
    show();
    const field = await screen.findByLabelText("Days without activity");
    fireEvent.change(field, { target: { value: "30" } });
    fireEvent.click(screen.getByRole("button", { name: "Save policy" }));
    await waitFor(() => expect(screen.getByRole("status").textContent).toContain("after 30 days without activity"));
  });
});

import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { cleanup, fireEvent, render, screen, waitFor } from "@testing-library/react";
import { MemoryRouter } from "react-router";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { Me, Reclaim as ReclaimBody, ReclaimHolder, ReclaimPolicy, ReclaimSummary, Unassign } from "../api";
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

const VAULT: ReclaimSummary = {
  skuId: "Google-Vault",
  skuName: "Google Vault",
  planName: "FLEXIBLE",
  effect: "SAVES_MONEY",
  count: 1,
  byReason: { SUSPENDED: 1 },
  perSeatMonthlyMinor: 480,
  currency: "GBP",
  monthlyCostMinor: 480,
  savesPerMonthMinor: 480,
  freesSeats: 0,
  words: "1 seat can be reclaimed",
};

const ANN: ReclaimHolder = {
  email: "ann@acme.example",
  userId: "1001",
  skuId: "Google-Vault",
  skuName: "Google Vault",
  productId: "Google-Vault",
  reason: "SUSPENDED",
  reasonLabel: "Suspended",
  lastSeen: null,
  activityAsOf: null,
  daysWithoutActivity: null,
  perSeatMonthlyMinor: 480,
  currency: "GBP",
  billing: "",
  action: { kind: "UNASSIGN", instruction: "Remove this licence from ann@acme.example here.", link: "" },
};

function unassign(status: Unassign["status"], id = "x"): Unassign {
  return {
    id,
    status,
    skuId: "Google-Vault",
    email: ANN.email,
    userId: ANN.userId,
    planName: "FLEXIBLE",
    requestedBy: ME.email,
    createdAt: "2026-12-06T03:00:00+00:00",
    finishedAt: status === "APPLIED" ? "2026-12-06T03:00:05+00:00" : null,
    message: "",
  };
}

describe("unassigning an add-on seat", () => {
  it("confirms the user, licence and money, resends one key on retry, and follows it to the end", async () => {
    const sent: string[] = [];
    let posts = 0;
    const base = fakeApi(body({ summaries: [VAULT], holders: [ANN] }));
    vi.stubGlobal(
      "fetch",
      vi.fn(async (url: string, init?: RequestInit) => {
        const path = new URL(url, "http://test").pathname.replace("/api/v1", "");
        if (path === "/customers/C1/reclaim/unassign" && init?.method === "POST") {
          const asked = JSON.parse(String(init.body)) as { requestId: string; email: string; skuId: string };
          sent.push(asked.requestId);
          expect([asked.email, asked.skuId]).toEqual([ANN.email, "Google-Vault"]);
          posts += 1;
          if (posts === 1) throw new TypeError("Failed to fetch"); // the network dropped the answer
          return json(202, unassign("PENDING", asked.requestId));
        }
        if (path.startsWith("/customers/C1/reclaim/unassign/")) return json(200, unassign("APPLIED", sent[0]));
        return base(url, init);
      }),
    );
    show();
    fireEvent.click(await screen.findByRole("button", { name: "Unassign" }));
    const dialog = await screen.findByRole("alertdialog");
    expect(dialog.textContent).toContain("ann@acme.example");
    expect(dialog.textContent).toContain("Google Vault");
    expect(screen.getByTestId("unassign-money").textContent).toContain("Saves £4.80 a month");

    fireEvent.click(screen.getByRole("button", { name: "Unassign licence" }));
    await waitFor(() => expect(sent.length).toBe(1));
    fireEvent.click(await screen.findByRole("button", { name: "Unassign licence" }));
    await waitFor(() => expect(sent.length).toBe(2));
    expect(sent[1]).toBe(sent[0]); // the retry is the same request, never a second

    expect(await screen.findByText("Unassigned: the licence is free.", {}, { timeout: 4000 })).toBeTruthy();
  });

  it("says an annual seat saves nothing until renewal", async () => {
    const annual = { ...VAULT, planName: "ANNUAL_MONTHLY_PAY", effect: "FREES_SEAT" as const };
    vi.stubGlobal("fetch", fakeApi(body({ summaries: [annual], holders: [ANN] })));
    show();
    fireEvent.click(await screen.findByRole("button", { name: "Unassign" }));
    expect((await screen.findByTestId("unassign-money")).textContent).toContain("Saves nothing until renewal");
  });
});

import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { cleanup, fireEvent, render, screen, waitFor, within } from "@testing-library/react";
import { MemoryRouter } from "react-router";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { Me, RenewalChange, RenewalPlan } from "../api";
import { SessionContext } from "../context";
import { moneyWords, RenewalPage } from "./Renewal";

const ME: Me = { email: "admin@acme.example", name: "Alex", role: "customer_admin", roleLabel: "Admin", customers: [] };
const PATH = "/customers/C1/licences/1010020025/renewal";

function renewal(over: Partial<RenewalPlan> = {}): RenewalPlan {
  return {
    skuId: "1010020025",
    skuName: "Google Workspace Business Plus",
    planName: "ANNUAL_YEARLY_PAY",
    total: 50,
    assigned: 40,
    renewalType: "AUTO_RENEW_YEARLY_PAY",
    renewalLabel: "Renew every seat (annual plan, yearly payment)",
    renewsOn: "2026-12-15",
    daysLeft: 25,
    recommendedSeats: 34,
    recommendation: "Renew 34 seats: 40 assigned, 6 reclaimable",
    warning: "The renewal setting re-commits all 50 seats for another year: 16 seats more than recommended.",
    choices: [
      { renewalType: "RENEW_CURRENT_USERS_YEARLY_PAY", label: "Renew only the seats in use (annual plan, yearly payment)" },
      { renewalType: "AUTO_RENEW_YEARLY_PAY", label: "Renew every seat (annual plan, yearly payment)" },
      { renewalType: "SWITCH_TO_PAY_AS_YOU_GO", label: "Switch to Flexible (pay as you go)" },
      { renewalType: "CANCEL", label: "Cancel at the end of the term" },
    ],
    inProgress: null,
    ...over,
  };
}

function change(status: RenewalChange["status"], over: Partial<RenewalChange> = {}): RenewalChange {
  return {
    id: "C1_1010020025-renewal-k1",
    status,
    renewalType: "RENEW_CURRENT_USERS_YEARLY_PAY",
    renewalLabel: "Renew only the seats in use (annual plan, yearly payment)",
    renewalTypeBefore: "AUTO_RENEW_YEARLY_PAY",
    requestedBy: ME.email,
    createdAt: "2026-11-20T06:00:00+00:00",
    finishedAt: null,
    message: "",
    ...over,
  };
}

function json(status: number, value: unknown) {
  return new Response(JSON.stringify(value), { status });
}

// GET …/renewal answers `body`; a POST answers `post` (the request, or a problem); the request's
// own route answers APPLIED.
function fakeApi(body: RenewalPlan, post: { status: number; body: unknown } = { status: 202, body: change("PENDING") }) {
  return vi.fn(async (url: string, init?: RequestInit) => {
    const path = new URL(url, "http://test").pathname.replace("/api/v1", "");
    if (path === PATH) return init?.method === "POST" ? json(post.status, post.body) : json(200, body);
    if (path.startsWith(`${PATH}/`)) return json(200, change("APPLIED"));
    return json(404, { title: "Not Found", status: 404, detail: path });
  });
}

function show(canChange = true) {
  const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  return render(
    <MemoryRouter initialEntries={[`/customers/C1/licences/1010020025/renewal`]}>
      <SessionContext.Provider value={{ me: ME, customerId: "C1", canChange }}>
        <QueryClientProvider client={client}>
          <RenewalPage skuId="1010020025" />
        </QueryClientProvider>
      </SessionContext.Provider>
    </MemoryRouter>,
  );
}

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

describe("the Renewal page", () => {
  it("shows the date, days left, setting, recommendation and warning", async () => {
    vi.stubGlobal("fetch", fakeApi(renewal()));
    show();
    expect((await screen.findByTestId("renewal-setting")).textContent).toBe(
      "Renew every seat (annual plan, yearly payment)",
    );
    expect(screen.getByTestId("days-left").textContent).toBe("25");
    expect(screen.getByTestId("renews-on").textContent).toContain("2026");
    expect(screen.getByTestId("recommendation").textContent).toContain("Renew 34 seats");
    expect(screen.getByTestId("renewal-warning").textContent).toContain("16 seats more than recommended");
    // the current setting cannot be chosen again
    const current = screen.getByLabelText("Renew every seat (annual plan, yearly payment) (current)");
    expect((current as HTMLInputElement).disabled).toBe(true);
  });

  it("says a flexible plan does not renew and offers no choice", async () => {
    vi.stubGlobal("fetch", fakeApi(renewal({ planName: "FLEXIBLE", choices: [], renewsOn: null, daysLeft: null, warning: "", recommendation: "" })));
    show();
    expect(await screen.findByText(/Only annual plans renew/)).toBeTruthy();
    expect(screen.queryByRole("radio")).toBeNull();
  });

  it("asks for a choice, confirms what it means for money, sends one key and follows the request", async () => {
    const api = fakeApi(renewal());
    vi.stubGlobal("fetch", api);
    show();
    fireEvent.click(await screen.findByRole("button", { name: "Continue" }));
    expect(await screen.findByText("Choose a renewal setting.")).toBeTruthy();

    fireEvent.click(screen.getByLabelText("Renew only the seats in use (annual plan, yearly payment)"));
    fireEvent.click(screen.getByRole("button", { name: "Continue" }));
    const dialog = await screen.findByRole("alertdialog");
    expect(dialog.textContent).toContain("renews at the number of users assigned then (40 now)");
    expect(dialog.textContent).toContain("Nothing is bought now");
    fireEvent.click(within(dialog).getByRole("button", { name: "Change renewal setting" }));

    await waitFor(() => expect(screen.getByRole("status").textContent).toContain("Changed"), { timeout: 4000 });
    const posts = api.mock.calls.filter(([, init]) => init?.method === "POST");
    expect(posts).toHaveLength(1);
    const sent = JSON.parse(String(posts[0][1]?.body)) as { renewalType: string; requestId: string };
    expect(sent.renewalType).toBe("RENEW_CURRENT_USERS_YEARLY_PAY");
    expect(sent.requestId).toMatch(/^[A-Za-z0-9-]{8,64}$/);
    expect(await screen.findByRole("heading", { name: "Renewal setting changed" })).toBeTruthy();
    expect(screen.getByRole("link", { name: "View in Logs" })).toBeTruthy();
  });

  it("shows the server's reason for a refused choice next to the choices", async () => {
    const why = "Renewing on a proposed offer is set up with the offer in the Partner Sales Console.";
    vi.stubGlobal(
      "fetch",
      fakeApi(renewal(), {
        status: 422,
        body: { title: "Renewal change refused", status: 422, detail: why, errors: { renewalType: why } },
      }),
    );
    show();
    fireEvent.click(await screen.findByLabelText("Cancel at the end of the term"));
    fireEvent.click(screen.getByRole("button", { name: "Continue" }));
    const dialog = await screen.findByRole("alertdialog");
    expect(dialog.textContent).toContain("suspended and its users lose access");
    fireEvent.click(within(dialog).getByRole("button", { name: "Change renewal setting" }));
    expect(await screen.findByText(why)).toBeTruthy();
    expect(screen.queryByRole("alertdialog")).toBeNull();
  });

  it("follows a change already in progress instead of offering another", async () => {
    vi.stubGlobal("fetch", fakeApi(renewal({ inProgress: change("CLAIMED") })));
    show();
    expect(await screen.findByText(/Changing the renewal setting to/)).toBeTruthy();
    expect(screen.queryByRole("radio")).toBeNull();
  });

  it("lets an account manager read but not change", async () => {
    vi.stubGlobal("fetch", fakeApi(renewal()));
    show(false);
    expect(await screen.findByText("Only the customer's admin can change the renewal setting.")).toBeTruthy();
  });
});

describe("moneyWords", () => {
  it("says auto-renew re-commits every seat", () => {
    expect(moneyWords("AUTO_RENEW_MONTHLY_PAY", renewal())).toContain("all 50 seats are committed again");
  });
  it("says Flexible bills per user per day", () => {
    expect(moneyWords("SWITCH_TO_PAY_AS_YOU_GO", renewal())).toContain("billed each day for the users assigned");
  });
});

import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { cleanup, fireEvent, render, screen, waitFor } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { AnomalyPolicyForm } from "./AnomalyPolicyForm";

const POLICY = {
  customerId: "C1",
  minUsers: 10,
  minPercent: 20,
  maxMinUsers: 100000,
  changedBy: "",
  changedAt: null,
  canChange: true,
};

function json(status: number, value: unknown) {
  return new Response(JSON.stringify(value), { status });
}

function renderForm(canChange = true) {
  const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  return render(
    <QueryClientProvider client={client}>
      <AnomalyPolicyForm customerId="C1" canChange={canChange} />
    </QueryClientProvider>,
  );
}

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

describe("AnomalyPolicyForm", () => {
  it("shows the thresholds and saves new ones as numbers", async () => {
    const fetch = vi.fn(async (_url: string, init?: RequestInit) =>
      init?.method === "PUT" ? json(200, { ...POLICY, minUsers: 5, minPercent: 15 }) : json(200, POLICY),
    );
    vi.stubGlobal("fetch", fetch);
    renderForm();
    const users = await screen.findByLabelText("More than this many users");
    expect((users as HTMLInputElement).value).toBe("10");
    fireEvent.change(users, { target: { value: "5" } });
    fireEvent.change(screen.getByLabelText("and more than this percentage of its seats"), { target: { value: "15" } });
    fireEvent.click(screen.getByRole("button", { name: "Save Thresholds" }));
    await waitFor(() => expect(screen.getByRole("status").textContent).toContain("more than 5 users and 15%"));
    const put = fetch.mock.calls.find(([, init]) => init?.method === "PUT");
    expect(JSON.parse(String(put?.[1]?.body))).toEqual({ minUsers: 5, minPercent: 15 });
  });

  it("shows the server's reasons beside the fields", async () => {
    const problem = { status: 422, title: "Invalid anomaly thresholds", detail: "", errors: { minPercent: "A whole percentage from 1 to 100." } };
    vi.stubGlobal(
      "fetch",
      vi.fn(async (_url: string, init?: RequestInit) => (init?.method === "PUT" ? json(422, problem) : json(200, POLICY))),
    );
    renderForm();
    fireEvent.change(await screen.findByLabelText("and more than this percentage of its seats"), { target: { value: "150" } });
    fireEvent.click(screen.getByRole("button", { name: "Save Thresholds" }));
    expect(await screen.findByText("A whole percentage from 1 to 100.")).toBeTruthy();
  });

  it("cannot be changed by someone who may only read", async () => {
    vi.stubGlobal("fetch", vi.fn(async () => json(200, { ...POLICY, canChange: false })));
    renderForm(false);
    const users = await screen.findByLabelText("More than this many users");
    expect(users.matches(":disabled")).toBe(true); // its fieldset is disabled
    expect(screen.getByRole("button", { name: "Save Thresholds" }).matches(":disabled")).toBe(true);
  });
});

import { cleanup, fireEvent, render, screen, waitFor } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { Licence } from "../api";
import { TopUpsPausedBanner } from "./TopUpsPaused";

const PAUSED = {
  pausedAt: "2026-11-02T09:05:00+00:00",
  pausedBy: "anomaly guard",
  reason: "assigned users rose by 15 (5 → 20) within an hour",
  rise: 15,
  assignedFrom: 5,
  assignedTo: 20,
  since: "2026-11-02T09:00:00+00:00",
  words: "Automatic top-ups are paused since 2026-11-02 09:05 UTC: assigned users rose by 15.",
};

function licence(paused: Licence["topUpsPaused"]): Licence {
  return {
    skuId: "1010020028",
    skuName: "Business Standard",
    planName: "FLEXIBLE",
    assigned: 20,
    total: 40,
    vacant: 20,
    utilisation: 0.5,
    status: "ACTIVE",
    updatedAt: "2026-11-02T09:05:00+00:00",
    settings: {} as Licence["settings"],
    lowLicenceAlert: false,
    topUpInProgress: false,
    automationPaused: false,
    topUpsPaused: paused,
    price: { currency: null, perSeatMonthlyMinor: null, planExplanation: "" },
  };
}

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

describe("TopUpsPausedBanner", () => {
  it("shows nothing when not paused", () => {
    render(<TopUpsPausedBanner base="/customers/C1" licence={licence(null)} canChange onResumed={() => {}} />);
    expect(screen.queryByTestId("top-ups-paused")).toBeNull();
  });

  it("resumes only after the confirmation, then reloads", async () => {
    const fetch = vi.fn(async () => new Response(JSON.stringify({ resumed: true, pause: PAUSED }), { status: 200 }));
    vi.stubGlobal("fetch", fetch);
    const onResumed = vi.fn();
    render(<TopUpsPausedBanner base="/customers/C1" licence={licence(PAUSED)} canChange onResumed={onResumed} />);
    expect(screen.getByTestId("top-ups-paused").textContent).toContain("rose by 15");
    fireEvent.click(screen.getByRole("button", { name: "Resume automatic top-ups" }));
    expect(fetch).not.toHaveBeenCalled();
    expect(screen.getByRole("alertdialog").textContent).toContain("rose by 15 (5 → 20)");
    fireEvent.click(screen.getByRole("button", { name: "Resume" }));
    await waitFor(() => expect(onResumed).toHaveBeenCalled());
    const [url, init] = fetch.mock.calls[0] as unknown as [string, RequestInit];
    expect(url).toBe("/api/v1/customers/C1/licences/1010020028/resume-top-ups");
    expect(init.method).toBe("POST");
  });

  it("offers no button to someone who may only read", () => {
    render(<TopUpsPausedBanner base="/customers/C1" licence={licence(PAUSED)} canChange={false} onResumed={() => {}} />);
    expect(screen.queryByRole("button")).toBeNull();
    expect(screen.getByTestId("top-ups-paused").textContent).toContain("Only the customer's admin");
  });
});

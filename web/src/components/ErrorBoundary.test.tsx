import { fireEvent, render, screen } from "@testing-library/react";
import { describe, expect, it, vi } from "vitest";
import { ErrorBoundary } from "./ErrorBoundary";
import { nextCheckIn } from "./Progress";

let broken = true;
function Page() {
  if (broken) throw new Error("figures missing");
  return <p>Figures</p>;
}

describe("ErrorBoundary", () => {
  it("shows a panel with a retry instead of a blank app, and the page again after it", () => {
    vi.spyOn(console, "warn").mockImplementation(() => {});
    vi.spyOn(console, "error").mockImplementation(() => {});
    render(
      <ErrorBoundary where="My Licences">
        <Page />
      </ErrorBoundary>,
    );
    expect(screen.getByRole("alert").textContent).toContain("figures missing");
    broken = false;
    fireEvent.click(screen.getByRole("button", { name: "Try again" }));
    expect(screen.getByText("Figures")).toBeTruthy();
  });
});

describe("following a request", () => {
  it("checks after 1 s, then less often, never more than 5 s apart", () => {
    expect(nextCheckIn(0, false)).toBe(1000);
    expect(nextCheckIn(1, false)).toBe(1500);
    expect(nextCheckIn(20, false)).toBe(5000);
  });
  it("checks every 15 s while waiting for approval", () => {
    expect(nextCheckIn(0, true)).toBe(15000);
  });
});

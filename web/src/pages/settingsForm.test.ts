import { describe, expect, it } from "vitest";
import type { Recipient } from "../api";
import { ALERT_FIELDS, TOP_UP_FIELDS, failsIn, holdRecommendation, numberOrText, receiving, unplacedErrors } from "./settingsForm";

function recipient(email: string, name: string, on: Partial<Recipient["notifications"]>): Recipient {
  const off = { lowLicences: false, topUpApplied: false, topUpFailed: false, purchaseConfirmed: false, monthEndReport: false, renewalReminder: false, topUpsPaused: false, trialEnding: false, subscriptionStatus: false };
  return { email, name, notifications: { ...off, ...on }, addressProblem: null };
}

describe("the settings form", () => {
  it("knows which section a failing field is in, so it can be shown", () => {
    expect(failsIn({ alertVacantAtOrBelow: "At most 1,000,000." }, ALERT_FIELDS)).toBe(true);
    expect(failsIn({ alertVacantAtOrBelow: "At most 1,000,000." }, TOP_UP_FIELDS)).toBe(false);
    expect(failsIn({ topUpStep: "Add at least 1 seat per top-up." }, TOP_UP_FIELDS)).toBe(true);
    expect(failsIn({}, ALERT_FIELDS)).toBe(false);
  });

  it("opens the top-up section when the reclaim hold fails", () => {
    expect(failsIn({ holdTopUpsWhenReclaimable: "At most 1,000,000." }, TOP_UP_FIELDS)).toBe(true);
  });

  it("recommends holding top-ups while seats are reclaimable on annual plans only", () => {
    expect(holdRecommendation("ANNUAL_MONTHLY_PAY")).toMatch(/^Recommended on an annual plan: /);
    expect(holdRecommendation("ANNUAL")).not.toBeNull();
    expect(holdRecommendation("FLEXIBLE")).toBeNull();
    expect(holdRecommendation(undefined)).toBeNull();
  });

  it("keeps errors about fields the form does not have", () => {
    expect(unplacedErrors({ topUpStep: "x", "": "Send the settings as a JSON object.", colour: "Unknown setting." })).toEqual([
      "Send the settings as a JSON object.",
      "colour: Unknown setting.",
    ]);
  });

  it("sends what was typed when it is not a number, so it is never saved as not set", () => {
    expect(numberOrText(" 12 ")).toBe(12);
    expect(numberOrText("")).toBeNull();
    expect(numberOrText("twelve")).toBe("twelve");
    expect(numberOrText("1e400")).toBe("1e400");
  });

  it("names who receives each kind of email", () => {
    const list = [
      recipient("it@acme.example", "IT desk", { lowLicences: true }),
      recipient("cfo@acme.example", "", { topUpApplied: true }),
      recipient("quiet@acme.example", "Quiet", {}),
    ];
    expect(receiving(list, ["lowLicences"])).toEqual(["IT desk (it@acme.example)"]);
    expect(receiving(list, ["topUpApplied", "topUpFailed"])).toEqual(["cfo@acme.example"]);
    expect(receiving(list, ["monthEndReport"])).toEqual([]);
  });
});

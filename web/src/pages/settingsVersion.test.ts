import { describe, expect, it } from "vitest";
import type { Settings } from "../api";
import { setTimeZone } from "../format";
import { conflictText, theirSettings, withVersion } from "./settingsVersion";

const THEIRS: Settings = {
  lowLicenceAlert: true,
  alertVacantAtOrBelow: 4,
  alertUtilisationAtOrAbove: null,
  autoTopUp: false,
  topUpWhenVacantBelow: 1,
  topUpTargetVacant: 1,
  topUpMode: "restore",
  topUpStep: 1,
  maxTotalSeats: null,
  maxSeatsPerMonth: null,
  holdTopUpsWhenReclaimable: null,
  description: "Email an alert when vacant seats fall to 4 or below.",
  version: "2026-03-02T09:15:00+00:00",
  updatedBy: "ops@reseller.example",
  updatedAt: "2026-03-02T09:15:00+00:00",
};

describe("settings saved by someone else", () => {
  it("takes their settings from a 409 only", () => {
    expect(theirSettings({ status: 409, current: THEIRS })).toBe(THEIRS);
    expect(theirSettings({ status: 422, current: THEIRS })).toBeUndefined();
    expect(theirSettings({ status: 409 })).toBeUndefined();
    expect(theirSettings({ status: 409, current: "nonsense" })).toBeUndefined();
  });

  it("says who saved them and when, in the customer's zone", () => {
    setTimeZone("Europe/London");
    const text = conflictText(THEIRS);
    expect(text).toMatch(/^ops@reseller\.example saved these settings at .*09:15.*, after you opened them\./);
    expect(conflictText({ ...THEIRS, updatedBy: null, updatedAt: null })).toBe(
      "Someone else saved these settings, after you opened them. Your changes are not saved.",
    );
  });

  it("sends the version the form was loaded from, null when never saved", () => {
    expect(withVersion({ autoTopUp: false }, THEIRS)).toEqual({ autoTopUp: false, version: THEIRS.version });
    expect(withVersion({ autoTopUp: false }, { ...THEIRS, version: null })).toEqual({ autoTopUp: false, version: null });
    expect(withVersion({ autoTopUp: false }, null)).toEqual({ autoTopUp: false, version: null });
  });
});

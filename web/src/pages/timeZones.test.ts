import { describe, expect, it } from "vitest";
import { allZones, matchingZones } from "./timeZones";

const ZONES = ["America/New_York", "America/Los_Angeles", "Europe/London", "Europe/Paris", "UTC"];

describe("choosing a time zone", () => {
  it("offers every IANA zone the browser knows, UTC included", () => {
    const zones = allZones();
    expect(zones).toContain("Europe/London");
    expect(zones).toContain("Asia/Tokyo");
    expect(zones).toContain("UTC");
  });

  it("finds a zone by any words of its name, with spaces for underscores", () => {
    expect(matchingZones("new york", "", ZONES)).toEqual(["America/New_York"]);
    expect(matchingZones("europe lon", "", ZONES)).toEqual(["Europe/London"]);
    expect(matchingZones("AMERICA", "", ZONES)).toEqual(["America/New_York", "America/Los_Angeles"]);
    expect(matchingZones("", "", ZONES)).toEqual(ZONES);
  });

  it("keeps the selected zone in the list whatever was typed", () => {
    expect(matchingZones("paris", "Europe/London", ZONES)).toEqual(["Europe/London", "Europe/Paris"]);
    expect(matchingZones("mars", "UTC", ZONES)).toEqual(["UTC"]);
  });
});

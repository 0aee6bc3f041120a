import { describe, expect, it } from "vitest";
import { placeMenu } from "./DotsMenu";

const viewport = { width: 1280, height: 860 };
const menu = { width: 160, height: 170 };

describe("where the three-dot menu opens", () => {
  it("drops below its button, right-aligned with it, when there is room", () => {
    expect(placeMenu({ top: 100, bottom: 135, right: 1200 }, menu, viewport)).toEqual({
      top: 139,
      left: 1040,
      up: false,
    });
  });

  it("opens upwards for a button near the bottom of the window (the last row)", () => {
    const place = placeMenu({ top: 780, bottom: 815, right: 1200 }, menu, viewport);
    expect(place).toEqual({ top: 606, left: 1040, up: true });
    expect(place.top + menu.height).toBeLessThanOrEqual(780);
  });

  it("stays inside a narrow window", () => {
    const phone = { width: 375, height: 667 };
    expect(placeMenu({ top: 10, bottom: 45, right: 100 }, menu, phone).left).toBe(4);
    expect(placeMenu({ top: 10, bottom: 45, right: 400 }, menu, phone).left).toBe(375 - 160 - 4);
  });
});

import { act, renderHook } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { useAddressState } from "./router";

describe("useAddressState", () => {
  it("changes at once when the user changes it, before the address follows", () => {
    const { result, rerender } = renderHook(({ address }) => useAddressState(address, String), {
      initialProps: { address: "standard" },
    });
    expect(result.current[0]).toBe("standard");
    act(() => result.current[1]("starter"));
    expect(result.current[0]).toBe("starter"); // the address still says "standard"
    rerender({ address: "starter" }); // the router caught up
    expect(result.current[0]).toBe("starter");
  });

  it("follows the address when it changes on its own (back, a shared link)", () => {
    const { result, rerender } = renderHook(({ address }) => useAddressState(address, String), {
      initialProps: { address: "standard" },
    });
    rerender({ address: "plus" });
    expect(result.current[0]).toBe("plus");
  });
});

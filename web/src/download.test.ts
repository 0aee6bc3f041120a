import { afterEach, describe, expect, it, vi } from "vitest";
import { ApiError, download, setTokenSource } from "./api";

afterEach(() => {
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
  setTokenSource(async () => null, () => {});
});

describe("download", () => {
  it("fetches with the bearer token and saves the body under the name given", async () => {
    const fetch = vi.fn().mockResolvedValue(new Response("a,b\n1,2\n", { status: 200 }));
    vi.stubGlobal("fetch", fetch);
    const saved: Blob[] = [];
    vi.stubGlobal("URL", {
      ...URL,
      createObjectURL: (blob: Blob) => {
        saved.push(blob);
        return "blob:report";
      },
      revokeObjectURL: () => {},
    });
    const clicks: { href: string; download: string }[] = [];
    vi.spyOn(HTMLAnchorElement.prototype, "click").mockImplementation(function (this: HTMLAnchorElement) {
      clicks.push({ href: this.getAttribute("href") ?? "", download: this.download });
    });
    setTokenSource(async () => "t0k", () => {});

    const name = await download("/customers/C1/additions?month=2026-10", "additions-2026-10.csv");

    expect(name).toBe("additions-2026-10.csv"); // no Content-Disposition: the name given

    const [url, init] = fetch.mock.calls[0];
    expect(url).toBe("/api/v1/customers/C1/additions?month=2026-10");
    expect(init.headers).toEqual({ Accept: "text/csv", Authorization: "Bearer t0k" });
    expect(clicks).toEqual([{ href: "blob:report", download: "additions-2026-10.csv" }]);
    expect(await saved[0].text()).toBe("a,b\n1,2\n");
    expect(document.querySelector("a[download]")).toBeNull(); // the link does not linger
  });

  it("turns a refusal into an ApiError and saves nothing", async () => {
    const problem = { type: "x", title: "Invalid month", status: 400, detail: "month must look like 2026-10" };
    vi.stubGlobal("fetch", vi.fn().mockResolvedValue(new Response(JSON.stringify(problem), { status: 400 })));
    const click = vi.spyOn(HTMLAnchorElement.prototype, "click");

    const error = await download("/x", "x.csv").catch((e: unknown) => e);

    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ status: 400, title: "Invalid month", message: "month must look like 2026-10" });
    expect(click).not.toHaveBeenCalled();
  });
});

import { afterEach, describe, expect, it, vi } from "vitest";
import { ApiError, call, filenameFrom, setChangeListener, setTokenSource } from "./api";
import { worthRetrying } from "./queries";

function answer(status: number, body: unknown, statusText = "") {
  return new Response(body === null ? null : JSON.stringify(body), { status, statusText });
}

afterEach(() => {
  vi.unstubAllGlobals();
  setTokenSource(async () => null, () => {});
});

describe("call", () => {
  it("sends the bearer token and JSON, and returns the body", async () => {
    const fetch = vi.fn().mockResolvedValue(answer(200, { ok: 1 }));
    vi.stubGlobal("fetch", fetch);
    setTokenSource(async () => "t0k", () => {});
    await expect(call("/me", { method: "POST", body: { a: 1 } })).resolves.toEqual({ ok: 1 });
    const [url, init] = fetch.mock.calls[0];
    expect(url).toBe("/api/v1/me");
    expect(init.headers.Authorization).toBe("Bearer t0k");
    expect(init.headers["Content-Type"]).toBe("application/json");
    expect(init.body).toBe('{"a":1}');
  });

  it("turns problem details into an ApiError with the field errors", async () => {
    const problem = { type: "x", title: "Invalid settings", status: 422, detail: "Fix 1 field", errors: { a: "bad" } };
    vi.stubGlobal("fetch", vi.fn().mockResolvedValue(answer(422, problem)));
    const error = await call("/x").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ status: 422, title: "Invalid settings", message: "Fix 1 field", errors: { a: "bad" } });
  });

  it("explains an answer that is not JSON", async () => {
    vi.stubGlobal("fetch", vi.fn().mockResolvedValue(new Response("<html>", { status: 502, statusText: "Bad Gateway" })));
    const error = (await call("/x").catch((e: unknown) => e)) as ApiError;
    expect(error.status).toBe(502);
    expect(error.message).toBe("The server answered 502.");
  });

  it("says so when the server cannot be reached", async () => {
    vi.stubGlobal("fetch", vi.fn().mockRejectedValue(new TypeError("Failed to fetch")));
    const error = (await call("/x").catch((e: unknown) => e)) as ApiError;
    expect(error.status).toBe(0);
    expect(error.title).toBe("Network error");
  });

  it("signs out on 401, except when asking about the session itself", async () => {
    const signedOut = vi.fn();
    setTokenSource(async () => null, signedOut);
    vi.stubGlobal("fetch", vi.fn().mockImplementation(async () => answer(401, null, "Unauthorized")));
    await call("/session").catch(() => undefined);
    expect(signedOut).not.toHaveBeenCalled();
    await call("/me").catch(() => undefined);
    expect(signedOut).toHaveBeenCalledOnce();
  });
});

describe("what is worth retrying", () => {
  const error = (status: number) => new ApiError({ type: "", title: "", status, detail: "" });
  it("retries the network and 5xx at most twice", () => {
    expect(worthRetrying(0, error(0))).toBe(true);
    expect(worthRetrying(1, error(503))).toBe(true);
    expect(worthRetrying(2, error(503))).toBe(false);
  });
  it("never retries an answer", () => {
    expect(worthRetrying(0, error(404))).toBe(false);
    expect(worthRetrying(0, error(422))).toBe(false);
    expect(worthRetrying(0, new Error("bug"))).toBe(false);
  });
});

describe("changes", () => {
  it("tell the listener after the API accepted them, and reads do not", async () => {
    const changed = vi.fn();
    setChangeListener(changed);
    vi.stubGlobal("fetch", vi.fn().mockImplementation(async () => answer(200, {})));
    await call("/x");
    expect(changed).not.toHaveBeenCalled();
    await call("/x", { method: "PUT", body: {} });
    expect(changed).toHaveBeenCalledOnce();
    vi.stubGlobal("fetch", vi.fn().mockImplementation(async () => answer(422, { title: "bad" })));
    await call("/x", { method: "PUT", body: {} }).catch(() => undefined);
    expect(changed).toHaveBeenCalledOnce();
    setChangeListener(() => {});
  });
});

describe("download", () => {
  it("takes the file's name from Content-Disposition, safely", () => {
    expect(filenameFrom('attachment; filename="licence-log-acme.example-2026-12-05.csv"', "x.csv")).toBe(
      "licence-log-acme.example-2026-12-05.csv",
    );
    expect(filenameFrom("attachment; filename=plain.csv", "x.csv")).toBe("plain.csv");
    expect(filenameFrom('attachment; filename="../../etc/passwd"', "x.csv")).toBe("..-..-etc-passwd");
    expect(filenameFrom(null, "x.csv")).toBe("x.csv");
  });
});

import { describe, expect, it } from "vitest";
import { authCode, signInMessage } from "./signInErrors";

// What the Firebase SDK throws: an Error with a code, and a message naming it.
function firebaseError(code: string): Error & { code: string } {
  return Object.assign(new Error(`Firebase: Error (${code}).`), { code });
}

describe("sign-in errors in plain words", () => {
  it("turns the common codes into sentences without Firebase's wording", () => {
    for (const code of [
      "auth/popup-closed-by-user",
      "auth/popup-blocked",
      "auth/network-request-failed",
      "auth/too-many-requests",
      "auth/user-disabled",
    ]) {
      const text = signInMessage(firebaseError(code));
      expect(text).not.toContain("Firebase");
      expect(text).not.toContain("auth/");
      expect(text).toMatch(/\.$/);
    }
    expect(signInMessage(firebaseError("auth/popup-blocked"))).toBe(
      "Your browser blocked the Google sign-in window. Allow pop-ups for this site, then try again.",
    );
  });

  it("says who can fix a set-up problem, keeping the code for them", () => {
    const text = signInMessage(firebaseError("auth/unauthorized-domain"));
    expect(text).toContain("reseller's support team");
    expect(text).toContain("(auth/unauthorized-domain)");
  });

  it("reads the code from the message when the error has none, and handles unknown codes", () => {
    expect(authCode(new Error("Firebase: Error (auth/popup-closed-by-user)."))).toBe("auth/popup-closed-by-user");
    expect(signInMessage(new Error("Firebase: Error (auth/something-new)."))).toBe(
      "Signing in with Google did not work. Try again; if it keeps failing, tell your reseller's support team (auth/something-new).",
    );
  });

  it("keeps a message that is already plain, and never shows Firebase's own", () => {
    expect(signInMessage(new Error("Sign-in is not ready yet."))).toBe("Sign-in is not ready yet.");
    expect(signInMessage(new Error("Firebase: something odd"))).toBe("Signing in with Google did not work. Try again.");
    expect(signInMessage(undefined)).toBe("Signing in with Google did not work. Try again.");
  });
});
